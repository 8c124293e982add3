package conversation

import (
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/events"
	"github.com/humd/humd/storage/sms"
)

// onInbound stores a text from the contact in one Sync batch — message, sid
// dedupe entry, thread, contact, keyword effects and events — and only then
// answers, so the webhook is acknowledged after the text is durable.
func (a *Actor) onInbound(ctx actor.Context, m *Inbound) (*InboundResult, error) {
	if dup, err := a.d.Store.Has(sms.KeySID(m.SID)); err != nil || dup {
		return &InboundResult{Duplicate: dup}, err
	}
	org, err := a.d.Org(a.orgID)
	if err != nil {
		return nil, err
	}
	blocked, err := sms.IsBlocked(a.d.Store, a.orgID, a.e164)
	if err != nil {
		return nil, err
	}
	optedOut, err := sms.IsOptedOut(a.d.Store, a.orgID, a.e164)
	if err != nil {
		return nil, err
	}
	kind, word, suspected := "", "", false
	if !blocked {
		kind, word = Keyword(m.Body)
		if kind == KwStart && !optedOut {
			kind, word = "", "" // YES from someone not opted out is an ordinary reply (A8)
		}
		suspected = kind == "" && !optedOut && SuspectedOptOut(m.Body)
	}
	now := a.now()
	b := a.d.Store.NewBatch()
	old := a.conv
	c, _ := a.upsert(now)
	if old != nil && old.SnoozedUntil != nil {
		b.Delete(sms.KeySnoozeDue(*old.SnoozedUntil, a.orgID, c.ID))
	}
	c.Received(m.Body, now)
	if suspected {
		// No automated reply to what may be a request to stop: the thread
		// waits for a person (and so do campaigns, see onSend).
		c.AIPaused, c.AIPausedReason = true, sms.AIPausedOptOutSuspected
	}
	contactID, err := sms.EnsureContactID(a.d.Store, b, a.orgID, a.e164, now)
	if err != nil {
		b.Discard()
		return nil, err
	}
	c.ContactID = contactID
	msg := sms.NewInbound(c, m.SID, m.From, m.To, m.Body, now)
	msg.Keyword, msg.Blocked, msg.NumSegments, msg.OptOutSuspected = word, blocked, m.NumSegments, suspected
	if m.Media != nil {
		msg.Media = m.Media
	}
	if err := sms.PutInbound(a.d.Store, b, &sms.InboundText{Old: old, Conv: c, Msg: msg}); err != nil {
		b.Discard()
		return nil, err
	}
	if err := a.keywordEffects(b, kind, word, optedOut, now); err != nil {
		b.Discard()
		return nil, err
	}
	if suspected {
		if err := a.suspectOptOut(b, c, msg, now); err != nil {
			b.Discard()
			return nil, err
		}
	}
	// A reply from the contact cancels pending AI follow-ups (A25).
	if err := a.cancelPending(b, sms.SourceAIFollowup, "contact_replied", now); err != nil {
		b.Discard()
		return nil, err
	}
	if err := b.Commit(storage.Sync); err != nil {
		a.conv = old
		return nil, err
	}
	a.conv = c
	a.logger().Debug("text received", "message", msg.ID, "keyword", word, "blocked", blocked)
	if kind == KwStop && a.d.dir != nil {
		// This thread's pending texts were cancelled in the batch; the org's
		// other threads with the contact cancel theirs.
		if err := a.d.dir.OptedOut(a.orgID, a.e164, a.numberID); err != nil {
			a.logger().Error("opt-out of other threads", "err", err)
		}
	}
	if kind != "" {
		text := org.HelpText
		switch kind {
		case KwStop:
			text = org.StopText
		case KwStart:
			text = org.StartText
		}
		if _, err := a.onSend(ctx, &Send{Body: text, Author: sms.Author{Type: "system"}, Source: "system", System: true}, nil); err != nil {
			a.logger().Error("keyword reply", "keyword", word, "err", err)
		}
	}
	optedNow := (optedOut && kind != KwStart) || kind == KwStop
	if err := a.considerAI(ctx, msg, kind, blocked, optedNow); err != nil {
		a.logger().Error("ai eligibility", "err", err)
	}
	return &InboundResult{Message: msg, Keyword: word}, nil
}

// upsert answers the thread to change (a copy) and whether it is new.
func (a *Actor) upsert(now time.Time) (*sms.Conversation, bool) {
	if a.conv != nil {
		c := *a.conv
		return &c, false
	}
	return sms.NewConversation(a.orgID, a.numberID, a.numberE164(), a.e164, now), true
}

func (a *Actor) numberE164() string {
	n, err := a.number()
	if err != nil {
		return ""
	}
	return n.E164
}

// keywordEffects applies STOP and START inside the inbound batch: the
// opt-out record, its event, and (for STOP) cancelling this thread's pending
// scheduled texts. Other threads' scheduled texts to the contact meet the
// opt-out when they come due, and the sender checks it again before any call.
func (a *Actor) keywordEffects(b *storage.Batch, kind, word string, optedOut bool, t time.Time) error {
	switch kind {
	case KwStop:
		if !optedOut {
			oo := &sms.OptOut{OrgID: a.orgID, E164: a.e164, Source: "keyword", Keyword: word, NumberID: a.numberID, CreatedAt: t}
			b.SetJSON(sms.KeyOptOut(a.orgID, a.e164), oo)
			if _, err := events.Append(a.d.Store, b, a.orgID, events.OptOut, t, map[string]any{
				"e164": a.e164, "source": "keyword", "keyword": word, "twilio_number_id": a.numberID}); err != nil {
				return err
			}
		}
		b.Delete(sms.KeyOptOutSuspect(a.orgID, a.e164))
		return a.cancelPending(b, "", "opted_out", t)
	case KwStart:
		b.Delete(sms.KeyOptOut(a.orgID, a.e164))
		b.Delete(sms.KeyOptOutSuspect(a.orgID, a.e164))
		_, err := events.Append(a.d.Store, b, a.orgID, events.OptIn, t, map[string]any{
			"e164": a.e164, "source": "keyword", "keyword": word, "twilio_number_id": a.numberID})
		return err
	}
	return nil
}

// suspectOptOut records, inside the inbound batch, that msg read like a
// request to stop in other words: the org-wide mark automated sends check
// and sms.opt_out_suspected for a person. The thread's AI is paused by the
// caller in the same batch.
func (a *Actor) suspectOptOut(b *storage.Batch, c *sms.Conversation, msg *sms.Message, t time.Time) error {
	b.SetJSON(sms.KeyOptOutSuspect(a.orgID, a.e164), &sms.OptOutSuspect{OrgID: a.orgID, E164: a.e164,
		ConversationID: c.ID, MessageID: msg.ID, NumberID: a.numberID, CreatedAt: t})
	_, err := events.Append(a.d.Store, b, a.orgID, events.OptOutSuspected, t, map[string]any{
		"e164": a.e164, "twilio_number_id": a.numberID, "conversation_id": c.ID, "message_id": msg.ID})
	return err
}
