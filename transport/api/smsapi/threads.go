package smsapi

import (
	"context"
	"fmt"

	"github.com/humd/humd/actors/service/smssvc"
	"github.com/humd/humd/storage/sms"
	"github.com/humd/humd/transport/httpapi"
	"github.com/humd/humd/transport/wire"
)

func (a *API) threadRoutes() []*httpapi.Route {
	conv := httpapi.Answer[smssvc.ConversationView](200)
	return []*httpapi.Route{
		{Method: "GET", Path: "/api/sms/conversations", OpID: "listConversations", Summary: "Threads, newest activity first", Tag: "SMS", Auth: httpapi.ViewerUp,
			Responses: httpapi.Answer[httpapi.Page[*smssvc.ConversationView]](200), Handle: a.listConversations},
		{Method: "POST", Path: "/api/sms/conversations", OpID: "createConversation", Summary: "Open (upsert) a thread, optionally sending a first text", Tag: "SMS", Auth: httpapi.OperatorUp,
			Idempotent: true, Fails: []int{402}, Request: httpapi.Type[smssvc.CreateConversationInput](), Responses: httpapi.Answer[smssvc.OpenedConversationView](200, 201),
			Handle: a.createConversation},
		{Method: "GET", Path: "/api/sms/conversations/{id}", OpID: "getConversation", Summary: "One thread", Tag: "SMS", Auth: httpapi.ViewerUp,
			Responses: conv, Handle: a.getConversation},
		{Method: "PATCH", Path: "/api/sms/conversations/{id}", OpID: "updateConversation", Summary: "Assign, pause the AI, snooze, close or reopen", Tag: "SMS", Auth: httpapi.OperatorUp,
			Request: httpapi.Type[smssvc.UpdateConversationInput](), Responses: conv, Handle: a.patchConversation},
		{Method: "GET", Path: "/api/sms/conversations/{id}/messages", OpID: "listMessages", Summary: "The thread's texts, newest first", Tag: "SMS", Auth: httpapi.ViewerUp,
			Responses: httpapi.Answer[httpapi.Page[*sms.Message]](200), Handle: a.listMessages},
		{Method: "POST", Path: "/api/sms/conversations/{id}/messages", OpID: "sendMessage", Summary: "Send now or schedule, through the one send pipeline", Tag: "SMS", Auth: httpapi.OperatorUp,
			Idempotent: true, Fails: []int{402}, Request: httpapi.Type[smssvc.SendInput](), Responses: httpapi.Answer[smssvc.SendResult](200, 201, 202), Handle: a.sendMessage},
		{Method: "POST", Path: "/api/sms/conversations/{id}/read", OpID: "markConversationRead", Summary: "Set unread_count to 0", Tag: "SMS", Auth: httpapi.OperatorUp,
			Responses: conv, Handle: a.markRead},
		{Method: "POST", Path: "/api/sms/conversations/{id}/close", OpID: "closeConversation", Summary: "Close the thread", Tag: "SMS", Auth: httpapi.OperatorUp,
			Responses: conv, Handle: a.closeConversation},
		{Method: "POST", Path: "/api/sms/conversations/{id}/reopen", OpID: "reopenConversation", Summary: "Reopen the thread and clear its snooze", Tag: "SMS", Auth: httpapi.OperatorUp,
			Responses: conv, Handle: a.reopenConversation},
		{Method: "GET", Path: "/api/sms/conversations/{id}/runs", OpID: "listConversationRuns", Summary: "AI run records of the thread, newest first", Tag: "SMS", Auth: httpapi.ViewerUp,
			Responses: httpapi.Answer[httpapi.Page[*sms.Run]](200), Handle: a.listRuns},
		{Method: "GET", Path: "/api/sms/scheduled", OpID: "listScheduled", Summary: "Scheduled sends (pending by default)", Tag: "SMS", Auth: httpapi.ViewerUp,
			Responses: httpapi.Answer[httpapi.Page[*sms.Scheduled]](200), Handle: a.listScheduled},
		{Method: "DELETE", Path: "/api/sms/scheduled/{id}", OpID: "cancelScheduled", Summary: "Cancel a pending scheduled send", Tag: "SMS", Auth: httpapi.OperatorUp,
			Responses: httpapi.Answer[sms.Scheduled](200), Handle: a.cancelScheduled},
	}
}

// sendGate is the per-thread send cap of the caller's API key. A thread
// is its (number, contact) pair, so sends through createConversation's
// initial_message and sendMessage share one bucket.
func (a *API) sendGate(c *httpapi.Call) smssvc.SendGate {
	if c.Principal == nil {
		return nil
	}
	// A browser session has no key: its user's sends share one bucket.
	who := c.Principal.KeyID
	if who == "" {
		who = "user:" + c.Principal.UserID
	}
	if who == "user:" {
		return nil
	}
	return func(numberID, e164 string) error {
		return a.sends.Check(c, who+"/"+numberID+"/"+e164, a.now(),
			fmt.Sprintf("more than %d sends a minute to this thread with this API key", sendsPerMinute))
	}
}

