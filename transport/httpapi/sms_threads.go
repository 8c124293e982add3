package httpapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/humd/humd/actors/conversation"
	"github.com/humd/humd/actors/system"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/phone"
	"github.com/humd/humd/storage/sms"
)

// askTimeout bounds how long a handler waits for a thread actor (a Sync
// commit, normally well under a millisecond).
const askTimeout = 10 * time.Second

// askThread asks the actor of (number, contact) through the directory.
func askThread[T any](s *Server, orgID, numberID, e164 string, msg any) (T, error) {
	return system.Await[T](s.deps.Threads.Request(orgID, numberID, e164, msg, askTimeout), msg)
}

// ConversationView is a thread as the API answers it.
type ConversationView struct {
	*sms.Conversation
	FlowID  *string      `json:"flow_id"`
	Contact *sms.Contact `json:"contact"`
}

func (s *Server) viewConversation(c *sms.Conversation) *ConversationView {
	v := &ConversationView{Conversation: c, FlowID: c.Override(s.deps.Clock.Now())}
	if v.FlowID == nil {
		if n, err := sms.GetNumber(s.deps.Store, c.OrgID, c.NumberID); err == nil {
			v.FlowID = n.SMSFlowID
		}
	}
	if ct, err := sms.ContactByE164(s.deps.Store, c.OrgID, c.ContactE164); err == nil {
		v.Contact = ct
	}
	return v
}

// conversation loads a thread of the caller's org for a route with {id}.
func (s *Server) conversation(c *Call) (*sms.Conversation, error) {
	return sms.GetConversation(s.deps.Store, c.Principal.OrgID, c.Param("id"))
}

// sendBody is POST .../messages and initial_message.
type sendBody struct {
	Body            string     `json:"body"`
	MediaURLs       []string   `json:"media_urls"`
	SendAt          *time.Time `json:"send_at"`
	HonorQuietHours *bool      `json:"honor_quiet_hours"`
	PauseAI         *bool      `json:"pause_ai"`
}

func (b *sendBody) toSend(c *Call, field string, now time.Time) (*conversation.Send, error) {
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

// sendView is the answer to a send (SPEC 1.9).
func sendView(res *conversation.SendResult) (int, map[string]any) {
	msg := map[string]any{"status": res.Status, "scheduled_message_id": nil, "scheduled_for": nil}
	if res.Message != nil {
		raw, _ := json.Marshal(res.Message)
		_ = json.Unmarshal(raw, &msg)
		msg["scheduled_message_id"], msg["scheduled_for"] = nil, nil
		if res.Message.ScheduledMessageID != "" {
			msg["scheduled_message_id"] = res.Message.ScheduledMessageID
		}
	}
	if sc := res.Scheduled; sc != nil {
		msg["id"], msg["direction"], msg["body"], msg["source"] = sc.ID, sms.Outbound, sc.Body, sc.Source
		msg["scheduled_message_id"], msg["scheduled_for"], msg["author"] = sc.ID, sc.SendAt, sc.Author
		msg["media"] = mediaList(sc.MediaURLs)
		msg["status"] = sms.MsgScheduled
	}
	status := 201
	switch res.Status {
	case sms.MsgScheduled:
		status = 202
	case sms.MsgOptedOut, sms.MsgBlocked:
		status = 200
	}
	return status, map[string]any{"message": msg}
}

func mediaList(urls []string) []sms.Media {
	out := make([]sms.Media, 0, len(urls))
	for _, u := range urls {
		out = append(out, sms.Media{URL: u})
	}
	return out
}

func (s *Server) listConversations(c *Call) error {
	page, err := c.Page()
	if err != nil {
		return err
	}
	q := c.Ctx.QueryArgs()
	status, assignee, numberID := string(q.Peek("status")), string(q.Peek("assignee_user_id")), string(q.Peek("twilio_number_id"))
	flowID, text, unread := string(q.Peek("flow_id")), strings.ToLower(string(q.Peek("q"))), string(q.Peek("unread"))
	if status != "" && status != "open" && status != "closed" && status != "snoozed" {
		return storage.Invalid("status", "must be open, closed or snoozed")
	}
	if unread != "" && unread != "true" && unread != "false" {
		return storage.Invalid("unread", "must be true or false")
	}
	org, now := c.Principal.OrgID, s.deps.Clock.Now()
	prefix := sms.PrefixConvRecent(org)
	items, next, err := storage.ListPage(s.deps.Store, prefix, page, func(k, _ []byte) (*ConversationView, bool, error) {
		id := string(k[len(prefix)+9:])
		conv, err := sms.GetConversation(s.deps.Store, org, id)
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
		v := s.viewConversation(conv)
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
	return c.List(items, next)
}

func (s *Server) createConversation(c *Call) error {
	var req struct {
		NumberID       string    `json:"twilio_number_id"`
		ContactE164    string    `json:"contact_e164"`
		InitialMessage *sendBody `json:"initial_message"`
	}
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
	n, err := sms.GetNumber(s.deps.Store, org, req.NumberID)
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
		if open.InitialMessage, err = req.InitialMessage.toSend(c, "initial_message.", s.deps.Clock.Now()); err != nil {
			return err
		}
		if err := s.limitThreadSends(c, n.ID, req.ContactE164); err != nil {
			return err
		}
	}
	res, err := askThread[*conversation.Opened](s, org, n.ID, req.ContactE164, open)
	if err != nil {
		return err
	}
	status := 200
	if res.Created {
		status = 201
	}
	out := &OpenedConversationView{ConversationView: s.viewConversation(res.Conversation)}
	if res.Send != nil {
		_, sv := sendView(res.Send)
		out.InitialMessage, _ = sv["message"].(map[string]any)
	}
	return c.JSON(status, out)
}

// OpenedConversationView answers POST /api/sms/conversations: the thread,
// and the first text's send result when the request had initial_message.
type OpenedConversationView struct {
	*ConversationView
	InitialMessage map[string]any `json:"initial_message,omitempty"`
}
