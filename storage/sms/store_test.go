package sms

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/storagetest"
)

// GetNumber's memo of decoded records follows every write and never hands
// two callers the same pointers.
func TestGetNumberFollowsWrites(t *testing.T) {
	s := storagetest.OpenMem(t)
	now := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
	n, err := RegisterNumber(s, "org_1", "+15005550006", "main", "sandbox", now)
	if err != nil {
		t.Fatal(err)
	}
	for _, flow := range []string{"flow_a", "flow_b"} {
		got, err := GetNumber(s, "org_1", n.ID)
		if err != nil {
			t.Fatal(err)
		}
		got.SMSFlowID = new(flow)
		b := s.NewBatch()
		PutNumber(b, got)
		if err := b.Commit(storage.Sync); err != nil {
			t.Fatal(err)
		}
		first, _ := GetNumber(s, "org_1", n.ID)
		*first.SMSFlowID = "scribbled"
		again, _ := GetNumber(s, "org_1", n.ID)
		if again.SMSFlowID == nil || *again.SMSFlowID != flow {
			t.Fatalf("after writing %s, GetNumber has sms_flow_id %v", flow, again.SMSFlowID)
		}
	}
}

// An event appended from Fields stores what encoding/json makes of the
// answered event, whose Data is the joined object.
func TestAppendEventFields(t *testing.T) {
	s := storagetest.OpenMem(t)
	at := time.Date(2026, 11, 26, 1, 2, 3, 4, time.UTC)
	fields := Fields{{Name: "conversation", Value: []byte(`{"id":"conv_1"}`)}, {Name: "reopened", Value: []byte("true")}}
	b := s.NewBatch()
	ev, err := AppendEvent(s, b, "org_1", EvSMSReceived, at, fields)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Commit(storage.Sync); err != nil {
		t.Fatal(err)
	}
	if string(ev.Data) != `{"conversation":{"id":"conv_1"},"reopened":true}` {
		t.Errorf("Data = %s", ev.Data)
	}
	stored, err := s.Get(KeyEvent("org_1", ev.Seq))
	if err != nil {
		t.Fatal(err)
	}
	want, _ := json.Marshal(ev)
	if string(stored) != string(want) {
		t.Errorf("stored\n%s\nwant\n%s", stored, want)
	}
}