// sendStatus is a send's HTTP status: 201 sent (queued or held), 202
// scheduled, 200 for a send the contact's state refused.
func sendStatus(r *smssvc.SendResult) int {
	switch r.Outcome {
	case sms.MsgScheduled:
		return 202
	case sms.MsgOptedOut, sms.MsgBlocked:
		return 200
	}
	return 201
}

func (a *API) listConversations(c *httpapi.Call) error {
	page, err := c.Page()
	if err != nil {
		return err
	}
	items, next, err := a.d.Svc.ListConversations(context.Background(), c.Principal, smssvc.ListConversationsQuery{
		Status: c.Query("status"), Assignee: c.Query("assignee_user_id"), NumberID: c.Query("twilio_number_id"),
		FlowID: c.Query("flow_id"), Q: c.Query("q"), Unread: c.Query("unread"), Page: page})
	if err != nil {
		return err
	}
	return httpapi.List(c, items, next)
}

func (a *API) createConversation(c *httpapi.Call) error {
	var in smssvc.CreateConversationInput
	if err := wire.DecodeStrict(c.Body(), &in); err != nil {
		return err
	}
	out, err := a.d.Svc.CreateConversation(context.Background(), c.Principal, in, a.sendGate(c))
	if err != nil {
		return err
	}
	if out.Created {
		return c.JSON(201, out)
	}
	return c.JSON(200, out)
}

func (a *API) getConversation(c *httpapi.Call) error {
	v, err := a.d.Svc.GetConversation(context.Background(), c.Principal, c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(200, v)
}

// answer encodes a thread operation's result.
func answer(c *httpapi.Call) func(*smssvc.ConversationView, error) error {
	return func(v *smssvc.ConversationView, err error) error {
		if err != nil {
			return err
		}
		return c.JSON(200, v)
	}
}

func (a *API) markRead(c *httpapi.Call) error {
	return answer(c)(a.d.Svc.MarkConversationRead(context.Background(), c.Principal, c.Param("id")))
}

func (a *API) closeConversation(c *httpapi.Call) error {
	return answer(c)(a.d.Svc.CloseConversation(context.Background(), c.Principal, c.Param("id")))
}

func (a *API) reopenConversation(c *httpapi.Call) error {
	return answer(c)(a.d.Svc.ReopenConversation(context.Background(), c.Principal, c.Param("id")))
}

func (a *API) patchConversation(c *httpapi.Call) error {
	var in smssvc.UpdateConversationInput
	if err := wire.DecodeStrict(c.Body(), &in); err != nil {
		return err
	}
	return answer(c)(a.d.Svc.UpdateConversation(context.Background(), c.Principal, c.Param("id"), in))
}

func (a *API) listMessages(c *httpapi.Call) error {
	page, err := c.Page()
	if err != nil {
		return err
	}
	items, next, err := a.d.Svc.ListMessages(context.Background(), c.Principal, c.Param("id"), page)
	if err != nil {
		return err
	}
	return httpapi.List(c, items, next)
}

func (a *API) sendMessage(c *httpapi.Call) error {
	var in smssvc.SendInput
	if err := wire.DecodeStrict(c.Body(), &in); err != nil {
		return err
	}
	res, err := a.d.Svc.SendMessage(context.Background(), c.Principal, c.Param("id"), in, a.sendGate(c))
	if err != nil {
		return err
	}
	return c.JSON(sendStatus(res), res)
}

func (a *API) listScheduled(c *httpapi.Call) error {
	page, err := c.Page()
	if err != nil {
		return err
	}
	items, next, err := a.d.Svc.ListScheduled(context.Background(), c.Principal, smssvc.ListScheduledQuery{
		ConversationID: c.Query("conversation_id"), Source: c.Query("source"), Status: c.Query("status"), Page: page})
	if err != nil {
		return err
	}
	return httpapi.List(c, items, next)
}

func (a *API) cancelScheduled(c *httpapi.Call) error {
	sc, err := a.d.Svc.CancelScheduled(context.Background(), c.Principal, c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(200, sc)
}

func (a *API) listRuns(c *httpapi.Call) error {
	page, err := c.Page()
	if err != nil {
		return err
	}
	items, next, err := a.d.Svc.ListConversationRuns(context.Background(), c.Principal, c.Param("id"), page)
	if err != nil {
		return err
	}
	return httpapi.List(c, items, next)
}

// SendGate is the per-thread cap on the caller's sends, for the console's
// composer: the same buckets as POST .../messages, so a browser cannot
// double its budget by sending from both.
func (a *API) SendGate(c *httpapi.Call) smssvc.SendGate { return a.sendGate(c) }
