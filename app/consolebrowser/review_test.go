package consolebrowser_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/humd/humd/app"
	"github.com/humd/humd/app/apptest"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/calls"
)

// putCall writes a finished call as the call actor stores one (it is the
// only writer of calls), with a transcript.
func putCall(t *testing.T, s *apptest.Server, c *calls.Call, said ...string) *calls.Call {
	t.Helper()
	c.ID, c.OrgID = storage.NewID("call"), s.OrgID()
	c.CreatedAt, c.UpdatedAt = c.StartedAt, c.StartedAt
	if c.Direction == "" {
		c.Direction = calls.Inbound
	}
	b := s.App.Store.NewBatch()
	calls.Put(b, nil, c)
	for i, text := range said {
		calls.PutTurn(b, c.OrgID, c.ID, &calls.Turn{Seq: uint64(i + 1), Role: "caller", Text: text, At: c.StartedAt.Add(time.Duration(i) * time.Second)})
	}
	if err := b.Commit(storage.Sync); err != nil {
		t.Fatal(err)
	}
	return c
}

// putVoicemail writes the voicemail left on c, not heard yet.
func putVoicemail(t *testing.T, s *apptest.Server, c *calls.Call, transcript string) string {
	t.Helper()
	v := &calls.Voicemail{ID: storage.NewID("vm"), OrgID: c.OrgID, CallID: c.ID, From: c.From, Transcript: transcript,
		DurationS: 9, CreatedAt: c.StartedAt.Add(time.Minute)}
	b := s.App.Store.NewBatch()
	calls.PutVoicemail(b, v)
	if err := b.Commit(storage.Sync); err != nil {
		t.Fatal(err)
	}
	return v.ID
}

// A voicemail marked heard leaves the unheard list for the heard one.
func TestBrowserVoicemailMarkHeard(t *testing.T) {
	s := serve(t, app.Config{})
	const caller = "+13175550177"
	c := putCall(t, s, &calls.Call{From: caller, To: app.SandboxNumber, Status: calls.StatusVoicemail, StartedAt: s.Clock.Now().Add(-time.Hour)})
	vm := putVoicemail(t, s, c, "Please call me back about my order")

	u := newUser(t, s)
	u.open("/voicemails")
	u.signIn(adminEmail, adminPassword)
	u.waitText(`//table[@aria-label="Voicemails"]//tr`, "Please call me back about my order")
	u.screenshot("voicemails")
	u.click(button, "Mark heard")
	u.waitText(`//table[@aria-label="Voicemails"]`, "No voicemails here.")
	u.lacks(`//table[@aria-label="Voicemails"]//tr`, caller)
	heard := s.JSON("GET", "/api/voicemails?heard=true", adminKey, nil, 200)["data"].([]any)
	if len(heard) != 1 || heard[0].(map[string]any)["id"] != vm {
		t.Fatalf("heard voicemails = %v; want %s", heard, vm)
	}
	u.click(link, "Heard")
	u.waitText(`//table[@aria-label="Voicemails"]//tr`, "Please call me back about my order")
	u.waitText(`//table[@aria-label="Voicemails"]//tr[contains(., "`+caller+`")]/td[last()]`, "Heard")
}

// Each of the calls page's filters other than direction narrows the list:
// status, the dates, and the text search.
func TestBrowserCallFilters(t *testing.T) {
	s := serve(t, app.Config{})
	now := s.Clock.Now() // Nov 25 15:00 UTC
	const refund, missed, voicemail = "+13175550181", "+12125550182", "+13175550183"
	putCall(t, s, &calls.Call{From: refund, To: app.SandboxNumber, Status: calls.StatusCompleted, StartedAt: now.Add(-time.Hour), DurationS: 60,
		Summary: &calls.Summary{Text: "Asked for a refund of an order"}},
		"I want a refund for my order")
	putCall(t, s, &calls.Call{From: app.SandboxNumber, To: missed, Direction: calls.Outbound, Status: calls.StatusNoAnswer, StartedAt: now.Add(-26 * time.Hour)})
	putCall(t, s, &calls.Call{From: voicemail, To: app.SandboxNumber, Status: calls.StatusVoicemail, StartedAt: now.Add(-72 * time.Hour), DurationS: 30})
	table := `//table[@aria-label="Calls"]`

	u := newUser(t, s)
	u.open("/calls")
	u.signIn(adminEmail, adminPassword)
	for _, n := range []string{refund, missed, voicemail} {
		u.waitText(table, n)
	}
	// shows waits for the filtered page, then checks which calls it lists.
	shows := func(query, want string) {
		t.Helper()
		s.WaitFor("the filtered page", func() error {
			if got := pathOf(s, u.location()); !strings.Contains(got, query) {
				return fmt.Errorf("at %s; want %s in it", got, query)
			}
			return nil
		})
		u.waitText(table, want)
		for _, n := range []string{refund, missed, voicemail} {
			if n != want {
				u.lacks(table+"//tr", n)
			}
		}
	}

	u.typeInto("Status", "voicemail")
	u.click(button, "Filter")
	shows("status=voicemail", voicemail)

	u.typeInto("Status", "")
	u.setField("From date", "2026-11-24")
	u.setField("To date", "2026-11-24")
	u.click(button, "Filter")
	shows("from=2026-11-24&to=2026-11-24", missed)

	u.setField("From date", "")
	u.setField("To date", "")
	u.setField("Search", "refund")
	u.click(button, "Filter")
	shows("q=refund", refund)
}
