package smsapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/humd/humd/actors/conversation"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/phone"
	"github.com/humd/humd/storage/sms"
	"github.com/humd/humd/transport/httpapi"
)

// sendBody is POST .../messages and initial_message.
type sendBody struct {
	Body            string     `json:"body,omitempty" jsonschema:"minLength=0,maxLength=1600"`
	MediaURLs       []string   `json:"media_urls,omitempty"`
	SendAt          *time.Time `json:"send_at,omitempty"`
	HonorQuietHours *bool      `json:"honor_quiet_hours,omitempty"`
	PauseAI         *bool      `json:"pause_ai,omitempty"`
}

type createConversationRequest struct {
	NumberID       string    `json:"twilio_number_id"`
	ContactE164    string    `json:"contact_e164"`
	InitialMessage *sendBody `json:"initial_message,omitempty"`
}

type patchConversationRequest struct {
	Assignee     *string    `json:"assignee_user_id,omitempty" jsonschema:"nullable"`
	Status       *string    `json:"status,omitempty" jsonschema:"enum=open|closed"`
	AIPaused     *bool      `json:"ai_paused,omitempty"`
	SnoozedUntil *time.Time `json:"snoozed_until,omitempty" jsonschema:"nullable"`
}

func (a *API) threadRoutes() []*httpapi.Route {
	conv := httpapi.Answer[ConversationView](200)
	return []*httpapi.Route{
		{Method: "GET", Path: "/api/sms/conversations", OpID: "listConversations", Summary: "Threads, newest activity first", Tag: "SMS", Auth: httpapi.ViewerUp,
			Responses: httpapi.Answer[httpapi.Page[*ConversationView]](200), Handle: a.listConversations},
		{Method: "POST", Path: "/api/sms/conversations", OpID: "createConversation", Summary: "Open (upsert) a thread, optionally sending a first text", Tag: "SMS", Auth: httpapi.OperatorUp,
			Idempotent: true, Request: httpapi.Type[createConversationRequest](), Responses: httpapi.Answer[OpenedConversationView](200, 201),
			Handle: a.createConversation},
		{Method: "GET", Path: "/api/sms/conversations/{id}", OpID: "getConversation", Summary: "One thread", Tag: "SMS", Auth: httpapi.ViewerUp,
			Responses: conv, Handle: a.getConversation},
		{Method: "PATCH", Path: "/api/sms/conversations/{id}", OpID: "updateConversation", Summary: "Assign, pause the AI, snooze, close or reopen", Tag: "SMS", Auth: httpapi.OperatorUp,
			Request: httpapi.Type[patchConversationRequest](), Responses: conv, Handle: a.patchConversation},
		{Method: "GET", Path: "/api/sms/conversations/{id}/messages", OpID: "listMessages", Summary: "The thread's texts, newest first", Tag: "SMS", Auth: httpapi.ViewerUp,
			Responses: httpapi.Answer[httpapi.Page[*sms.Message]](200), Handle: a.listMessages},
		{Method: "POST", Path: "/api/sms/conversations/{id}/messages", OpID: "sendMessage", Summary: "Send now or schedule, through the one send pipeline", Tag: "SMS", Auth: httpapi.OperatorUp,
			Idempotent: true, Request: httpapi.Type[sendBody](), Responses: httpapi.Answer[SendResult](200, 201, 202), Handle: a.sendMessage},
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

func (a *API) viewConversation(c *sms.Conversation) *ConversationView {
	v := &ConversationView{Conversation: c, FlowID: c.Override(a.now())}
	if v.FlowID == nil {
		if n, err := sms.GetNumber(a.d.Store, c.OrgID, c.NumberID); err == nil {
			v.FlowID = n.SMSFlowID
		}
	}
	if ct, err := sms.ContactByE164(a.d.Store, c.OrgID, c.ContactE164); err == nil {
		v.Contact = ct
	}
	return v
}

// conversation loads a thread of the caller's org for a route with {id}.
func (a *API) conversation(c *httpapi.Call) (*sms.Conversation, error) {
	return sms.GetConversation(a.d.Store, c.Principal.OrgID, c.Param("id"))
}

func (b *sendBody) toSend(c *httpapi.Call, field string, now time.Time) (*conversation.Send, error) {
	v := &storage.ValidationError{}
	if n := utf8.RuneCountInString(b.Body); (n == 0 && len(b.MediaURLs) == 0) || n > 1600 {
		v.Add(field+"body", "must be 1 to 1600 characters (or empty with media_urls)")
	}
	if len(b.MediaURLs) > 10 {
		v.Add(field+"media_urls", "at most 10 URLs")
	}
	for i, u := range b.MediaURLs {
		if !strings.HasPrefix(u, "https://") || len(u) > 2048 {
			v.Add(fmt.Sprintf("%smedia_urls[%d]", field, i), "must be an https URL")
		}
	}
	if b.SendAt != nil && b.SendAt.After(now.Add(366*24*time.Hour)) {
		v.Add(field+"send_at", "must be within a year")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	m := &conversation.Send{Body: b.Body, MediaURLs: b.MediaURLs, SendAt: b.SendAt, HonorQuietHours: true,
		Author: sms.Author{Type: "api", ID: c.Principal.KeyID}, Source: sms.SourceManual}
	if b.HonorQuietHours != nil {
		m.HonorQuietHours = *b.HonorQuietHours
	}
	if b.PauseAI != nil {
		m.PauseAI = *b.PauseAI
	}
	return m, nil
}

// limitSends applies the per-thread send cap of an API key. A thread is
// its (number, contact) pair, so sends through createConversation's
// initial_message and sendMessage share one bucket.
func (a *API) limitSends(c *httpapi.Call, numberID, e164 string) error {
	if c.Principal == nil || c.Principal.KeyID == "" {
		return nil
	}
	return a.sends.Check(c, c.Principal.KeyID+"/"+numberID+"/"+e164, a.now(),
		fmt.Sprintf("more than %d sends a minute to this thread with this API key", sendsPerMinute))
}

func (a *API) listConversations(c *httpapi.Call) error {
	page, err := c.Page()
	if err != nil {
		return err
	}
	status, assignee, numberID := c.Query("status"), c.Query("assignee_user_id"), c.Query("twilio_number_id")
	flowID, text, unread := c.Query("flow_id"), strings.ToLower(c.Query("q")), c.Query("unread")
	if status != "" && status != "open" && status != "closed" && status != "snoozed" {
		return storage.Invalid("status", "must be open, closed or snoozed")
	}
	if unread != "" && unread != "true" && unread != "false" {
		return storage.Invalid("unread", "must be true or false")
	}
	org, now := c.Principal.OrgID, a.now()
	prefix := sms.PrefixConvRecent(org)
	items, next, err := storage.ListPage(a.d.Store, prefix, page, func(k, _ []byte) (*ConversationView, bool, error) {
		id := string(k[len(prefix)+9:])
		conv, err := sms.GetConversation(a.d.Store, org, id)
		if err != nil {
			return nil, false, err
		}
		snoozed := conv.SnoozedUntil != nil && conv.SnoozedUntil.After(now)
		switch {
		case status == "snoozed" && !snoozed,
			status == "open" && (conv.Status != sms.StatusOpen || snoozed),
			status == "closed" && conv.Status != sms.StatusClosed,
			assignee != "" && (conv.AssigneeUserID == nil || *conv.AssigneeUserID != assignee),
			numberID != "" && conv.NumberID != numberID,
			unread == "true" && conv.UnreadCount == 0,
			unread == "false" && conv.UnreadCount > 0:
			return nil, false, nil
		}
		v := a.viewConversation(conv)
		if flowID != "" && (v.FlowID == nil || *v.FlowID != flowID) {
			return nil, false, nil
		}
		if text != "" && !strings.Contains(conv.ContactE164, text) && !strings.Contains(strings.ToLower(conv.LastPreview), text) &&
			(v.Contact == nil || !strings.Contains(strings.ToLower(v.Contact.Name+" "+v.Contact.FirstName+" "+v.Contact.LastName), text)) {
			return nil, false, nil
		}
		return v, true, nil
	})
	if err != nil {
		return err
	}
	return httpapi.List(c, items, next)
}

func (a *API) createConversation(c *httpapi.Call) error {
	var req createConversationRequest
	if err := storage.DecodeStrict(c.Body(), &req); err != nil {
		return err
	}
	v := &storage.ValidationError{}
	if req.NumberID == "" {
		v.Add("twilio_number_id", "required")
	}
	phone.Check(v, "contact_e164", req.ContactE164)
	if err := v.Err(); err != nil {
		return err
	}
	org := c.Principal.OrgID
	n, err := sms.GetNumber(a.d.Store, org, req.NumberID)
	if errors.Is(err, storage.ErrNotFound) {
		return storage.Invalid("twilio_number_id", "no such number in this org")
	}
	if err != nil {
		return err
	}
	if !n.SMSEnabled {
		return storage.Invalid("twilio_number_id", "the number does not have sms_enabled")
	}
	if n.E164 == req.ContactE164 {
		return storage.Invalid("contact_e164", "must not be the number itself")
	}
	open := &conversation.Open{}
	if req.InitialMessage != nil {
		if open.InitialMessage, err = req.InitialMessage.toSend(c, "initial_message.", a.now()); err != nil {
			return err
		}
		if err := a.limitSends(c, n.ID, req.ContactE164); err != nil {
			return err
		}
	}
	res, err := askThread[*conversation.Opened](a, org, n.ID, req.ContactE164, open)
	if err != nil {
		return err
	}
	status := 200
	if res.Created {
		status = 201
	}
	out := &OpenedConversationView{ConversationView: a.viewConversation(res.Conversation)}
	if res.Send != nil {
		_, sv := sendView(res.Send, n.E164)
		out.InitialMessage = &sv.Message
	}
	return c.JSON(status, out)
}

func (a *API) getConversation(c *httpapi.Call) error {
	cv, err := a.conversation(c)
	if err != nil {
		return err
	}
	return c.JSON(200, a.viewConversation(cv))
}

// threadOp asks a thread of the caller's org (route {id}) and answers the
// conversation it returns.
func (a *API) threadOp(c *httpapi.Call, msg any) error {
	conv, err := a.conversation(c)
	if err != nil {
		return err
	}
	res, err := askThread[*sms.Conversation](a, conv.OrgID, conv.NumberID, conv.ContactE164, msg)
	if err != nil {
		return err
	}
	return c.JSON(200, a.viewConversation(res))
}

func (a *API) markRead(c *httpapi.Call) error { return a.threadOp(c, &conversation.Read{}) }

func (a *API) closeConversation(c *httpapi.Call) error {
	return a.threadOp(c, &conversation.Close{By: sms.Author{Type: "api", ID: c.Principal.KeyID}})
}

func (a *API) reopenConversation(c *httpapi.Call) error { return a.threadOp(c, &conversation.Reopen{}) }

func (a *API) patchConversation(c *httpapi.Call) error {
	raw := map[string]json.RawMessage{}
	body := c.Body()
	if err := storage.DecodeStrict(body, &raw); err != nil {
		return err
	}
	var req patchConversationRequest
	if err := storage.DecodeStrict(body, &req); err != nil {
		return err
	}
	p := &conversation.Patch{Status: req.Status, AIPaused: req.AIPaused, By: sms.Author{Type: "api", ID: c.Principal.KeyID}}
	v := &storage.ValidationError{}
	if _, ok := raw["assignee_user_id"]; ok {
		p.SetAssignee, p.Assignee = true, req.Assignee
		if req.Assignee != nil && !a.isMember(c.Principal.OrgID, *req.Assignee) {
			v.Add("assignee_user_id", "must be a member of the org")
		}
	}
	if req.Status != nil && *req.Status != sms.StatusOpen && *req.Status != sms.StatusClosed {
		v.Add("status", "must be open or closed")
	}
	if _, ok := raw["snoozed_until"]; ok {
		p.SetSnooze, p.SnoozedUntil = true, req.SnoozedUntil
		if req.SnoozedUntil != nil && !req.SnoozedUntil.After(a.now()) {
			v.Add("snoozed_until", "must be in the future (or null to clear)")
		}
	}
	if err := v.Err(); err != nil {
		return err
	}
	return a.threadOp(c, p)
}

func (a *API) isMember(orgID, userID string) bool {
	ok, err := a.d.Store.Has(storage.Key("member", orgID, userID))
	return err == nil && ok
}

func (a *API) listMessages(c *httpapi.Call) error {
	conv, err := a.conversation(c)
	if err != nil {
		return err
	}
	page, err := c.Page()
	if err != nil {
		return err
	}
	page.Reverse = true // newest first
	items, next, err := storage.ListPage(a.d.Store, sms.PrefixMsgs(conv.OrgID, conv.ID), page, func(_, v []byte) (*sms.Message, bool, error) {
		var m sms.Message
		return &m, true, json.Unmarshal(v, &m)
	})
	if err != nil {
		return err
	}
	return httpapi.List(c, items, next)
}

func (a *API) sendMessage(c *httpapi.Call) error {
	conv, err := a.conversation(c)
	if err != nil {
		return err
	}
	var req sendBody
	if err := storage.DecodeStrict(c.Body(), &req); err != nil {
		return err
	}
	send, err := req.toSend(c, "", a.now())
	if err != nil {
		return err
	}
	if err := a.limitSends(c, conv.NumberID, conv.ContactE164); err != nil {
		return err
	}
	res, err := askThread[*conversation.SendResult](a, conv.OrgID, conv.NumberID, conv.ContactE164, send)
	if err != nil {
		return err
	}
	status, body := sendView(res, conv.NumberE164)
	return c.JSON(status, body)
}

func (a *API) listScheduled(c *httpapi.Call) error {
	page, err := c.Page()
	if err != nil {
		return err
	}
	convID, source, status := c.Query("conversation_id"), c.Query("source"), c.Query("status")
	if source != "" && !strings.Contains(" manual ai_followup quiet_hours campaign ", " "+source+" ") {
		return storage.Invalid("source", "must be manual, ai_followup, quiet_hours or campaign")
	}
	if status == "" {
		status = sms.SchedPending
	} else if !strings.Contains(" pending sent cancelled failed opted_out all ", " "+status+" ") {
		return storage.Invalid("status", "must be pending, sent, cancelled, failed, opted_out or all")
	}
	items, next, err := storage.ListPage(a.d.Store, sms.PrefixSched(c.Principal.OrgID), page, func(_, v []byte) (*sms.Scheduled, bool, error) {
		var sc sms.Scheduled
		if err := json.Unmarshal(v, &sc); err != nil {
			return nil, false, err
		}
		keep := (convID == "" || sc.ConversationID == convID) && (source == "" || sc.Source == source) && (status == "all" || sc.Status == status)
		return &sc, keep, nil
	})
	if err != nil {
		return err
	}
	return httpapi.List(c, items, next)
}

func (a *API) cancelScheduled(c *httpapi.Call) error {
	sc, err := sms.GetScheduled(a.d.Store, c.Principal.OrgID, c.Param("id"))
	if err != nil {
		return err
	}
	res, err := askThread[*sms.Scheduled](a, sc.OrgID, sc.NumberID, sc.ContactE164, &conversation.CancelScheduled{ID: sc.ID})
	if err != nil {
		return err
	}
	return c.JSON(200, res)
}

func (a *API) listRuns(c *httpapi.Call) error {
	conv, err := a.conversation(c)
	if err != nil {
		return err
	}
	page, err := c.Page()
	if err != nil {
		return err
	}
	page.Reverse = true
	items, next, err := storage.ListPage(a.d.Store, sms.PrefixRuns(conv.OrgID, conv.ID), page, func(_, v []byte) (*sms.Run, bool, error) {
		var r sms.Run
		return &r, true, json.Unmarshal(v, &r)
	})
	if err != nil {
		return err
	}
	return httpapi.List(c, items, next)
}
