package sandbox

import (
	"context"
	"errors"
	"testing"

	"github.com/humd/humd/actors/call"
	"github.com/humd/humd/actors/sender"
	"github.com/humd/humd/storage"
)

// One sandbox serves every org: each sees and answers only its own.
func TestLogIsPerOrg(t *testing.T) {
	c := New(Config{})
	ctx := context.Background()
	var sids []string
	for i, org := range []string{"org_a", "org_b", "org_a"} {
		sid, err := c.PlaceCall(ctx, &call.Dial{OrgID: org, CallID: "call_" + string(rune('1'+i)), From: DefaultNumber, To: "+13175550142"})
		if err != nil {
			t.Fatal(err)
		}
		sids = append(sids, sid)
		if _, err := c.Send(ctx, &sender.Outbound{OrgID: org, MessageID: "msg_" + string(rune('1'+i)), From: DefaultNumber, To: "+13175550142"}); err != nil {
			t.Fatal(err)
		}
	}
	if got := c.CallsOf("org_a", 10); len(got) != 2 || got[0].CallID != "call_1" || got[1].CallID != "call_3" {
		t.Errorf("CallsOf(org_a) = %+v; want call_1 and call_3", got)
	}
	if got := c.CallsOf("org_a", 1); len(got) != 1 || got[0].CallID != "call_3" {
		t.Errorf("CallsOf(org_a, 1) = %+v; want the newest, call_3", got)
	}
	if got := c.SentBy("org_b", 10); len(got) != 1 || got[0].MessageID != "msg_2" {
		t.Errorf("SentBy(org_b) = %+v; want msg_2", got)
	}
	if got := c.SentBy("org_c", 10); got == nil || len(got) != 0 {
		t.Errorf("SentBy(org_c) = %#v; want empty, not nil", got)
	}
	for _, id := range []string{"call_2", sids[1]} {
		if pc, err := c.CallOf("org_b", id); err != nil || pc.SID != sids[1] {
			t.Errorf("CallOf(org_b, %s) = %+v, %v", id, pc, err)
		}
		if _, err := c.CallOf("org_a", id); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("CallOf(org_a, org_b's %s) = %v; want not found", id, err)
		}
	}
}
