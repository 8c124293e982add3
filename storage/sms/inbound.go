package sms

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/events"
)

// InboundText is one inbound text as a batch stores it: the thread before
// (nil for a new one) and after it, and the message.
type InboundText struct {
	Old, Conv *Conversation
	Msg       *Message
}

// PutInbound writes what every inbound text stores into b: the message and
// its MessageSid ref, the thread, conversation.started for a new thread (not
// for a blocked sender), and sms.received. The conversation actor adds its
// keyword effects; the bench harness's records baseline writes exactly this,
// so it keeps humd's shape as the records change.
//
// sms.received carries the ids of the thread, contact and number and the
// message as b encoded it: the message is what changed. The thread and the
// contact are one read away (GET /api/sms/conversations/{id}); embedding them
// tripled the event and the bytes written per text (bench/RESULTS.md).
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
	received := append(ThreadIDs(c), events.Field{Name: "message", Value: msgRaw},
		events.Field{Name: "reopened", Value: jsonBool(reopened)})
	if m.Blocked {
		received = append(received, events.Field{Name: "blocked", Value: jsonBool(true)})
	}
	_, err := events.Append(s, b, c.OrgID, events.SMSReceived, m.CreatedAt, received)
	return err
}

// ThreadIDs are the members every message event names its thread by:
// conversation_id, contact_id, twilio_number_id and contact_e164 (none for
// no thread; the message names its conversation too).
func ThreadIDs(c *Conversation) events.Fields {
	if c == nil {
		return nil
	}
	return events.Fields{{Name: "conversation_id", Value: jsonString(c.ID)}, {Name: "contact_id", Value: jsonString(c.ContactID)},
		{Name: "twilio_number_id", Value: jsonString(c.NumberID)}, {Name: "contact_e164", Value: jsonString(c.ContactE164)}}
}

// jsonString quotes an id or E.164, which need no escaping; anything else
// goes through the encoder.
func jsonString(v string) json.RawMessage {
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			raw, _ := storage.EncodeJSON(v)
			return raw
		}
	}
	return json.RawMessage(`"` + v + `"`)
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
