package console

import (
	"net/url"
	"slices"

	"github.com/humd/humd/actors/service/integrationsvc"
	"github.com/humd/humd/actors/service/smssvc"
	"github.com/humd/humd/actors/service/voicesvc"
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
	// Call is the sandbox phone's call the page shows (?call=), Record its
	// record as humd keeps it; Live the org's calls still in progress.
	Call   *phoneView
	Record *voicesvc.CallDetail
	Live   []*phoneView
}

// sandbox is the sandbox phone: text one of the org's numbers as a contact
// and watch the flow answer, with its run record and the org's events.
func (a *API) sandbox(c *httpapi.Call, s *session) error {
	return a.showSandboxCall(c, s, c.Query("from"), c.Query("to"), c.Query("call"))
}

func (a *API) showSandbox(c *httpapi.Call, s *session, from, to string) error {
	return a.showSandboxCall(c, s, from, to, "")
}

// showSandboxCall shows the phone, with the sandbox phone's call callID
// when set.
func (a *API) showSandboxCall(c *httpapi.Call, s *session, from, to, callID string) error {
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
	v := &sandboxView{State: st, From: from, To: to, Live: a.phones.live(s.P.OrgID)}
	if callID != "" {
		pc, err := a.phones.get(s.P.OrgID, callID)
		if err != nil {
			return err
		}
		v.Call = pc.view()
		if v.Record, err = a.phoneRecord(c, s, callID); err != nil {
			return err
		}
		if isHTMX(c) {
			// A reload shows the same call.
			c.Ctx.Response.Header.Set("HX-Push-Url", "/sandbox?call="+url.QueryEscape(callID))
		}
	}
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

// sandboxText sends the phone's text in, as the sandbox API does
// (smssvc.InjectText).
func (a *API) sandboxText(c *httpapi.Call, s *session) error {
	from, to := form(c, "from"), form(c, "to")
	if _, err := a.d.Svc.InjectText(c.Ctx, s.P, smssvc.InjectTextInput{From: from, To: to, Body: c.Form("body")}); err != nil {
		return err
	}
	return a.showSandbox(c, s, from, to)
}
