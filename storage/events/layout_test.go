package events_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/events"
	"github.com/humd/humd/storage/storagetest"
)

// The log keeps the byte layout storage/sms wrote before it had its own
// package: event/<org>/<8-byte big-endian seq> and the counter
// seq/<org>/event. A store written then must read the same now.
func TestKeyLayoutUnchanged(t *testing.T) {
	if got, want := string(events.Key("org_1", 258)), "event/org_1/\x00\x00\x00\x00\x00\x00\x01\x02"; got != want {
		t.Errorf("Key = %q; want %q", got, want)
	}
	if got, want := string(events.Prefix("org_1")), "event/org_1/"; got != want {
		t.Errorf("Prefix = %q; want %q", got, want)
	}
	if got, want := string(events.KeySeq("org_1")), "seq/org_1/event"; got != want {
		t.Errorf("KeySeq = %q; want %q", got, want)
	}
	if got := events.SeqOfKey([]byte("event/org_1/\x00\x00\x00\x00\x00\x00\x01\x02")); got != 258 {
		t.Errorf("SeqOfKey = %d; want 258", got)
	}
}

// Records written under the old keys, byte for byte, are what List, LastSeq
// and Orgs read, and Append continues their sequence.
func TestReadsLogWrittenBeforeTheMove(t *testing.T) {
	s := storagetest.OpenMem(t)
	old := []string{
		`{"id":"evt_a","seq":1,"type":"conversation.started","org_id":"org_1","created_at":"2026-11-26T01:02:03Z","data":{"conversation":{"id":"conv_1"}}}`,
		`{"id":"evt_b","seq":2,"type":"sms.received","org_id":"org_1","created_at":"2026-11-26T01:02:04Z","data":{}}`,
	}
	b := s.NewBatch()
	for i, v := range old {
		b.Set([]byte("event/org_1/\x00\x00\x00\x00\x00\x00\x00"+string(rune('\x01'+i))), []byte(v))
	}
	if err := b.Commit(storage.Sync); err != nil {
		t.Fatal(err)
	}
	for range old { // the counter as the old code left it
		if _, err := s.Sequence([]byte("seq/org_1/event")); err != nil {
			t.Fatal(err)
		}
	}
	got, _, err := events.List(s, "org_1", "", storage.PageRequest{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ID != "evt_a" || got[1].Type != events.SMSReceived || got[1].Seq != 2 ||
		string(got[0].Data) != `{"conversation":{"id":"conv_1"}}` {
		t.Fatalf("List = %s; want the two old events", fmt.Sprint(got))
	}
	if typed, _, _ := events.List(s, "org_1", events.ConvStarted, storage.PageRequest{Limit: 10}); len(typed) != 1 {
		t.Errorf("List by type = %d events; want 1", len(typed))
	}
	if seq, err := events.LastSeq(s, "org_1"); seq != 2 || err != nil {
		t.Errorf("LastSeq = %d, %v; want 2", seq, err)
	}
	var orgs []string
	if err := events.Orgs(s, func(o string) { orgs = append(orgs, o) }); err != nil || fmt.Sprint(orgs) != "[org_1]" {
		t.Errorf("Orgs = %v, %v; want [org_1]", orgs, err)
	}
	b = s.NewBatch()
	ev, err := events.Append(s, b, "org_1", events.OptOut, time.Date(2026, 11, 26, 2, 0, 0, 0, time.UTC), map[string]any{"e164": "+15005550006"})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Commit(storage.Sync); err != nil {
		t.Fatal(err)
	}
	if ev.Seq != 3 {
		t.Errorf("Append after the old log: seq %d; want 3", ev.Seq)
	}
	if _, err := s.Get([]byte("event/org_1/\x00\x00\x00\x00\x00\x00\x00\x03")); err != nil {
		t.Errorf("appended event not under the old key layout: %v", err)
	}
}
