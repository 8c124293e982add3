package app_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/humd/humd/app/apptest"
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
// other numbers too (SPEC 2.6), as an opt-out through the API does
// (TestServiceOptOutTellsEveryThread).
func TestStopCancelsTheContactsScheduledTextsOnEveryNumber(t *testing.T) {
	s := apptest.Start(t, apptest.Options{})
	s.AddNumber(ourNumber, 1)
	other := s.AddNumber("+15005550007", 1)
	conv := s.JSON("POST", "/api/sms/conversations", adminKey, map[string]any{"twilio_number_id": other.ID, "contact_e164": contact}, 201)["id"].(string)
	at := s.Clock.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	id := s.JSON("POST", "/api/sms/conversations/"+conv+"/messages", adminKey, map[string]any{"body": "reminder", "send_at": at}, 202)["message"].(map[string]any)["scheduled_message_id"].(string)
	inbound(t, s, "SM00000000000000000000000000000603", contact, "STOP") // on ourNumber
	s.WaitFor("the other number's scheduled text cancelled as opted_out", func() error {
		if sc := scheduledText(t, s, id); sc["status"] != "cancelled" || sc["reason"] != "opted_out" {
			return fmt.Errorf("scheduled %v", sc)
		}
		return nil
	})
}

// scheduledText answers one scheduled text of the org, whatever its status.
func scheduledText(t *testing.T, s *apptest.Server, id string) map[string]any {
	t.Helper()
	for _, sc := range s.JSON("GET", "/api/sms/scheduled?status=all", adminKey, nil, 200)["data"].([]any) {
		if sc := sc.(map[string]any); sc["id"] == id {
			return sc
		}
	}
	t.Fatalf("no scheduled text %s", id)
	return nil
}

