package smssvc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	billingactor "github.com/humd/humd/actors/billing"

	"github.com/humd/humd/actors/conversation"
	"github.com/humd/humd/actors/system"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/phone"
	"github.com/humd/humd/storage/sms"
	"github.com/humd/humd/storage/tenancy"
)

// The SMS area: threads and their texts, AI runs and scheduled sends
// (this file), numbers (sms_numbers.go), contacts, their enrichment, the
// blocklist and opt-outs (sms_contacts.go). A thread's writes go to its
// conversation actor, an opt-out to the contact's consent actor (both
// through conversation.Directory); the other families are storage/sms's.

// smsAskTimeout bounds how long an operation waits for an SMS actor's
// answer (a Sync commit, not a carrier call).
const smsAskTimeout = 10 * time.Second

// SendInput is one outbound text: the body of sendMessage and
// createConversation's initial_message.
type SendInput struct {
	Body            string     `json:"body,omitempty" jsonschema:"minLength=0,maxLength=1600"`
	MediaURLs       []string   `json:"media_urls,omitempty"`
	SendAt          *time.Time `json:"send_at,omitempty"`
	HonorQuietHours *bool      `json:"honor_quiet_hours,omitempty"`
	PauseAI         *bool      `json:"pause_ai,omitempty"`
}

// CreateConversationInput is the body of createConversation.
type CreateConversationInput struct {
	NumberID       string     `json:"twilio_number_id"`
	ContactE164    string     `json:"contact_e164"`
	InitialMessage *SendInput `json:"initial_message,omitempty"`
}

// UpdateConversationInput is the body of updateConversation; absent
// fields stay, a null assignee or snooze clears it.
type UpdateConversationInput struct {
	Assignee     storage.Opt[string]    `json:"assignee_user_id,omitempty"`
	Status       *string                `json:"status,omitempty" jsonschema:"enum=open|closed"`
	AIPaused     *bool                  `json:"ai_paused,omitempty"`
	SnoozedUntil storage.Opt[time.Time] `json:"snoozed_until,omitempty"`
}

// SendGate is the edge's per-thread cap on the caller's sends (API keys:
// A35), asked with the thread's pair once a send is valid and before the
// thread gets it; nil means no cap.
type SendGate func(numberID, e164 string) error

// ListConversationsQuery filters listConversations (query parameters of
// the same names).
type ListConversationsQuery struct {
	Status   string // open, closed, snoozed
	Assignee string // assignee_user_id
	NumberID string // twilio_number_id
	FlowID   string // flow_id
	Q        string // digits of the contact, words of the last text or the contact's name
	Unread   string // true, false
	// Unassigned keeps threads nobody is assigned to; AIPaused (true,
	// false) those whose AI is paused or not (the console's filters).
	Unassigned bool
	AIPaused   string
	Page       storage.PageRequest
}

// ListScheduledQuery filters listScheduled.
type ListScheduledQuery struct {
	ConversationID string
	Source         string
	Status         string // pending (default), sent, cancelled, failed, opted_out, all
	Page           storage.PageRequest
}

// apiAuthor names who sent: the API key, or the signed-in user of a
// browser session (which has no key).
func apiAuthor(p *tenancy.Principal) sms.Author {
	if p.KeyID == "" && p.UserID != "" {
		return sms.Author{Type: "user", ID: p.UserID}
	}
	return sms.Author{Type: "api", ID: p.KeyID}
}

// askThread asks the actor of (number, contact) through the directory.
func askThread[T any](s *SMS, orgID, numberID, e164 string, msg any) (T, error) {
	return system.Await[T](s.d.Threads.Request(orgID, numberID, e164, msg, smsAskTimeout), msg)
}

// smsView adds the flow answering the thread now and its contact.
func (s *SMS) smsView(c *sms.Conversation) *ConversationView {
	v := &ConversationView{Conversation: c, FlowID: c.Override(s.now())}
	if v.FlowID == nil {
		if n, err := sms.GetNumber(s.d.Store, c.OrgID, c.NumberID); err == nil {
			v.FlowID = n.SMSFlowID
		}
	}
	if ct, err := sms.ContactByE164(s.d.Store, c.OrgID, c.ContactE164); err == nil {
		v.Contact = ct
	}
	return v
}

