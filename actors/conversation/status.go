package conversation

import (
	"encoding/json"
	"time"

	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/events"
	"github.com/humd/humd/storage/sms"
)

func applyStatus(m *sms.Message, st *Status, now time.Time) {
	m.Status = st.Status
	if st.ErrorCode != 0 {
		m.ErrorCode = st.ErrorCode
	}
	switch st.Status {
	case sms.MsgSent:
		if m.SentAt == nil {
			m.SentAt = &now
		}
	case sms.MsgDelivered:
		m.DeliveredAt = &now
	}
}

// statusEvent is the event a status change fires, if any.
func statusEvent(from, to string) string {
	if from == to {
		return ""
	}
	switch to {
	case sms.MsgDelivered:
		return events.SMSDelivered
	case sms.MsgFailed, sms.MsgUndelivered:
		return events.SMSFailed
	}
	return ""
}

// onStatus applies a provider status callback; statuses only move forward,
// so a duplicate or out-of-order callback changes nothing.
func (a *Actor) onStatus(m *Status) (*StatusApplied, error) {
	ref, err := sms.LookupSID(a.d.Store, m.SID)
	if err != nil {
		return nil, err
	}
	msg, err := sms.GetMessage(a.d.Store, a.orgID, ref.ConvID, ref.Seq)
	if err != nil {
		return nil, err
	}
	b := a.d.Store.NewBatch()
	if m.Kept {
		// The kept record goes with the apply, so a crash keeps it for
		// actors/sidstatus to hand over again; a stale one is simply dropped.
		b.Delete(sms.KeyEarlyStatus(m.SID))
	}
	if msg.Direction != sms.Outbound || !sms.Forward(msg.Status, m.Status) {
		if !m.Kept {
			b.Discard()
			return &StatusApplied{}, nil
		}
		return &StatusApplied{}, b.Commit(storage.Sync)
	}
	now := a.now()
	m2 := *msg
	applyStatus(&m2, m, now)
	raw := sms.PutMessage(b, &m2)
	if ev := statusEvent(msg.Status, m2.Status); ev != "" {
		if _, err := events.Append(a.d.Store, b, a.orgID, ev, now, messageEvent(a.conv, raw)); err != nil {
			b.Discard()
			return nil, err
		}
	}
	if err := b.Commit(storage.Sync); err != nil {
		return nil, err
	}
	return &StatusApplied{Applied: true}, nil
}

// messageEvent is the data of sms.sent, sms.delivered and sms.failed: the
// thread's ids and the message as the batch encoded it (docs/integrations.md).
func messageEvent(c *sms.Conversation, msg json.RawMessage) events.Fields {
	return append(sms.ThreadIDs(c), events.Field{Name: "message", Value: msg})
}
