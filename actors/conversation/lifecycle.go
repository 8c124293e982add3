package conversation

import (
	"fmt"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/events"
	"github.com/humd/humd/storage/sms"
)

// commit writes the thread (and whatever else is in b) and adopts c.
func (a *Actor) commit(b *storage.Batch, c *sms.Conversation) (*sms.Conversation, error) {
	sms.PutConversation(b, a.conv, c)
	if err := b.Commit(storage.Sync); err != nil {
		return nil, err
	}
	a.conv = c
	out := *c
	return &out, nil
}

func (a *Actor) onOpen(ctx actor.Context, m *Open) (*Opened, error) {
	now := a.now()
	b := a.d.Store.NewBatch()
	c, created := a.upsert(now)
	if m.FlowOverrideID != nil {
		id := *m.FlowOverrideID
		c.FlowOverrideID, c.FlowOverrideUntil, c.UpdatedAt = &id, nil, now
		if m.FlowOverrideFor > 0 {
			until := now.Add(m.FlowOverrideFor)
			c.FlowOverrideUntil = &until
		}
	}
	if !created && c.Status == sms.StatusOpen && m.InitialMessage == nil && m.FlowOverrideID == nil {
		b.Discard()
		return &Opened{Conversation: c}, nil
	}
	if !created && c.Status == sms.StatusClosed {
		a.reopen(b, c, now) // explicit intent reopens (SPEC 2.8)
	}
	contact, _, err := sms.EnsureContact(a.d.Store, b, a.orgID, a.e164, now)
	if err != nil {
		b.Discard()
		return nil, err
	}
	c.ContactID = contact.ID
	if created {
		if _, err := events.Append(a.d.Store, b, a.orgID, events.ConvStarted, now, map[string]any{"conversation": c}); err != nil {
			b.Discard()
			return nil, err
		}
	}
	c, err = a.commit(b, c)
	if err != nil {
		return nil, err
	}
	out := &Opened{Conversation: c, Created: created}
	if m.InitialMessage != nil {
		res, err := a.onSend(ctx, m.InitialMessage, nil)
		if err != nil {
			return nil, err
		}
		out.Send = res
		out.Conversation, _ = a.current()
	}
	return out, nil
}

func (a *Actor) mustExist() error {
	if a.conv == nil {
		return fmt.Errorf("conversation %s/%s: %w", a.numberID, a.e164, storage.ErrNotFound)
	}
	return nil
}

func (a *Actor) onRead() (*sms.Conversation, error) {
	if err := a.mustExist(); err != nil {
		return nil, err
	}
	c := *a.conv
	c.UnreadCount = 0
	return a.commit(a.d.Store.NewBatch(), &c)
}

func (a *Actor) onClose(m *Close) (*sms.Conversation, error) {
	if err := a.mustExist(); err != nil {
		return nil, err
	}
	if a.conv.Status == sms.StatusClosed {
		return a.current()
	}
	now := a.now()
	c := *a.conv
	c.Status, c.ClosedAt, c.UpdatedAt = sms.StatusClosed, &now, now
	b := a.d.Store.NewBatch()
	if err := a.cancelPending(b, sms.SourceAIFollowup, "conversation_closed", now); err != nil {
		b.Discard()
		return nil, err
	}
	if _, err := events.Append(a.d.Store, b, a.orgID, events.ConvClosed, now, map[string]any{"conversation": &c, "closed_by": m.By}); err != nil {
		b.Discard()
		return nil, err
	}
	return a.commit(b, &c)
}

func (a *Actor) onReopen() (*sms.Conversation, error) {
	if err := a.mustExist(); err != nil {
		return nil, err
	}
	c := *a.conv
	b := a.d.Store.NewBatch()
	a.reopen(b, &c, a.now())
	return a.commit(b, &c)
}

// reopen opens c again and clears its snooze, due entry included.
func (a *Actor) reopen(b *storage.Batch, c *sms.Conversation, now time.Time) {
	if c.SnoozedUntil != nil {
		b.Delete(sms.KeySnoozeDue(*c.SnoozedUntil, a.orgID, c.ID))
	}
	c.Status, c.ClosedAt, c.SnoozedUntil, c.UpdatedAt = sms.StatusOpen, nil, nil, now
}

