package sms

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/events"
)

// InboundText is one inbound text as a batch stores it: the thread before
// (nil for a new one) and after it, the message, and the contact's record.
type InboundText struct {
	Old, Conv  *Conversation
	Msg        *Message
	ContactRaw json.RawMessage
}

// PutInbound writes what every inbound text stores into b: the message and
// its MessageSid ref, the thread, conversation.started for a new thread (not
// for a blocked sender), and sms.received embedding the records as b encodes
// them. The conversation actor adds its keyword effects; the bench harness's
// records baseline writes exactly this, so it keeps humd's shape as the
// records change.
func PutInbound(s storage.Store, b *storage.Batch, t *InboundText) error {
	c, m := t.Conv, t.Msg
	msgRaw := PutMessage(b, m)
	b.SetJSON(KeySID(m.ProviderMessageID), &SIDRef{OrgID: c.OrgID, ConvID: c.ID, NumberID: c.NumberID, ContactE164: c.ContactE164, Seq: m.Seq})
	convRaw := PutConversation(b, t.Old, c)
	// A blocked sender fires nothing but sms.received (SPEC 1.8), so the
	// thread its first text opens starts without conversation.started.
	if t.Old == nil && !m.Blocked {
		if _, err := events.Append(s, b, c.OrgID, events.ConvStarted, m.CreatedAt, events.Fields{{Name: "conversation", Value: convRaw}}); err != nil {
			return err
		}
	}
	reopened := t.Old != nil && t.Old.Status == StatusClosed
	received := events.Fields{{Name: "conversation", Value: convRaw}, {Name: "message", Value: msgRaw},
		{Name: "contact", Value: t.ContactRaw}, {Name: "reopened", Value: jsonBool(reopened)}}
	if m.Blocked {
		received = append(received, events.Field{Name: "blocked", Value: jsonBool(true)})
	}
	_, err := events.Append(s, b, c.OrgID, events.SMSReceived, m.CreatedAt, received)
	return err
}

func jsonBool(v bool) json.RawMessage {
	if v {
		return json.RawMessage("true")
	}
	return json.RawMessage("false")
}

// Received updates the thread for a text from its contact: open again, one
// more unread, the text as its preview and the next message seq.
func (c *Conversation) Received(body string, now time.Time) {
	c.Status, c.ClosedAt, c.SnoozedUntil = StatusOpen, nil, nil
	c.UnreadCount++
	c.LastMessageAt, c.LastPreview, c.UpdatedAt = &now, Preview(body), now
	c.MsgSeq++
}

// NewInbound is the message record of a text from the thread's contact,
// numbered by Received.
func NewInbound(c *Conversation, sid, from, to, body string, now time.Time) *Message {
	return &Message{ID: storage.NewID("msg"), OrgID: c.OrgID, ConversationID: c.ID, Seq: c.MsgSeq, Direction: Inbound,
		From: from, To: to, Body: body, Media: []Media{}, Status: MsgReceived, ProviderMessageID: sid,
		Author: Author{Type: "contact", ID: c.ContactID}, CreatedAt: now}
}

// Preview is a thread's last_message_preview of body.
func Preview(body string) string {
	body = strings.TrimSpace(body)
	if r := []rune(body); len(r) > 120 {
		return string(r[:120])
	}
	return body
}

// NewConversation is a new open thread between one of the org's numbers and
// a contact.
func NewConversation(org, numberID, numberE164, e164 string, now time.Time) *Conversation {
	return &Conversation{ID: storage.NewID("conv"), OrgID: org, NumberID: numberID, NumberE164: numberE164,
		ContactE164: e164, Status: StatusOpen, CreatedAt: now, UpdatedAt: now}
}
