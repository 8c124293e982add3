package conversation

import (
	"errors"
	"fmt"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/humd/humd/actors/sender"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/events"
	"github.com/humd/humd/storage/sms"
	"github.com/humd/humd/storage/tenancy"
)

// ErrClosed is the 409 for a send to a closed thread.
var ErrClosed = storage.Conflict("conversation_closed", "the conversation is closed; reopen it to send")

// automated are the authors no person stands behind: while the contact's
// suspected opt-out waits for a person, their texts are held.
var automated = map[string]bool{"ai": true, "campaign": true, "flow": true}

// onSend is the one send pipeline (SPEC 2.3): schedule, closed, opted out,
// blocked, held (a suspected opt-out, for automated senders), quiet hours,
// then store as queued and hand to the number's sender.
// sched is the scheduled send being drained, or nil.
func (a *Actor) onSend(ctx actor.Context, m *Send, sched *sms.Scheduled) (*SendResult, error) {
	if a.conv == nil {
		return nil, fmt.Errorf("conversation %s/%s: %w", a.numberID, a.e164, storage.ErrNotFound)
	}
	now := a.now()
	// Closed first: a send scheduled on a closed thread is refused now, not
	// accepted and failed when it comes due (SPEC 1.9).
	if a.conv.Status == sms.StatusClosed && !m.System {
		return nil, ErrClosed
	}
	if sched == nil && m.SendAt != nil && m.SendAt.After(now) {
		return a.schedule(m, *m.SendAt, sms.SourceManual, now)
	}
	if !m.System {
		opted, err := sms.IsOptedOut(a.d.Store, a.orgID, a.e164)
		if err != nil {
			return nil, err
		}
		if opted {
			return a.record(m, sched, sms.MsgOptedOut, now)
		}
		blocked, err := sms.IsBlocked(a.d.Store, a.orgID, a.e164)
		if err != nil {
			return nil, err
		}
		if blocked {
			return a.record(m, sched, sms.MsgBlocked, now)
		}
		if automated[m.Author.Type] {
			if held, err := sms.IsOptOutSuspected(a.d.Store, a.orgID, a.e164); err != nil {
				return nil, err
			} else if held {
				return a.record(m, sched, sms.MsgHeld, now)
			}
		}
		if m.HonorQuietHours {
			if next, closed, err := a.quiet(now); err != nil {
				return nil, err
			} else if closed {
				if sched != nil {
					return a.reschedule(sched, next)
				}
				return a.schedule(m, next, sms.SourceQuietHours, now)
			}
		}
	}
	res, err := a.record(m, sched, sms.MsgQueued, now)
	if err != nil {
		return nil, err
	}
	return res, a.enqueue(ctx, res.Message, m.System)
}

// quiet answers whether now is outside the org's business hours and, if so,
// the next open minute.
func (a *Actor) quiet(now time.Time) (time.Time, bool, error) {
	next, closed, err := NextOpening(a.d.Org, a.d.Hours, a.orgID, now)
	if err != nil || !closed {
		return time.Time{}, false, err
	}
	return ceilMinute(next), true, nil
}

// NextOpening answers whether now is outside an org's business hours and,
// if so, when they next open. An org with no hours, or hours that never
// open, counts as always open. Campaigns share it with the send pipeline.
func NextOpening(org func(string) (*tenancy.Org, error), hours func(*tenancy.Org) (QuietHours, error), orgID string, now time.Time) (time.Time, bool, error) {
	if org == nil || hours == nil {
		return time.Time{}, false, nil
	}
	o, err := org(orgID)
	if err != nil {
		return time.Time{}, false, err
	}
	h, err := hours(o)
	if err != nil || h == nil || h.IsOpen(now) {
		return time.Time{}, false, err
	}
	next := h.NextOpen(now)
	if next.IsZero() {
		return time.Time{}, false, nil
	}
	return next, true, nil
}

func ceilMinute(t time.Time) time.Time {
	if tt := t.Truncate(time.Minute); !tt.Equal(t) {
		return tt.Add(time.Minute)
	}
	return t
}

