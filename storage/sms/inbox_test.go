package sms

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/events"
	"github.com/humd/humd/storage/storagetest"
)

// inbox lists the org's threads as the API does: one scan of the inbox
// index, newest activity first.
func inbox(t *testing.T, s storage.Store, org string) []*Conversation {
	t.Helper()
	prefix := PrefixConvRecent(org)
	var out []*Conversation
	err := s.Scan(prefix, storage.ScanOptions{}, func(k, v []byte) (bool, error) {
		c, err := RecentConversation(s, org, len(prefix), k, v)
		if err != nil {
			return false, err
		}
		out = append(out, c)
		return true, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func put(t *testing.T, s storage.Store, old, c *Conversation) {
	t.Helper()
	b := s.NewBatch()
	PutConversation(b, old, c)
	if err := b.Commit(storage.Sync); err != nil {
		t.Fatal(err)
	}
}

// The inbox index carries each thread's record: after texts, a read, a close
// and a reopen, a scan of the index alone lists every thread once, in order
// of last activity, each row equal to the thread read by id.
func TestInboxIndexFollowsUpdates(t *testing.T) {
	s := storagetest.OpenMem(t)
	t0 := time.Date(2026, 12, 8, 1, 0, 0, 0, time.UTC)
	threads := map[string]*Conversation{}
	var ids []string
	for i := range 5 {
		c := NewConversation("org_1", "num_1", "+15005550006", fmt.Sprintf("+1317555010%d", i), t0.Add(time.Duration(i)*time.Second))
		put(t, s, nil, c)
		threads[c.ID] = c
		ids = append(ids, c.ID)
	}
	step := func(i int, at time.Duration, change func(c *Conversation, now time.Time)) {
		old := threads[ids[i]]
		c := *old
		change(&c, t0.Add(at))
		put(t, s, old, &c)
		threads[c.ID] = &c
	}
	step(0, time.Minute, func(c *Conversation, now time.Time) { c.Received("hello", now) })
	step(2, 2*time.Minute, func(c *Conversation, now time.Time) { c.Received("one", now) })
	step(2, 3*time.Minute, func(c *Conversation, now time.Time) { c.Received("two", now) })
	step(0, 4*time.Minute, func(c *Conversation, _ time.Time) { c.UnreadCount = 0 }) // read: the order stays
	step(4, 5*time.Minute, func(c *Conversation, now time.Time) { c.Status, c.ClosedAt = StatusClosed, &now })
	step(4, 6*time.Minute, func(c *Conversation, now time.Time) { c.Received("back", now) }) // reopened by a text

	got := inbox(t, s, "org_1")
	err := s.Scan(PrefixConvRecent("org_1"), storage.ScanOptions{}, func(k, v []byte) (bool, error) {
		if len(v) == 0 {
			t.Errorf("index entry %q is empty: the page would read the thread by id", k)
		}
		return true, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, c := range got {
		order = append(order, c.ID)
		want, err := GetConversation(s, "org_1", c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if a, b := mustJSON(t, c), mustJSON(t, want); a != b || b != mustJSON(t, threads[c.ID]) {
			t.Errorf("inbox row %s = %s; by id %s; written %s", c.ID, a, b, mustJSON(t, threads[c.ID]))
		}
	}
	if want := []string{ids[4], ids[2], ids[0], ids[3], ids[1]}; !slices.Equal(order, want) {
		t.Fatalf("inbox order = %v; want %v (newest activity first, each thread once)", order, want)
	}
	if got[0].Status != StatusOpen || got[0].UnreadCount != 1 || got[1].UnreadCount != 2 || got[1].LastPreview != "two" || got[2].UnreadCount != 0 {
		t.Errorf("rows = %s", mustJSON(t, got))
	}
}

// A store written before the index carried the records (conv/ holds the
// record, the index entry is empty) reads and lists the same, and the
// thread's next write moves it to the new layout.
func TestInboxIndexReadsOlderStores(t *testing.T) {
	s := storagetest.OpenMem(t)
	now := time.Date(2026, 12, 8, 1, 0, 0, 0, time.UTC)
	c := NewConversation("org_1", "num_1", "+15005550006", "+13175550100", now)
	c.Received("hi", now)
	b := s.NewBatch()
	b.SetJSON(KeyConv("org_1", c.ID), c)
	b.Set(KeyConvRecent("org_1", now, c.ID), nil)
	b.Set(KeyConvPair("num_1", c.ContactE164), []byte(c.ID))
	if err := b.Commit(storage.Sync); err != nil {
		t.Fatal(err)
	}
	if got, err := ConversationByPair(s, "org_1", "num_1", c.ContactE164); err != nil || mustJSON(t, got) != mustJSON(t, c) {
		t.Fatalf("old layout by pair = %v, %v", got, err)
	}
	if got := inbox(t, s, "org_1"); len(got) != 1 || mustJSON(t, got[0]) != mustJSON(t, c) {
		t.Fatalf("old layout inbox = %s", mustJSON(t, got))
	}
	c2 := *c
	later := now.Add(time.Minute)
	c2.Received("again", later)
	put(t, s, c, &c2)
	if got := inbox(t, s, "org_1"); len(got) != 1 || mustJSON(t, got[0]) != mustJSON(t, &c2) {
		t.Fatalf("after a write inbox = %s", mustJSON(t, got))
	}
	if raw, _ := s.Get(KeyConv("org_1", c.ID)); len(raw) != recentAtLen {
		t.Errorf("conv/ after a write holds %d bytes; want the %d-byte pointer", len(raw), recentAtLen)
	}
}

// sms.received names the thread, contact and number by id and carries the
// message that arrived; it no longer embeds the thread and the contact.
func TestReceivedEventCarriesIDsAndMessage(t *testing.T) {
	s := storagetest.OpenMem(t)
	now := time.Date(2026, 12, 8, 1, 0, 0, 0, time.UTC)
	c := NewConversation("org_1", "num_1", "+15005550006", "+13175550100", now)
	c.Received("hi there", now)
	c.ContactID = ContactID("org_1", c.ContactE164)
	m := NewInbound(c, "SM1", c.ContactE164, c.NumberE164, "hi there", now)
	b := s.NewBatch()
	if err := PutInbound(s, b, &InboundText{Conv: c, Msg: m}); err != nil {
		t.Fatal(err)
	}
	if err := b.Commit(storage.Sync); err != nil {
		t.Fatal(err)
	}
	evs, _, err := events.List(s, "org_1", events.SMSReceived, storage.PageRequest{})
	if err != nil || len(evs) != 1 {
		t.Fatalf("events = %v, %v", evs, err)
	}
	var d map[string]json.RawMessage
	if err := json.Unmarshal(evs[0].Data, &d); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for k := range d {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if want := []string{"contact_e164", "contact_id", "conversation_id", "message", "reopened", "twilio_number_id"}; !slices.Equal(keys, want) {
		t.Fatalf("sms.received data has %v; want %v", keys, want)
	}
	var msg Message
	if err := json.Unmarshal(d["message"], &msg); err != nil || msg.ID != m.ID || msg.Body != "hi there" ||
		string(d["conversation_id"]) != `"`+c.ID+`"` || string(d["contact_id"]) != `"`+c.ContactID+`"` || string(d["twilio_number_id"]) != `"num_1"` {
		t.Errorf("sms.received data = %s", evs[0].Data)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}
