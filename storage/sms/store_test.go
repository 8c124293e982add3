package sms

import (
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
