package sms

import "github.com/humd/humd/storage"

// RemoveNumber forgets a number the carrier took back: its record and its
// E.164's ownership, so another org may register it. Threads, messages and
// calls keep the number's id and E.164 as history.
func RemoveNumber(s storage.Store, org, id string) error {
	defer orgNumberLocks.Lock(org)()
	n, err := GetNumber(s, org, id)
	if err != nil {
		return err
	}
	defer lockNumber(n.E164)()
	b := s.NewBatch()
	b.Delete(KeyNumber(org, id))
	b.Delete(KeyNumberE164(n.E164))
	return b.Commit(storage.Sync)
}
