package storage

// DeleteAll removes keys and every key under prefixes in one Sync batch: a
// record together with the rows that hang off it (logs, deliveries,
// execution rows), so a crash never leaves half of them.
func DeleteAll(s Store, keys [][]byte, prefixes ...[]byte) error {
	b := s.NewBatch()
	for _, k := range keys {
		b.Delete(k)
	}
	for _, p := range prefixes {
		err := s.Scan(p, ScanOptions{}, func(k, _ []byte) (bool, error) { b.Delete(k); return true, nil })
		if err != nil {
			b.Discard()
			return err
		}
	}
	return b.Commit(Sync)
}