// ListConversations pages the org's threads, newest activity first.
func (s *SMS) ListConversations(ctx context.Context, p *tenancy.Principal, q ListConversationsQuery) ([]*ConversationView, string, error) {
	if err := need(p, tenancy.Viewer); err != nil {
		return nil, "", err
	}
	if q.Status != "" && q.Status != "open" && q.Status != "closed" && q.Status != "snoozed" {
		return nil, "", storage.Invalid("status", "must be open, closed or snoozed")
	}
	if q.Unread != "" && q.Unread != "true" && q.Unread != "false" {
		return nil, "", storage.Invalid("unread", "must be true or false")
	}
	org, now, text := p.OrgID, s.now(), strings.ToLower(q.Q)
	prefix := sms.PrefixConvRecent(org)
	// The index carries each thread's record, so a page is one scan.
	return storage.ListPage(s.d.Store, prefix, q.Page, func(k, raw []byte) (*ConversationView, bool, error) {
		conv, err := sms.RecentConversation(s.d.Store, org, len(prefix), k, raw)
		if err != nil {
			return nil, false, err
		}
		snoozed := conv.SnoozedUntil != nil && conv.SnoozedUntil.After(now)
		switch {
		case q.Status == "snoozed" && !snoozed,
			q.Status == "open" && (conv.Status != sms.StatusOpen || snoozed),
			q.Status == "closed" && conv.Status != sms.StatusClosed,
			q.Assignee != "" && (conv.AssigneeUserID == nil || *conv.AssigneeUserID != q.Assignee),
			q.NumberID != "" && conv.NumberID != q.NumberID,
			q.Unread == "true" && conv.UnreadCount == 0,
			q.Unread == "false" && conv.UnreadCount > 0,
			q.Unassigned && conv.AssigneeUserID != nil,
			q.AIPaused == "true" && !conv.AIPaused,
			q.AIPaused == "false" && conv.AIPaused:
			return nil, false, nil
		}
		v := s.smsView(conv)
		if q.FlowID != "" && (v.FlowID == nil || *v.FlowID != q.FlowID) {
			return nil, false, nil
		}
		if text != "" && !strings.Contains(conv.ContactE164, text) && !strings.Contains(strings.ToLower(conv.LastPreview), text) &&
			(v.Contact == nil || !strings.Contains(strings.ToLower(v.Contact.Name+" "+v.Contact.FirstName+" "+v.Contact.LastName), text)) {
			return nil, false, nil
		}
		return v, true, nil
	})
}

// toSend checks a send and builds the thread's message; field prefixes
// the wire field names (initial_message. inside createConversation).
func (s *SMS) toSend(p *tenancy.Principal, b *SendInput, field string) (*conversation.Send, error) {
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
	if b.SendAt != nil && b.SendAt.After(s.now().Add(366*24*time.Hour)) {
		v.Add(field+"send_at", "must be within a year")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	m := &conversation.Send{Body: b.Body, MediaURLs: b.MediaURLs, SendAt: b.SendAt, HonorQuietHours: true,
		Author: apiAuthor(p), Source: sms.SourceManual}
	if b.HonorQuietHours != nil {
		m.HonorQuietHours = *b.HonorQuietHours
	}
	if b.PauseAI != nil {
		m.PauseAI = *b.PauseAI
	}
	return m, nil
}

// CreateConversation opens (upserts) the thread of a number and a contact,
// sending a first text when in has one.
func (s *SMS) CreateConversation(ctx context.Context, p *tenancy.Principal, in CreateConversationInput, gate SendGate) (*OpenedConversationView, error) {
	if err := need(p, tenancy.Operator); err != nil {
		return nil, err
	}
	v := &storage.ValidationError{}
	if in.NumberID == "" {
		v.Add("twilio_number_id", "required")
	}
	phone.Check(v, "contact_e164", in.ContactE164)
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := s.d.Gate(p.OrgID, billingactor.WorkSMS); err != nil {
		return nil, err
	}
	org := p.OrgID
	n, err := sms.GetNumber(s.d.Store, org, in.NumberID)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, storage.Invalid("twilio_number_id", "no such number in this org")
	}
	if err != nil {
		return nil, err
	}
	if !n.SMSEnabled {
		return nil, storage.Invalid("twilio_number_id", "the number does not have sms_enabled")
	}
	if n.E164 == in.ContactE164 {
		return nil, storage.Invalid("contact_e164", "must not be the number itself")
	}
	open := &conversation.Open{}
	if in.InitialMessage != nil {
		if open.InitialMessage, err = s.toSend(p, in.InitialMessage, "initial_message."); err != nil {
			return nil, err
		}
		if gate != nil {
			if err := gate(n.ID, in.ContactE164); err != nil {
				return nil, err
			}
		}
	}
	res, err := askThread[*conversation.Opened](s, org, n.ID, in.ContactE164, open)
	if err != nil {
		return nil, err
	}
	out := &OpenedConversationView{ConversationView: s.smsView(res.Conversation), Created: res.Created}
	if res.Send != nil {
		out.InitialMessage = &sendView(res.Send, n.E164).Message
	}
	return out, nil
}