func (a *Actor) onPatch(m *Patch) (*sms.Conversation, error) {
	if err := a.mustExist(); err != nil {
		return nil, err
	}
	if m.Status != nil && *m.Status == sms.StatusClosed {
		if _, err := a.onClose(&Close{By: m.By}); err != nil {
			return nil, err
		}
	}
	if m.Status != nil && *m.Status == sms.StatusOpen && a.conv.Status == sms.StatusClosed {
		if _, err := a.onReopen(); err != nil {
			return nil, err
		}
	}
	now := a.now()
	c := *a.conv
	b := a.d.Store.NewBatch()
	takeover := false // a human takes over: the AI's pending follow-ups go (SPEC 2.2)
	if m.SetAssignee {
		changed := (c.AssigneeUserID == nil) != (m.Assignee == nil) || (m.Assignee != nil && *c.AssigneeUserID != *m.Assignee)
		c.AssigneeUserID = m.Assignee
		if m.Assignee != nil {
			if !c.AIPaused || c.AIPausedReason == "" {
				c.AIPausedReason = sms.AIPausedAssigned
			}
			c.AIPaused = true // assigning to a human pauses the AI (SPEC 2.8)
			if changed {
				if _, err := events.Append(a.d.Store, b, a.orgID, events.ConvAssigned, now, map[string]any{
					"conversation": &c, "assignee": *m.Assignee, "assigned_by": m.By.Type}); err != nil {
					b.Discard()
					return nil, err
				}
				takeover = true
			}
		}
	}
	if m.AIPaused != nil {
		takeover = takeover || (*m.AIPaused && !c.AIPaused)
		switch {
		case *m.AIPaused && !c.AIPaused:
			c.AIPausedReason = sms.AIPausedByUser
		case !*m.AIPaused:
			c.AIPausedReason = ""
			// A person resuming the AI has read the contact's texts: a
			// suspected opt-out they did not confirm was not one.
			b.Delete(sms.KeyOptOutSuspect(a.orgID, a.e164))
		}
		c.AIPaused = *m.AIPaused
	}
	if takeover {
		if err := a.cancelPending(b, sms.SourceAIFollowup, "human_takeover", now); err != nil {
			b.Discard()
			return nil, err
		}
	}
	if m.SetSnooze {
		if c.SnoozedUntil != nil {
			b.Delete(sms.KeySnoozeDue(*c.SnoozedUntil, a.orgID, c.ID))
		}
		c.SnoozedUntil = nil
		if m.SnoozedUntil != nil {
			at := m.SnoozedUntil.UTC()
			c.SnoozedUntil = &at
			b.Set(sms.KeySnoozeDue(at, a.orgID, c.ID), []byte(a.numberID+"/"+a.e164))
		}
	}
	c.UpdatedAt = now
	return a.commit(b, &c)
}

// onSnoozeDue clears an expired snooze and marks the thread unread (A30).
func (a *Actor) onSnoozeDue() error {
	if a.conv == nil || a.conv.SnoozedUntil == nil || a.conv.SnoozedUntil.After(a.now()) {
		return nil
	}
	c := *a.conv
	b := a.d.Store.NewBatch()
	b.Delete(sms.KeySnoozeDue(*c.SnoozedUntil, a.orgID, c.ID))
	c.SnoozedUntil, c.UpdatedAt = nil, a.now()
	c.UnreadCount = max(c.UnreadCount, 1)
	_, err := a.commit(b, &c)
	return err
}

// onFireScheduled drains a due scheduled send back through the whole
// pipeline, so an opt-out or a close in the meantime wins.
func (a *Actor) onFireScheduled(ctx actor.Context, m *FireScheduled) error {
	sc, err := sms.GetScheduled(a.d.Store, a.orgID, m.ID)
	if err != nil {
		return err
	}
	if sc.Status != sms.SchedPending || sc.SendAt.After(a.now()) || a.conv == nil {
		return nil
	}
	if a.conv.Status == sms.StatusClosed {
		now := a.now()
		s2 := *sc
		s2.Status, s2.Reason, s2.UpdatedAt, s2.DoneAt = sms.SchedFailed, "conversation_closed", now, &now
		b := a.d.Store.NewBatch()
		sms.PutScheduled(b, sc, &s2)
		return b.Commit(storage.Sync)
	}
	_, err = a.onSend(ctx, &Send{Body: sc.Body, MediaURLs: sc.MediaURLs, HonorQuietHours: sc.HonorQuietHours,
		Author: sc.Author, Source: sc.Source}, sc)
	return err
}

func (a *Actor) onCancelScheduled(m *CancelScheduled) (*sms.Scheduled, error) {
	sc, err := sms.GetScheduled(a.d.Store, a.orgID, m.ID)
	if err != nil {
		return nil, err
	}
	if sc.Status != sms.SchedPending {
		return nil, storage.Conflict("not_pending", "only a pending scheduled message can be cancelled (it is "+sc.Status+")")
	}
	now := a.now()
	s2 := *sc
	s2.Status, s2.Reason, s2.UpdatedAt, s2.DoneAt = sms.SchedCancelled, "cancelled", now, &now
	b := a.d.Store.NewBatch()
	sms.PutScheduled(b, sc, &s2)
	if err := b.Commit(storage.Sync); err != nil {
		return nil, err
	}
	return &s2, nil
}

// onOptedOut cancels the thread's pending scheduled texts after the contact
// opted out elsewhere (Directory.OptedOut).
func (a *Actor) onOptedOut() error {
	b := a.d.Store.NewBatch()
	if err := a.cancelPending(b, "", "opted_out", a.now()); err != nil {
		b.Discard()
		return err
	}
	return b.Commit(storage.Sync)
}

// cancelPending cancels this thread's pending scheduled sends inside b;
// source "" means every source.
func (a *Actor) cancelPending(b *storage.Batch, source, reason string, now time.Time) error {
	if a.conv == nil || a.noSched {
		return nil
	}
	pending, err := sms.PendingScheduled(a.d.Store, a.orgID, a.conv.ID)
	if err != nil {
		return err
	}
	a.noSched = len(pending) == 0
	for _, sc := range pending {
		if source != "" && sc.Source != source {
			continue
		}
		s2 := *sc
		s2.Status, s2.Reason, s2.UpdatedAt, s2.DoneAt = sms.SchedCancelled, reason, now, &now
		sms.PutScheduled(b, sc, &s2)
	}
	return nil
}
