package console

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/humd/humd/actors/service/smssvc"
	"github.com/humd/humd/storage/sms"
)

// The composer says plainly what a send did; a text quiet hours hold says
// so, and until when.
func TestSendNotice(t *testing.T) {
	at := time.Date(2026, 11, 26, 13, 0, 0, 0, time.UTC)
	quiet := &smssvc.SendResult{Outcome: sms.MsgScheduled, Message: smssvc.SentMessage{
		Message: &sms.Message{Source: "quiet_hours"}, ScheduledFor: &at}}
	if got := sendNotice(quiet); !strings.Contains(got, "quiet hours") || !strings.Contains(got, "Thu Nov 26 13:00 UTC") {
		t.Errorf("quiet hours notice = %q", got)
	}
	manual := &smssvc.SendResult{Outcome: sms.MsgScheduled, Message: smssvc.SentMessage{
		Message: &sms.Message{Source: "manual"}, ScheduledFor: &at}}
	if got := sendNotice(manual); got != "Scheduled for Thu Nov 26 13:00 UTC." {
		t.Errorf("scheduled notice = %q", got)
	}
	for outcome, want := range map[string]string{sms.MsgOptedOut: "opted out", sms.MsgBlocked: "blocklist", sms.MsgHeld: "review", sms.MsgQueued: "Sent."} {
		if got := sendNotice(&smssvc.SendResult{Outcome: outcome}); !strings.Contains(got, want) {
			t.Errorf("%s notice = %q; want %q in it", outcome, got, want)
		}
	}
}

// Each inbox tab is the service's filter of the same name.
func TestInboxQuery(t *testing.T) {
	for filter, want := range map[string]smssvc.ListConversationsQuery{
		"":           {Status: "open"},
		"open":       {Status: "open"},
		"snoozed":    {Status: "snoozed"},
		"closed":     {Status: "closed"},
		"mine":       {Assignee: "user_1"},
		"unassigned": {Status: "open", Unassigned: true},
		"ai_paused":  {AIPaused: "true"},
		"all":        {},
	} {
		got, err := inboxQuery(filter, "", "user_1")
		if err != nil {
			t.Fatalf("%q: %v", filter, err)
		}
		got.Page = want.Page
		if got != want {
			t.Errorf("%q = %+v; want %+v", filter, got, want)
		}
	}
	if _, err := inboxQuery("everything", "", "u"); err == nil {
		t.Error("an unknown tab was accepted")
	}
}

// The live stream names what changed; every event is a change.
func TestTopics(t *testing.T) {
	for typ, want := range map[string][]string{
		"sms.received": {"change", "sms"}, "conversation.closed": {"change", "sms"}, "call.completed": {"change", "call"},
		"voicemail.created": {"change", "call"}, "approval.requested": {"change", "approval"}, "mcp.tool_executed": {"change", "approval"},
		"campaign.completed": {"change", "campaign"},
	} {
		if got := topics(typ); !slices.Equal(got, want) {
			t.Errorf("topics(%s) = %v; want %v", typ, got, want)
		}
	}
}

// Every page template renders its layout (parsed at init: a broken
// template panics before any test).
func TestPagesParsed(t *testing.T) {
	for _, name := range []string{"dashboard", "inbox", "thread", "calls", "call", "voicemails", "approvals", "sandbox", "error"} {
		if pages[name] == nil || pages[name].Lookup("layout") == nil || pages[name].Lookup("content") == nil {
			t.Errorf("page %s is missing or has no layout/content", name)
		}
	}
}