// smsThread loads a thread of the caller's org.
func (s *SMS) smsThread(p *tenancy.Principal, id string) (*sms.Conversation, error) {
	return sms.GetConversation(s.d.Store, p.OrgID, id)
}

// GetConversation answers one thread.
func (s *SMS) GetConversation(ctx context.Context, p *tenancy.Principal, id string) (*ConversationView, error) {
	if err := need(p, tenancy.Viewer); err != nil {
		return nil, err
	}
	c, err := s.smsThread(p, id)
	if err != nil {
		return nil, err
	}
	return s.smsView(c), nil
}

// threadOp asks a thread of the caller's org and answers the thread it
// returns.
func (s *SMS) threadOp(p *tenancy.Principal, id string, msg any) (*ConversationView, error) {
	if err := need(p, tenancy.Operator); err != nil {
		return nil, err
	}
	conv, err := s.smsThread(p, id)
	if err != nil {
		return nil, err
	}
	res, err := askThread[*sms.Conversation](s, conv.OrgID, conv.NumberID, conv.ContactE164, msg)
	if err != nil {
		return nil, err
	}
	return s.smsView(res), nil
}

// MarkConversationRead sets the thread's unread_count to 0.
func (s *SMS) MarkConversationRead(ctx context.Context, p *tenancy.Principal, id string) (*ConversationView, error) {
	return s.threadOp(p, id, &conversation.Read{})
}

// CloseConversation closes the thread.
func (s *SMS) CloseConversation(ctx context.Context, p *tenancy.Principal, id string) (*ConversationView, error) {
	if p == nil {
		return nil, need(p, tenancy.Operator)
	}
	return s.threadOp(p, id, &conversation.Close{By: apiAuthor(p)})
}

// ReopenConversation reopens the thread and clears its snooze.
func (s *SMS) ReopenConversation(ctx context.Context, p *tenancy.Principal, id string) (*ConversationView, error) {
	return s.threadOp(p, id, &conversation.Reopen{})
}

