package console

import (
	"slices"

	"github.com/humd/humd/actors/service/integrationsvc"
	"github.com/humd/humd/actors/service/smssvc"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/events"
	"github.com/humd/humd/storage/sms"
	"github.com/humd/humd/transport/api/sandboxapi"
	"github.com/humd/humd/transport/httpapi"
)

// defaultSandboxPhone is the phone the sandbox phone texts from until the
// user types another (a 555 number: never a real subscriber).
const defaultSandboxPhone = "+15555550100"

type sandboxView struct {
	State    *sandboxapi.State
	From, To string
	Thread   *smssvc.ConversationView
	Messages []*sms.Message
	Runs     []*sms.Run
	Events   []*events.Event
}

// sandbox is the sandbox phone: text one of the org's numbers as a contact
// and watch the flow answer, with its run record and the org's events.
func (a *API) sandbox(c *httpapi.Call, s *session) error {
	return a.showSandbox(c, s, c.Query("from"), c.Query("to"))
}

func (a *API) showSandbox(c *httpapi.Call, s *session, from, to string) error {
	st, err := a.d.Sandbox.State(s.P)
	if err != nil {
		return err
	}
	if from == "" {
		from = defaultSandboxPhone
	}
	if to == "" && len(st.Numbers) > 0 {
		to = st.Numbers[0]
	}
	v := &sandboxView{State: st, From: from, To: to}
	// The thread of this phone and number, as the inbox has it.
	threads, _, err := a.d.Svc.ListConversations(c.Ctx, s.P, smssvc.ListConversationsQuery{Q: from, Page: storage.PageRequest{Limit: 20}})
	if err != nil {
		return err
	}
	for _, t := range threads {
		if t.ContactE164 == from && t.NumberE164 == to {
			v.Thread = t
			break
		}
	}
	if v.Thread != nil {
		if v.Messages, _, err = a.d.Svc.ListMessages(c.Ctx, s.P, v.Thread.ID, storage.PageRequest{Limit: 50}); err != nil {
			return err
		}
		slices.Reverse(v.Messages)
		if v.Runs, _, err = a.d.Svc.ListConversationRuns(c.Ctx, s.P, v.Thread.ID, storage.PageRequest{Limit: 3}); err != nil {
			return err
		}
	}
	if v.Events, _, err = a.d.Svc.ListEvents(c.Ctx, s.P, integrationsvc.ListEventsQuery{Page: storage.PageRequest{Limit: 15, Reverse: true}}); err != nil {
		return err
	}
	return a.render(c, 200, s, "sandbox", "Sandbox phone", "sandbox", v)
}

// sandboxText sends the phone's text in, as the sandbox API does.
func (a *API) sandboxText(c *httpapi.Call, s *session) error {
	from, to := form(c, "from"), form(c, "to")
	if _, err := a.d.Sandbox.Inject(s.P, from, to, c.Form("body")); err != nil {
		return err
	}
	return a.showSandbox(c, s, from, to)
}
