package conversation_test

import (
	"testing"
	"time"

	"github.com/humd/humd/actors/clock"
	"github.com/humd/humd/actors/conversation"
	"github.com/humd/humd/actors/system"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/events"
	"github.com/humd/humd/storage/sms"
	"github.com/humd/humd/storage/storagetest"
)

// TestRecordOptOutFromACall hands a thread an opt-out made on a call: the
// thread records it for its own contact (whatever the message names), with
// the call's data on sms.opt_out, once.
func TestRecordOptOutFromACall(t *testing.T) {
	st := storagetest.OpenMem(t)
	clk := clock.NewFake(time.Date(2026, 11, 25, 15, 0, 0, 0, time.UTC))
	org, n, dir := threads(t, st, clk, conversation.Deps{})
	const contact = "+13175550150"
	record := func() *conversation.OptOutRecorded {
		t.Helper()
		msg := &conversation.RecordOptOut{
			OptOut: &sms.OptOut{OrgID: "org_elsewhere", E164: "+19995550000", Source: sms.OptOutSourceCall, NumberID: n.ID,
				Reason: "asked not to be called", CreatedAt: clk.Now()},
			Extra: map[string]any{"call_id": "call_1"}}
		r, err := system.Await[*conversation.OptOutRecorded](dir.Request(org, n.ID, contact, msg, 5*time.Second), msg)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	if r := record(); !r.Created || r.OptOut.OrgID != org || r.OptOut.E164 != contact || r.OptOut.Source != sms.OptOutSourceCall {
		t.Errorf("first RecordOptOut = %+v; want created for the thread's org and contact", r)
	}
	if out, err := sms.IsOptedOut(st, org, contact); err != nil || !out {
		t.Errorf("IsOptedOut = %v, %v; want true", out, err)
	}
	if out, _ := sms.IsOptedOut(st, "org_elsewhere", "+19995550000"); out {
		t.Error("the message's own org and number were opted out")
	}
	if r := record(); r.Created {
		t.Errorf("second RecordOptOut = %+v; want the one in force, not created", r)
	}
	evs, _, err := events.List(st, org, events.OptOut, storage.PageRequest{})
	if err != nil || len(evs) != 1 {
		t.Fatalf("sms.opt_out events = %v, %v; want one", evs, err)
	}
	var data map[string]any
	if err := storage.DecodeJSON(evs[0].Data, &data); err != nil || data["call_id"] != "call_1" || data["source"] != sms.OptOutSourceCall {
		t.Errorf("sms.opt_out data = %v, %v; want the call's id and source call", data, err)
	}
}