// TestThreadLifecycle walks one thread through read, a cancelled and a
// closed-over scheduled send, close, reopen, snooze and assignment, checking
// each rule of SPEC 1.9 and 2.8 on the way.
func TestThreadLifecycle(t *testing.T) {
	s := apptest.Start(t, apptest.Options{})
	s.AddNumber(ourNumber, 1)
	inbound(t, s, "SM00000000000000000000000000000611", contact, "hi")
	conv := onlyConversation(t, s)["id"].(string)
	path := "/api/sms/conversations/" + conv
	get := func() map[string]any { return s.JSON("GET", path, adminKey, nil, 200) }
	later := func(d time.Duration) string { return s.Clock.Now().Add(d).UTC().Format(time.RFC3339) }
	scheduleAt := func(d time.Duration) string {
		t.Helper()
		return s.JSON("POST", path+"/messages", adminKey, map[string]any{"body": "later", "send_at": later(d)}, 202)["message"].(map[string]any)["scheduled_message_id"].(string)
	}
	// Read: inbound texts count as unread, outbound ones do not.
	if c := s.JSON("POST", path+"/read", adminKey, nil, 200); c["unread_count"] != 0.0 {
		t.Errorf("after read = %v", c["unread_count"])
	}
	inbound(t, s, "SM00000000000000000000000000000612", contact, "are you there?")
	s.JSON("POST", path+"/messages", adminKey, map[string]any{"body": "yes"}, 201)
	if c := get(); c["unread_count"] != 1.0 {
		t.Errorf("unread after one inbound and one outbound = %v; want 1", c["unread_count"])
	}

	// A pending scheduled send can be cancelled once.
	cancelled := scheduleAt(time.Hour)
	if sc := s.JSON("DELETE", "/api/sms/scheduled/"+cancelled, adminKey, nil, 200); sc["status"] != "cancelled" {
		t.Errorf("cancel = %v", sc)
	}
	errCode(t, s, "DELETE", "/api/sms/scheduled/"+cancelled, nil, 409)

	// Close keeps a manual scheduled send, which then fails when due.
	kept := scheduleAt(time.Hour)
	if c := s.JSON("POST", path+"/close", adminKey, nil, 200); c["status"] != "closed" || c["closed_at"] == nil {
		t.Fatalf("closed = %v", c)
	}
	evs := s.JSON("GET", "/api/events?type=conversation.closed", adminKey, nil, 200)["data"].([]any)
	if len(evs) != 1 || evs[0].(map[string]any)["data"].(map[string]any)["closed_by"].(map[string]any)["type"] != "api" {
		t.Errorf("conversation.closed events = %v; want one, closed by the api", evs)
	}
	if sc := scheduledText(t, s, kept); sc["status"] != "pending" {
		t.Errorf("manual scheduled send after close = %v; want still pending", sc)
	}
	s.WaitFor("the kept send fails on the closed thread", func() error {
		s.Clock.Advance(time.Minute)
		if sc := scheduledText(t, s, kept); sc["status"] != "failed" {
			return fmt.Errorf("scheduled %v", sc)
		}
		return nil
	})

	// Reopen, then snooze: hidden from the open inbox until the snooze ends,
	// when the waker clears it and marks the thread unread.
	if c := s.JSON("POST", path+"/reopen", adminKey, nil, 200); c["status"] != "open" || c["closed_at"] != nil {
		t.Errorf("reopened = %v", c)
	}
	s.JSON("POST", path+"/read", adminKey, nil, 200)
	s.JSON("PATCH", path, adminKey, map[string]any{"snoozed_until": later(30 * time.Minute)}, 200)
	inbox := func(status string) int {
		return len(s.JSON("GET", "/api/sms/conversations?status="+status, adminKey, nil, 200)["data"].([]any))
	}
	if inbox("open") != 0 || inbox("snoozed") != 1 {
		t.Errorf("snoozed thread: %d open, %d snoozed; want 0 and 1", inbox("open"), inbox("snoozed"))
	}
	s.WaitFor("the snooze ends", func() error {
		s.Clock.Advance(time.Minute)
		if c := get(); c["snoozed_until"] != nil || c["unread_count"] != 1.0 {
			return fmt.Errorf("thread %v", c)
		}
		return nil
	})
	if inbox("open") != 1 {
		t.Errorf("after the snooze the open inbox has %d threads; want 1", inbox("open"))
	}

	// Assigning to a member pauses the AI and fires conversation.assigned;
	// a stranger is refused.
	errCode(t, s, "PATCH", path, map[string]any{"assignee_user_id": "user_nobody"}, 422)
	user := s.App.Bootstrap.User.ID
	if c := s.JSON("PATCH", path, adminKey, map[string]any{"assignee_user_id": user}, 200); c["assignee_user_id"] != user || c["ai_paused"] != true {
		t.Errorf("assigned = %v; want assigned and the AI paused", c)
	}
	if evs := s.JSON("GET", "/api/events?type=conversation.assigned", adminKey, nil, 200)["data"].([]any); len(evs) != 1 {
		t.Errorf("conversation.assigned events = %v; want one", evs)
	}
}

// TestAPISendPausesTheAIOnlyWhenAsked: a send through an API key leaves the
// thread's AI active; one with pause_ai:true pauses it (SPEC 2.3 step 8).
func TestAPISendPausesTheAIOnlyWhenAsked(t *testing.T) {
	s := apptest.Start(t, apptest.Options{})
	s.AddNumber(ourNumber, 1)
	inbound(t, s, "SM00000000000000000000000000000621", contact, "hi")
	path := "/api/sms/conversations/" + onlyConversation(t, s)["id"].(string)
	s.JSON("POST", path+"/messages", adminKey, map[string]any{"body": "from our CRM"}, 201)
	if c := s.JSON("GET", path, adminKey, nil, 200); c["ai_paused"] != false {
		t.Errorf("after an API send ai_paused = %v; want false", c["ai_paused"])
	}
	s.JSON("POST", path+"/messages", adminKey, map[string]any{"body": "a person takes it from here", "pause_ai": true}, 201)
	if c := s.JSON("GET", path, adminKey, nil, 200); c["ai_paused"] != true {
		t.Errorf("after a send with pause_ai ai_paused = %v; want true", c["ai_paused"])
	}
}
