package app_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/calls"
	"github.com/humd/humd/storage/sms"
)

// TestOutboundHonorBusinessHoursFlag: honor_business_hours takes
// true/false/0/1 like every boolean of the API (SPEC 1.0); anything else is
// a 422 naming the field.
func TestOutboundHonorBusinessHoursFlag(t *testing.T) {
	s, _, flowID := voiceServer(t, map[string]any{"business_hours_json": saturdaysOnly})
	body := func(v any) map[string]any {
		return map[string]any{"flow_id": flowID, "to": "+13175550142", "honor_business_hours": v}
	}
	for _, v := range []any{1, true} {
		if code := errCode(t, s, "POST", "/api/outbound/calls", body(v), 409); code != "outside_business_hours" {
			t.Errorf("honor_business_hours %v after hours = %s", v, code)
		}
	}
	if res := s.JSON("POST", "/api/outbound/calls", adminKey, body(0), 202); res["status"] != "queued" {
		t.Errorf("honor_business_hours 0 = %v", res)
	}
	if code := errCode(t, s, "POST", "/api/outbound/calls", body("yes"), 422); code == "" {
		t.Error("honor_business_hours \"yes\" was accepted")
	}
}

// TestOutboundCallerIDErrors: from_number_id must be a voice-capable number
// of the caller's org.
func TestOutboundCallerIDErrors(t *testing.T) {
	s, _, flowID := voiceServer(t, nil)
	other := s.JSON("POST", "/api/admin/orgs", adminKey, map[string]any{"name": "Other"}, 201)["org_id"].(string)
	now := s.Clock.Now()
	theirs := &sms.Number{ID: storage.NewID("num"), OrgID: other, E164: "+13175550177", FriendlyName: "theirs", SMSEnabled: true, MPS: 1,
		Capabilities: sms.Capabilities{Voice: true, SMS: true}, Provider: "sandbox", CreatedAt: now, UpdatedAt: now}
	s.PutNumber(theirs)
	textOnly := s.AddNumber("+13175550178", 1)
	textOnly.Capabilities.Voice = false
	s.PutNumber(textOnly)
	for name, id := range map[string]string{"another org's number": theirs.ID, "a number without voice": textOnly.ID, "no number": "num_nope"} {
		res := s.JSON("POST", "/api/outbound/calls", adminKey, map[string]any{"flow_id": flowID, "to": "+13175550142", "from_number_id": id}, 422)
		if !strings.Contains(fmt.Sprint(res), "from_number_id") {
			t.Errorf("%s: %v; want a 422 naming from_number_id", name, res)
		}
	}
	if n := len(s.App.Sandbox.Calls()); n != 0 {
		t.Errorf("%d calls placed", n)
	}
}

// TestOutboundDialFailed: Twilio refusing the call (here a geo permission
// error from twilio-go's Calls API) ends it as failed with end_reason
// dial_failed and one call.completed.
func TestOutboundDialFailed(t *testing.T) {
	s, tw := startWithTwilio(t)
	flowID := s.JSON("POST", "/api/flows", adminKey, map[string]any{"name": "Reminders", "channel": "voice"}, 201)["id"].(string)
	var numberID string
	for _, n := range s.JSON("GET", "/api/numbers", adminKey, nil, 200)["data"].([]any) {
		if n := n.(map[string]any); n["e164"] == ourNumber {
			numberID = n["id"].(string)
		}
	}
	s.JSON("PATCH", "/api/numbers/"+numberID, adminKey, map[string]any{"flow_id": flowID}, 200)
	tw.FailNextCall(21215, 400, "Account not authorized to call +13175550142")
	id := s.JSON("POST", "/api/outbound/calls", adminKey, map[string]any{"flow_id": flowID, "to": "+13175550142"}, 202)["call_id"].(string)
	s.WaitFor("the call to fail", func() error {
		if c := storedCall(t, s, id); c.EndedAt == nil {
			return fmt.Errorf("status %s", c.Status)
		}
		return nil
	})
	c := storedCall(t, s, id)
	if c.Status != calls.StatusFailed || !strings.HasPrefix(c.EndReason, "dial_failed") || c.CallSID != "" {
		t.Errorf("call = %+v", c)
	}
	s.Settle("one call.completed", func() error { return completedOnce(s) })
	if n := len(tw.Calls()); n != 0 {
		t.Errorf("twilio placed %d calls", n)
	}
}

// TestVoiceRelayClosedWithoutStatus: a socket that closes with no final
// status callback ends the call 60 s (on the clock) later, relay_closed.
func TestVoiceRelayClosedWithoutStatus(t *testing.T) {
	s, fake, _ := voiceServer(t, nil)
	c := dial(t, s, contact, "")
	id := c.TwiML.Parameters["call_id"]
	fake.ReplyText("Hello, how can I help?")
	if err := c.Conn.Prompt("Hi"); err != nil {
		t.Fatal(err)
	}
	reply(t, c)
	fake.ReplyText(`{"summary":"The caller said hi and left.","key_points":[],"next_actions":[],"outcome_label":"no_resolution"}`)
	closedAt := s.Clock.Now()
	_ = c.Conn.Close()
	s.WaitFor("the call to close", func() error {
		s.Clock.Advance(5 * time.Second)
		if cl := storedCall(t, s, id); cl.EndedAt == nil {
			return fmt.Errorf("status %s", cl.Status)
		}
		return nil
	})
	cl := storedCall(t, s, id)
	if cl.Status != calls.StatusCompleted || cl.EndReason != "relay_closed" || cl.EndedAt.Sub(closedAt) < 60*time.Second {
		t.Errorf("call = %s %s, ended %v after the socket closed; want relay_closed after 60s", cl.Status, cl.EndReason, cl.EndedAt.Sub(closedAt))
	}
	s.Settle("one call.completed", func() error { return completedOnce(s) })
}
