package app_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/humd/humd/app/apptest"
)

// thursdayOnly opens Thursdays 08:00-17:00 New York time; the test clock
// starts on Wednesday 2026-11-25 15:00 UTC, so it is closed until Thursday
// 13:00 UTC.
var thursdayOnly = map[string]any{"timezone": "America/New_York", "weekly": map[string]any{"thu": [][]string{{"08:00", "17:00"}}}}

func sentBodies(s *apptest.Server) []string {
	var out []string
	for _, r := range s.App.Sandbox.Sent() {
		out = append(out, r.Body)
	}
	return out
}

func TestQuietHoursDeferSendToNextOpenMinute(t *testing.T) {
	s := apptest.Start(t, apptest.Options{})
	s.AddNumber(ourNumber, 1)
	s.JSON("PATCH", "/api/org", adminKey, map[string]any{"business_hours_json": thursdayOnly}, 200)
	inbound(t, s, "SM00000000000000000000000000000040", contact, "hi")
	id := onlyConversation(t, s)["id"].(string)

	res := s.JSON("POST", "/api/sms/conversations/"+id+"/messages", adminKey, map[string]any{"body": "after hours"}, 202)
	msg := res["message"].(map[string]any)
	if msg["status"] != "scheduled" || msg["source"] != "quiet_hours" || msg["scheduled_for"] != "2026-11-26T13:00:00Z" {
		t.Fatalf("send outside business hours = %v; want scheduled quiet_hours for 2026-11-26T13:00:00Z", msg)
	}
	// honor_quiet_hours:false sends at once.
	s.JSON("POST", "/api/sms/conversations/"+id+"/messages", adminKey, map[string]any{"body": "urgent", "honor_quiet_hours": false}, 201)
	s.WaitFor("urgent text sent", func() error {
		if b := sentBodies(s); len(b) != 1 || b[0] != "urgent" {
			return fmt.Errorf("sent %v", b)
		}
		return nil
	})
	s.Clock.Advance(21*time.Hour + 59*time.Minute) // 12:59 UTC Thursday: still closed
	s.Holds("nothing more sent before opening", func() error {
		if b := sentBodies(s); len(b) != 1 {
			return fmt.Errorf("sent %v", b)
		}
		return nil
	})
	pending := s.JSON("GET", "/api/sms/scheduled", adminKey, nil, 200)["data"].([]any)
	if len(pending) != 1 {
		t.Fatalf("pending scheduled = %v; want 1", pending)
	}
	s.WaitFor("deferred text drained at the open minute", func() error {
		s.Clock.Advance(time.Minute)
		if b := sentBodies(s); len(b) != 2 || b[1] != "after hours" {
			return fmt.Errorf("sent %v", b)
		}
		return nil
	})
	if at := s.App.Sandbox.Sent()[1].At; at.Before(time.Date(2026, 11, 26, 13, 0, 0, 0, time.UTC)) {
		t.Errorf("deferred text went out at %s, before the 13:00 UTC opening", at)
	}
}

func TestScheduledSendSurvivesRestartAndOptOutWins(t *testing.T) {
	dir := t.TempDir()
	s := apptest.Start(t, apptest.Options{Dir: dir})
	s.AddNumber(ourNumber, 1)
	inbound(t, s, "SM00000000000000000000000000000050", contact, "hi")
	inbound(t, s, "SM00000000000000000000000000000051", "+13175550101", "hi too")
	convs := s.JSON("GET", "/api/sms/conversations", adminKey, nil, 200)["data"].([]any)
	ids := map[string]string{}
	for _, c := range convs {
		c := c.(map[string]any)
		ids[c["contact_e164"].(string)] = c["id"].(string)
	}
	at := s.Clock.Now().Add(time.Hour).Format(time.RFC3339)
	s.JSON("POST", "/api/sms/conversations/"+ids[contact]+"/messages", adminKey, map[string]any{"body": "reminder A", "send_at": at}, 202)
	s.JSON("POST", "/api/sms/conversations/"+ids["+13175550101"]+"/messages", adminKey, map[string]any{"body": "reminder B", "send_at": at}, 202)
	// Contact B opts out through another path before the time comes.
	inbound(t, s, "SM00000000000000000000000000000052", "+13175550101", "STOP")
	s.Stop()

	s2 := apptest.Start(t, apptest.Options{Dir: dir})
	s2.WaitFor("reminder A sent after restart", func() error {
		s2.Clock.Advance(time.Minute)
		for _, b := range sentBodies(s2) {
			if b == "reminder A" {
				return nil
			}
		}
		return fmt.Errorf("sent %v", sentBodies(s2))
	})
	s2.Holds("no reminder B to a contact who opted out", func() error {
		s2.Clock.Advance(time.Minute)
		if slices.Contains(sentBodies(s2), "reminder B") {
			return fmt.Errorf("sent %v", sentBodies(s2))
		}
		return nil
	})
	s2.WaitFor("A sent, B cancelled (by STOP)", func() error {
		all := s2.JSON("GET", "/api/sms/scheduled?status=all", adminKey, nil, 200)["data"].([]any)
		states := map[string]string{}
		for _, r := range all {
			r := r.(map[string]any)
			states[r["body"].(string)] = r["status"].(string)
		}
		if states["reminder A"] != "sent" || states["reminder B"] != "cancelled" {
			return fmt.Errorf("scheduled states = %v", states)
		}
		return nil
	})
}
