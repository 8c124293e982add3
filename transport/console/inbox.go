package console

import (
	"fmt"
	"slices"
	"time"

	"github.com/humd/humd/actors/service/flowsvc"
	"github.com/humd/humd/actors/service/smssvc"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/sms"
	"github.com/humd/humd/storage/tenancy"
	"github.com/humd/humd/transport/httpapi"
)

// inboxFilters are the inbox's tabs, in order.
var inboxFilters = []struct{ Key, Label string }{
	{"open", "Open"}, {"snoozed", "Snoozed"}, {"closed", "Closed"}, {"mine", "Mine"},
	{"unassigned", "Unassigned"}, {"ai_paused", "AI paused"}, {"all", "All"},
}

type inboxView struct {
	Filter  string
	Q       string
	Filters []struct{ Key, Label string }
	Threads []*smssvc.ConversationView
	Members map[string]string // user id -> name or email
	Flows   map[string]string // flow id -> name
	Next    string
}

// inboxQuery turns a tab into the service's filters.
func inboxQuery(filter, q, userID string) (smssvc.ListConversationsQuery, error) {
	in := smssvc.ListConversationsQuery{Q: q, Page: storage.PageRequest{Limit: 50}}
	switch filter {
	case "", "open":
		in.Status = "open"
	case "snoozed", "closed":
		in.Status = filter
	case "mine":
		in.Assignee = userID
	case "unassigned":
		in.Status, in.Unassigned = "open", true
	case "ai_paused":
		in.AIPaused = "true"
	case "all":
	default:
		return in, errField("filter", "must be open, snoozed, closed, mine, unassigned, ai_paused or all")
	}
	return in, nil
}

// inbox lists threads: unread count, last text, assignee and flow. The list
// refetches itself on the page's live stream (sse:sms), so a new text shows
// without a reload.
func (a *API) inbox(c *httpapi.Call, s *session) error {
	filter, q := c.Query("filter"), c.Query("q")
	if filter == "" {
		filter = "open"
	}
	in, err := inboxQuery(filter, q, s.P.UserID)
	if err != nil {
		return err
	}
	in.Page.Cursor, in.Page.Skips = c.Query("cursor"), c.Skips()
	threads, next, err := a.d.Svc.ListConversations(c.Ctx, s.P, in)
	if err != nil {
		return err
	}
	v := &inboxView{Filter: filter, Q: q, Filters: inboxFilters, Threads: threads, Next: next, Members: a.members(c, s),
		Flows: a.flowNames(c, s)}
	return a.render(c, 200, s, "inbox", "Inbox", "inbox", v)
}

// flowNames names the org's flows for the flow columns.
func (a *API) flowNames(c *httpapi.Call, s *session) map[string]string {
	out := map[string]string{}
	list, _, err := a.d.Svc.ListFlows(c.Ctx, s.P, flowsvc.ListFlowsQuery{Page: storage.PageRequest{Limit: 200}})
	if err != nil {
		return out
	}
	for _, f := range list {
		out[f.ID] = f.Name
	}
	return out
}

// members names the org's people for assignee columns and pickers.
func (a *API) members(c *httpapi.Call, s *session) map[string]string {
	out := map[string]string{}
	team, err := a.d.Svc.ListTeam(c.Ctx, s.P)
	if err != nil {
		return out
	}
	for _, m := range team.Members {
		out[m.UserID] = m.Email
		if m.Name != "" {
			out[m.UserID] = m.Name
		}
	}
	return out
}

type threadView struct {
	Thread   *smssvc.ConversationView
	Messages []*sms.Message // oldest first
	Runs     []*sms.Run
	Members  map[string]string
	Flows    map[string]string
	Me       string
	Snoozed  bool
	Notice   string // what the last send did, in words
}

// thread shows a thread; opening it marks it read (operators), as the
// REST markConversationRead does.
func (a *API) thread(c *httpapi.Call, s *session) error {
	return a.showThread(c, s, c.Param("id"), "")
}