// record stores an outbound message with status (queued, opted_out,
// blocked) — together with the thread and, when draining, the scheduled
// send's new state — in one Sync batch.
func (a *Actor) record(m *Send, sched *sms.Scheduled, status string, now time.Time) (*SendResult, error) {
	n, err := a.number()
	if err != nil {
		return nil, err
	}
	b := a.d.Store.NewBatch()
	old := a.conv
	c := *old
	c.MsgSeq++
	c.LastMessageAt, c.LastPreview, c.UpdatedAt = &now, sms.Preview(m.Body), now
	if (m.Author.Type == "user" || m.PauseAI) && !m.System && !c.AIPaused {
		c.AIPaused, c.AIPausedReason = true, sms.AIPausedHumanTakeover // SPEC 2.3 step 8; also cancels AI follow-ups (A25)
		a.pending = nil
		if err := a.cancelPending(b, sms.SourceAIFollowup, "human_takeover", now); err != nil {
			b.Discard()
			return nil, err
		}
	}
	msg := &sms.Message{ID: storage.NewID("msg"), OrgID: a.orgID, ConversationID: c.ID, Seq: c.MsgSeq, Direction: sms.Outbound,
		From: n.E164, To: a.e164, Body: m.Body, Media: mediaOf(m.MediaURLs), Status: status, Source: m.Source,
		Author: m.Author, IsSystem: m.System, CreatedAt: now}
	if sched != nil {
		msg.ScheduledMessageID = sched.ID
		s2 := *sched
		s2.Status, s2.MessageID, s2.UpdatedAt, s2.DoneAt = sms.SchedSent, msg.ID, now, &now
		switch status {
		case sms.MsgOptedOut:
			s2.Status = sms.SchedOptedOut
		case sms.MsgBlocked:
			s2.Status, s2.Reason = sms.SchedFailed, "blocked"
		case sms.MsgHeld:
			s2.Status, s2.Reason = sms.SchedCancelled, "opt_out_suspected"
		}
		sms.PutScheduled(b, sched, &s2)
		*sched = s2
	}
	sms.PutMessage(b, msg)
	sms.PutConversation(b, old, &c)
	if err := b.Commit(storage.Sync); err != nil {
		return nil, err
	}
	a.conv = &c
	return &SendResult{Status: status, Message: msg}, nil
}

func mediaOf(urls []string) []sms.Media {
	out := make([]sms.Media, 0, len(urls))
	for _, u := range urls {
		out = append(out, sms.Media{URL: u})
	}
	return out
}

// schedule stores a send for later (manual send_at or quiet hours).
func (a *Actor) schedule(m *Send, at time.Time, source string, now time.Time) (*SendResult, error) {
	if m.Source == sms.SourceAIFollowup || m.Source == sms.SourceCampaign {
		source = m.Source
	}
	sc := &sms.Scheduled{ID: storage.NewID("sch"), OrgID: a.orgID, ConversationID: a.conv.ID, NumberID: a.numberID,
		ContactE164: a.e164, Body: m.Body, MediaURLs: nonNil(m.MediaURLs), SendAt: at.UTC(), Source: source, Status: sms.SchedPending,
		Author: m.Author, HonorQuietHours: m.HonorQuietHours, CreatedAt: now, UpdatedAt: now}
	a.noSched = false
	b := a.d.Store.NewBatch()
	sms.PutScheduled(b, nil, sc)
	if err := b.Commit(storage.Sync); err != nil {
		return nil, err
	}
	return &SendResult{Status: sms.MsgScheduled, Scheduled: sc}, nil
}

