package events

import (
	"bytes"

	"github.com/humd/humd/storage"
)

// The log's key families (storage/keys.go lists them with the rest). The
// layout is the one storage/sms wrote before the log had its own package:
// stores written then read the same.
func Key(org string, seq uint64) []byte { return storage.Key("event", org, storage.U64Seg(seq)) }
func Prefix(org string) []byte          { return storage.Prefix("event", org) }
func KeySeq(org string) []byte          { return storage.Key("seq", org, "event") }

// SeqOfKey reads the seq out of a Key key, so a reader knows where an event
// is even when its record does not decode.
func SeqOfKey(key []byte) uint64 {
	seq, _ := storage.DecodeU64(key[max(len(key)-8, 0):])
	return seq
}

// Orgs calls fn for every org that has an event log, found by its sequence
// counter (seq/<org>/event). The counter's value is a reservation high-water
// mark, not the last event, so only its presence is used.
func Orgs(s storage.Store, fn func(org string)) error {
	prefix := storage.Prefix("seq")
	return s.Scan(prefix, storage.ScanOptions{}, func(k, _ []byte) (bool, error) {
		if org, name, ok := bytes.Cut(k[len(prefix):], []byte("/")); ok && string(name) == "event" {
			fn(string(org))
		}
		return true, nil
	})
}

// LastSeq answers the seq of the org's last committed event, 0 for none.
func LastSeq(s storage.Store, org string) (uint64, error) {
	var seq uint64
	err := s.Scan(Prefix(org), storage.ScanOptions{Reverse: true, Limit: 1}, func(k, _ []byte) (bool, error) {
		seq = SeqOfKey(k)
		return false, nil
	})
	return seq, err
}