func (a *API) showThread(c *httpapi.Call, s *session, id, notice string) error {
	conv, err := a.d.Svc.GetConversation(c.Ctx, s.P, id)
	if err != nil {
		return err
	}
	if conv.UnreadCount > 0 && s.can(tenancy.Operator) && c.Ctx.IsGet() {
		if read, err := a.d.Svc.MarkConversationRead(c.Ctx, s.P, id); err == nil {
			conv = read
		}
	}
	msgs, _, err := a.d.Svc.ListMessages(c.Ctx, s.P, id, storage.PageRequest{Limit: 100, Skips: c.Skips()})
	if err != nil {
		return err
	}
	slices.Reverse(msgs)
	runs, _, err := a.d.Svc.ListConversationRuns(c.Ctx, s.P, id, storage.PageRequest{Limit: 20, Skips: c.Skips()})
	if err != nil {
		return err
	}
	v := &threadView{Thread: conv, Messages: msgs, Runs: runs, Members: a.members(c, s), Flows: a.flowNames(c, s), Me: s.P.UserID, Notice: notice,
		Snoozed: conv.SnoozedUntil != nil && conv.SnoozedUntil.After(a.now())}
	title := conv.ContactE164
	if conv.Contact != nil && conv.Contact.Name != "" {
		title = conv.Contact.Name + " · " + conv.ContactE164
	}
	return a.render(c, 200, s, "thread", title, "inbox", v)
}

// send sends the composer's text now, or schedules it; the answer says
// plainly what happened (held for quiet hours, scheduled, refused).
func (a *API) send(c *httpapi.Call, s *session) error {
	id := c.Param("id")
	in := smssvc.SendInput{Body: c.Form("body")}
	if at := form(c, "send_at"); at != "" && form(c, "action") == "schedule" {
		t, err := time.ParseInLocation("2006-01-02T15:04", at, time.UTC)
		if err != nil {
			return errField("send_at", "must be a date and time (UTC)")
		}
		in.SendAt = &t
	} else if form(c, "action") == "schedule" {
		return errField("send_at", "pick when to send it")
	}
	if form(c, "ignore_quiet_hours") == "on" {
		f := false
		in.HonorQuietHours = &f
	}
	var gate smssvc.SendGate
	if a.d.SMS != nil {
		gate = a.d.SMS.SendGate(c)
	}
	res, err := a.d.Svc.SendMessage(c.Ctx, s.P, id, in, gate)
	if err != nil {
		return err
	}
	return a.showThread(c, s, id, sendNotice(res))
}

// sendNotice says what a send did.
func sendNotice(r *smssvc.SendResult) string {
	m := r.Message
	switch r.Outcome {
	case sms.MsgScheduled:
		when := ""
		if m.ScheduledFor != nil {
			when = m.ScheduledFor.UTC().Format("Mon Jan 2 15:04 UTC")
		}
		if m.Message != nil && m.Source == "quiet_hours" {
			return "It is quiet hours for this contact, so the text was not sent now: it will go out at " + when + "."
		}
		return "Scheduled for " + when + "."
	case sms.MsgOptedOut:
		return "Not sent: this contact has opted out of texts."
	case sms.MsgBlocked:
		return "Not sent: this number is on the blocklist."
	case sms.MsgHeld:
		return "Held: the text waits for review before it goes out."
	}
	return "Sent."
}

// updateThread runs one of the thread's actions (a button's action value).
func (a *API) updateThread(c *httpapi.Call, s *session) error {
	id := c.Param("id")
	var err error
	in, patch := smssvc.UpdateConversationInput{}, true
	t, f := true, false
	switch act := form(c, "action"); act {
	case "assign":
		if u := form(c, "assignee_user_id"); u != "" {
			in.Assignee = storage.Some(u)
		} else {
			in.Assignee = storage.Opt[string]{Set: true, Null: true}
		}
	case "assign_me":
		in.Assignee = storage.Some(s.P.UserID)
	case "unassign":
		in.Assignee = storage.Opt[string]{Set: true, Null: true}
	case "close":
		_, err = a.d.Svc.CloseConversation(c.Ctx, s.P, id)
		patch = false
	case "reopen":
		_, err = a.d.Svc.ReopenConversation(c.Ctx, s.P, id)
		patch = false
	case "snooze":
		d, perr := time.ParseDuration(form(c, "snooze_for"))
		if perr != nil || d <= 0 {
			return errField("snooze_for", "pick how long to snooze")
		}
		in.SnoozedUntil = storage.Some(a.now().Add(d))
	case "unsnooze":
		in.SnoozedUntil = storage.Opt[time.Time]{Set: true, Null: true}
	case "pause_ai":
		in.AIPaused = &t
	case "resume_ai":
		in.AIPaused = &f
	default:
		return errField("action", fmt.Sprintf("unknown action %q", act))
	}
	if err != nil {
		return err
	}
	if patch {
		if _, err := a.d.Svc.UpdateConversation(c.Ctx, s.P, id, in); err != nil {
			return err
		}
	}
	return a.showThread(c, s, id, "")
}

func (a *API) now() time.Time { return a.d.Svc.Deps().Clock.Now() }
