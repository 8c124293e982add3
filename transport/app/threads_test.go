package app_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/humd/humd/transport/app/apptest"
)

// TestClosedThreadRefusesScheduledSends: a send with a future send_at on a
// closed thread is refused at once with 409 conversation_closed (SPEC 1.9),
// not accepted and failed when it comes due; nothing is scheduled.
func TestClosedThreadRefusesScheduledSends(t *testing.T) {
	s := apptest.Start(t, apptest.Options{})
	s.AddNumber(ourNumber, 1)
	inbound(t, s, "SM00000000000000000000000000000601", contact, "hi")
	conv := onlyConversation(t, s)["id"].(string)
	s.JSON("POST", "/api/sms/conversations/"+conv+"/close", adminKey, nil, 200)
	at := s.Clock.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	if code := errCode(t, s, "POST", "/api/sms/conversations/"+conv+"/messages", map[string]any{"body": "later", "send_at": at}, 409); code != "conversation_closed" {
		t.Errorf("scheduled send on a closed thread = %s; want conversation_closed", code)
	}
	if got := s.JSON("GET", "/api/sms/scheduled?status=all", adminKey, nil, 200)["data"].([]any); len(got) != 0 {
		t.Errorf("scheduled = %v; want none", got)
	}
}

// TestOpeningAClosedThreadClearsItsSnooze: POST /api/sms/conversations on
// a closed pair reopens the thread (200) and, like /reopen, clears its
// snooze (SPEC 2.8).
func TestOpeningAClosedThreadClearsItsSnooze(t *testing.T) {
	s := apptest.Start(t, apptest.Options{})
	n := s.AddNumber(ourNumber, 1)
	inbound(t, s, "SM00000000000000000000000000000602", contact, "hi")
	conv := onlyConversation(t, s)["id"].(string)
	until := s.Clock.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	if c := s.JSON("PATCH", "/api/sms/conversations/"+conv, adminKey, map[string]any{"snoozed_until": until}, 200); c["snoozed_until"] == nil {
		t.Fatalf("snoozed = %v", c)
	}
	s.JSON("POST", "/api/sms/conversations/"+conv+"/close", adminKey, nil, 200)
	c := s.JSON("POST", "/api/sms/conversations", adminKey, map[string]any{"twilio_number_id": n.ID, "contact_e164": contact}, 200)
	if c["id"] != conv || c["status"] != "open" || c["closed_at"] != nil || c["snoozed_until"] != nil {
		t.Errorf("opened = %v; want the same thread open with no snooze", c)
	}
}

// TestStopCancelsTheContactsScheduledTextsOnEveryNumber: a STOP on one of
// the org's numbers cancels the contact's pending scheduled texts on its
// other numbers too (SPEC 2.6). (An opt-out through the API leaves them to
// meet the opt-out when they come due: testdata/sms/scheduled.txt.)
func TestStopCancelsTheContactsScheduledTextsOnEveryNumber(t *testing.T) {
	s := apptest.Start(t, apptest.Options{})
	s.AddNumber(ourNumber, 1)
	other := s.AddNumber("+15005550007", 1)
	schedule := func(e164 string) string {
		t.Helper()
		conv := s.JSON("POST", "/api/sms/conversations", adminKey, map[string]any{"twilio_number_id": other.ID, "contact_e164": e164}, 201)["id"].(string)
		at := s.Clock.Now().Add(time.Hour).UTC().Format(time.RFC3339)
		res := s.JSON("POST", "/api/sms/conversations/"+conv+"/messages", adminKey, map[string]any{"body": "reminder", "send_at": at}, 202)
		return res["message"].(map[string]any)["scheduled_message_id"].(string)
	}
	cancelled := func(id string) {
		t.Helper()
		s.WaitFor("scheduled text "+id+" cancelled as opted_out", func() error {
			for _, sc := range s.JSON("GET", "/api/sms/scheduled?status=all", adminKey, nil, 200)["data"].([]any) {
				if sc := sc.(map[string]any); sc["id"] == id {
					if sc["status"] != "cancelled" || sc["reason"] != "opted_out" {
						return fmt.Errorf("scheduled %v", sc)
					}
					return nil
				}
			}
			return fmt.Errorf("no scheduled text %s", id)
		})
	}
	byStop := schedule(contact)
	inbound(t, s, "SM00000000000000000000000000000603", contact, "STOP") // on ourNumber
	cancelled(byStop)
}