func (a *Actor) reschedule(sc *sms.Scheduled, at time.Time) (*SendResult, error) {
	s2 := *sc
	s2.SendAt, s2.UpdatedAt = at.UTC(), a.now()
	b := a.d.Store.NewBatch()
	sms.PutScheduled(b, sc, &s2)
	if err := b.Commit(storage.Sync); err != nil {
		return nil, err
	}
	return &SendResult{Status: sms.MsgScheduled, Scheduled: &s2}, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// enqueue hands a stored message to the number's sender actor.
func (a *Actor) enqueue(ctx actor.Context, msg *sms.Message, system bool) error {
	n, err := a.number()
	if err != nil {
		return err
	}
	urls := make([]string, 0, len(msg.Media))
	for _, md := range msg.Media {
		urls = append(urls, md.URL)
	}
	a.inflight[msg.ID]++
	a.d.Senders.Enqueue(n, &sender.Enqueue{OrgID: a.orgID, MessageID: msg.ID, ContactE164: a.e164, System: system, ReplyTo: a.ref,
		Outbound: &sender.Outbound{MessageID: msg.ID, OrgID: a.orgID, From: n.E164, To: a.e164, Body: msg.Body, MediaURLs: urls,
			StatusCallback: a.d.StatusCallbackURL}})
	return nil
}

// messageByID loads one of this thread's messages.
func (a *Actor) messageByID(id string) (*sms.Message, error) {
	ref, err := a.d.Store.Get(sms.KeyMsgID(a.orgID, id))
	if err != nil {
		return nil, fmt.Errorf("message %s: %w", id, err)
	}
	if len(ref) < 9 {
		return nil, fmt.Errorf("message %s: corrupt index", id)
	}
	seq, _ := storage.DecodeU64(ref[len(ref)-8:])
	return sms.GetMessage(a.d.Store, a.orgID, a.conv.ID, seq)
}

// onSenderResult records what the carrier did with a text: its provider id
// and status (sms.sent), a refusal (sms.failed, retried when safe), or a
// last-moment opt-out.
func (a *Actor) onSenderResult(ctx actor.Context, r *sender.Result) error {
	attempts := a.inflight[r.MessageID]
	delete(a.inflight, r.MessageID)
	msg, err := a.messageByID(r.MessageID)
	if err != nil {
		return err
	}
	now := a.now()
	var perr *sender.Error
	if r.Err != nil && errors.As(r.Err, &perr) && perr.Retryable && attempts < a.d.MaxSendAttempts {
		a.inflight[r.MessageID] = attempts
		self, root := ctx.Self(), ctx.ActorSystem().Root
		a.d.Clock.AfterFunc(time.Duration(attempts)*2*time.Second, func() {
			root.Send(self, &retrySend{messageID: msg.ID, seq: msg.Seq})
		})
		return nil
	}
	m2 := *msg
	b := a.d.Store.NewBatch()
	event, known := "", ""
	switch {
	case r.OptedOut:
		m2.Status = sms.MsgOptedOut
	case r.Err != nil:
		m2.Status, m2.ErrorMessage = sms.MsgFailed, r.Err.Error()
		if perr != nil {
			m2.ErrorCode, m2.ErrorMessage = perr.Code, perr.Message
		}
		event = events.SMSFailed
	default:
		m2.ProviderMessageID, m2.NumSegments = r.Accepted.SID, r.Accepted.NumSegments
		m2.Status, m2.SentAt = sms.MsgQueued, &now
		if sms.Forward(sms.MsgQueued, r.Accepted.Status) {
			m2.Status = r.Accepted.Status
		}
		event = events.SMSSent
		b.SetJSON(sms.KeySID(r.Accepted.SID), &sms.SIDRef{OrgID: a.orgID, ConvID: a.conv.ID, NumberID: a.numberID, ContactE164: a.e164, Seq: msg.Seq})
		known = r.Accepted.SID
	}
	data := messageEvent(a.conv, sms.PutMessage(b, &m2))
	if event != "" {
		if _, err := events.Append(a.d.Store, b, a.orgID, event, now, data); err != nil {
			b.Discard()
			return err
		}
	}
	if ev := statusEvent(msg.Status, m2.Status); ev != "" && ev != event {
		if _, err := events.Append(a.d.Store, b, a.orgID, ev, now, data); err != nil {
			b.Discard()
			return err
		}
	}
	if err := b.Commit(storage.Sync); err != nil {
		return err
	}
	if known != "" && a.d.SIDKnown != nil {
		// A status callback may have beaten the carrier's answer: its
		// early-status actor (actors/sidstatus) hands it over now.
		a.d.SIDKnown(known)
	}
	return nil
}

func (a *Actor) onRetry(ctx actor.Context, m *retrySend) error {
	msg, err := sms.GetMessage(a.d.Store, a.orgID, a.conv.ID, m.seq)
	if err != nil {
		return err
	}
	return a.enqueue(ctx, msg, msg.IsSystem)
}