// UpdateConversation assigns, pauses the AI, snoozes, closes or reopens.
func (s *SMS) UpdateConversation(ctx context.Context, p *tenancy.Principal, id string, in UpdateConversationInput) (*ConversationView, error) {
	if err := need(p, tenancy.Operator); err != nil {
		return nil, err
	}
	m := &conversation.Patch{Status: in.Status, AIPaused: in.AIPaused, By: apiAuthor(p)}
	v := &storage.ValidationError{}
	if in.Assignee.Set {
		m.SetAssignee = true
		if user, ok := in.Assignee.Value(); ok {
			m.Assignee = &user
			if !s.smsMember(p.OrgID, user) {
				v.Add("assignee_user_id", "must be a member of the org")
			}
		}
	}
	if in.Status != nil && *in.Status != sms.StatusOpen && *in.Status != sms.StatusClosed {
		v.Add("status", "must be open or closed")
	}
	if in.SnoozedUntil.Set {
		m.SetSnooze = true
		if until, ok := in.SnoozedUntil.Value(); ok {
			m.SnoozedUntil = &until
			if !until.After(s.now()) {
				v.Add("snoozed_until", "must be in the future (or null to clear)")
			}
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	return s.threadOp(p, id, m)
}

func (s *SMS) smsMember(orgID, userID string) bool {
	ok, err := s.d.Store.Has(storage.Key("member", orgID, userID))
	return err == nil && ok
}

// ListMessages pages the thread's texts, newest first.
func (s *SMS) ListMessages(ctx context.Context, p *tenancy.Principal, id string, page storage.PageRequest) ([]*sms.Message, string, error) {
	if err := need(p, tenancy.Viewer); err != nil {
		return nil, "", err
	}
	conv, err := s.smsThread(p, id)
	if err != nil {
		return nil, "", err
	}
	page.Reverse = true // newest first
	return storage.ListPage(s.d.Store, sms.PrefixMsgs(conv.OrgID, conv.ID), page, func(_, v []byte) (*sms.Message, bool, error) {
		var m sms.Message
		return &m, true, json.Unmarshal(v, &m)
	})
}

// SendMessage sends a text on the thread now, or schedules it, through the
// one send pipeline.
func (s *SMS) SendMessage(ctx context.Context, p *tenancy.Principal, id string, in SendInput, gate SendGate) (*SendResult, error) {
	if err := need(p, tenancy.Operator); err != nil {
		return nil, err
	}
	conv, err := s.smsThread(p, id)
	if err != nil {
		return nil, err
	}
	send, err := s.toSend(p, &in, "")
	if err != nil {
		return nil, err
	}
	if err := s.d.Gate(p.OrgID, billingactor.WorkSMS); err != nil {
		return nil, err
	}
	if gate != nil {
		if err := gate(conv.NumberID, conv.ContactE164); err != nil {
			return nil, err
		}
	}
	res, err := askThread[*conversation.SendResult](s, conv.OrgID, conv.NumberID, conv.ContactE164, send)
	if err != nil {
		return nil, err
	}
	return sendView(res, conv.NumberE164), nil
}

// ListScheduled pages the org's scheduled sends (pending by default).
func (s *SMS) ListScheduled(ctx context.Context, p *tenancy.Principal, q ListScheduledQuery) ([]*sms.Scheduled, string, error) {
	if err := need(p, tenancy.Viewer); err != nil {
		return nil, "", err
	}
	if q.Source != "" && !strings.Contains(" manual ai_followup quiet_hours campaign ", " "+q.Source+" ") {
		return nil, "", storage.Invalid("source", "must be manual, ai_followup, quiet_hours or campaign")
	}
	status := q.Status
	if status == "" {
		status = sms.SchedPending
	} else if !strings.Contains(" pending sent cancelled failed opted_out all ", " "+status+" ") {
		return nil, "", storage.Invalid("status", "must be pending, sent, cancelled, failed, opted_out or all")
	}
	return storage.ListPage(s.d.Store, sms.PrefixSched(p.OrgID), q.Page, func(_, v []byte) (*sms.Scheduled, bool, error) {
		var sc sms.Scheduled
		if err := json.Unmarshal(v, &sc); err != nil {
			return nil, false, err
		}
		keep := (q.ConversationID == "" || sc.ConversationID == q.ConversationID) && (q.Source == "" || sc.Source == q.Source) &&
			(status == "all" || sc.Status == status)
		return &sc, keep, nil
	})
}

// CancelScheduled cancels a pending scheduled send.
func (s *SMS) CancelScheduled(ctx context.Context, p *tenancy.Principal, id string) (*sms.Scheduled, error) {
	if err := need(p, tenancy.Operator); err != nil {
		return nil, err
	}
	sc, err := sms.GetScheduled(s.d.Store, p.OrgID, id)
	if err != nil {
		return nil, err
	}
	return askThread[*sms.Scheduled](s, sc.OrgID, sc.NumberID, sc.ContactE164, &conversation.CancelScheduled{ID: sc.ID})
}

// ListConversationRuns pages the thread's AI run records, newest first.
func (s *SMS) ListConversationRuns(ctx context.Context, p *tenancy.Principal, id string, page storage.PageRequest) ([]*sms.Run, string, error) {
	if err := need(p, tenancy.Viewer); err != nil {
		return nil, "", err
	}
	conv, err := s.smsThread(p, id)
	if err != nil {
		return nil, "", err
	}
	page.Reverse = true
	return storage.ListPage(s.d.Store, sms.PrefixRuns(conv.OrgID, conv.ID), page, func(_, v []byte) (*sms.Run, bool, error) {
		var r sms.Run
		return &r, true, json.Unmarshal(v, &r)
	})
}
