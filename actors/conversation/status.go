package conversation

import (
	"errors"
	"time"

	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/events"
	"github.com/humd/humd/storage/sms"
)

// earlyStatus is a status callback that arrived before the carrier's answer
// told us which message its SID belongs to.
type earlyStatus struct {
	Status    string `json:"status"`
	ErrorCode int    `json:"error_code"`
}

func keyEarly(sid string) []byte { return storage.Key("sid-early", sid) }

// sidLocks close the gap between a callback that finds no SID and the
// carrier's answer that records it: both sides hold the SID's lock, so an
// early status is either seen by the thread or finds the SID known.
var sidLocks storage.Stripes

func lockSID(sid string) func() { return sidLocks.Lock(sid) }

// RecordEarlyStatus keeps a callback for a SID humd does not know yet; the
// conversation applies it when the carrier's answer arrives. Only forward
// moves are kept, so duplicates and reordering change nothing.
//
// When the SID became known meanwhile it answers its ref and keeps nothing:
// the caller routes the callback to the thread as usual.
func RecordEarlyStatus(s storage.Store, sid, status string, code int) (*sms.SIDRef, error) {
	defer lockSID(sid)()
	if ref, err := sms.LookupSID(s, sid); err == nil {
		return ref, nil
	} else if !errors.Is(err, storage.ErrNotFound) {
		return nil, err
	}
	var cur earlyStatus
	err := storage.GetJSON(s, keyEarly(sid), &cur)
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return nil, err
	}
	if err == nil && !sms.Forward(cur.Status, status) {
		return nil, nil
	}
	b := s.NewBatch()
	b.SetJSON(keyEarly(sid), &earlyStatus{Status: status, ErrorCode: code})
	return nil, b.Commit(storage.Sync)
}

func takeEarlyStatus(s storage.Store, b *storage.Batch, sid string) (*Status, error) {
	var e earlyStatus
	err := storage.GetJSON(s, keyEarly(sid), &e)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	b.Delete(keyEarly(sid))
	return &Status{SID: sid, Status: e.Status, ErrorCode: e.ErrorCode}, nil
}

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
	if msg.Direction != sms.Outbound || !sms.Forward(msg.Status, m.Status) {
		return &StatusApplied{}, nil
	}
	now := a.now()
	m2 := *msg
	applyStatus(&m2, m, now)
	b := a.d.Store.NewBatch()
	sms.PutMessage(b, &m2)
	if ev := statusEvent(msg.Status, m2.Status); ev != "" {
		if _, err := events.Append(a.d.Store, b, a.orgID, ev, now, map[string]any{"conversation": a.conv, "message": &m2}); err != nil {
			b.Discard()
			return nil, err
		}
	}
	if err := b.Commit(storage.Sync); err != nil {
		return nil, err
	}
	return &StatusApplied{Applied: true}, nil
}
