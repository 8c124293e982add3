package campaign

import (
	"errors"
	"fmt"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/humd/humd/actors/conversation"
	"github.com/humd/humd/actors/sender"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/campaigns"
	"github.com/humd/humd/storage/events"
	"github.com/humd/humd/storage/phone"
	"github.com/humd/humd/storage/sms"
)

// Recipient local sending window (D-7): 08:00 to 21:00.
const (
	windowOpen  = 8 * 60
	windowClose = 21 * 60
)

// FlowOverrideFor is how long a campaign with a flow_id routes a thread's
// replies to that flow after its send (SPEC 2.9).
const FlowOverrideFor = 14 * 24 * time.Hour

// dispatch is one step of the loop: start a queued campaign when its time
// has come, wait out closed business hours, and send to the next recipient
// whose local time allows it, arming the next tick.
func (a *Actor) dispatch(ctx actor.Context) error {
	if a.d.observe != nil {
		defer func() { a.d.observe(len(a.buf), len(a.inflight)) }()
	}
	now := a.now()
	switch a.c.Status {
	case campaigns.Queued:
		if at := a.c.ScheduledStartAt; at != nil && at.After(now) {
			a.arm(ctx, at.Sub(now))
			return nil
		}
		c := *a.c
		c.Status, c.StartedAt, c.UpdatedAt = campaigns.Sending, &now, now
		if _, err := a.commit(a.d.Store.NewBatch(), &c); err != nil {
			return err
		}
	case campaigns.Sending:
	default:
		return nil
	}
	n, err := sms.GetNumber(a.d.Store, a.orgID, a.c.NumberID)
	if errors.Is(err, storage.ErrNotFound) || err == nil && !n.SMSEnabled {
		return a.fail(errNoNumber.Error())
	}
	if err != nil {
		return err
	}
	if a.c.HonorQuietHours {
		if next, closed, err := a.orgClosed(now); err != nil {
			return err
		} else if closed {
			a.arm(ctx, next.Sub(now))
			return nil
		}
	}
	base := time.Minute / time.Duration(a.c.ThrottlePerMinute)
	if len(a.inflight) >= a.d.MaxInflight {
		a.arm(ctx, base)
		return nil
	}
	r, wait, done, err := a.next(now)
	switch {
	case err != nil:
		return err
	case done:
		a.drained = true
		return a.maybeComplete(ctx)
	case r == nil:
		a.arm(ctx, wait)
		return nil
	}
	body := r.Body
	if body == "" {
		body = a.render(r)
	}
	interval := base
	if n.MPS > 0 { // never faster than the number's own rate (D-8)
		interval = max(interval, time.Duration(float64(sender.Segments(body))/n.MPS*float64(time.Second)))
	}
	if err := a.send(ctx, r, body, now); err != nil {
		return err
	}
	if len(a.buf) == 0 { // was that the last one? then finish when its answer comes
		if err := a.refill(); err != nil {
			return err
		}
		a.drained = len(a.buf) == 0 && !a.deferred
	}
	a.arm(ctx, interval)
	return nil
}

// next answers the next pending recipient that may be texted now; or how
// long to wait when everyone left is outside their hours; or done when a
// whole pass found nobody pending.
func (a *Actor) next(now time.Time) (*campaigns.Recipient, time.Duration, bool, error) {
	for rescanned := false; ; {
		if len(a.buf) == 0 {
			if err := a.refill(); err != nil {
				return nil, 0, false, err
			}
		}
		if len(a.buf) == 0 { // end of a pass
			if !a.deferred {
				return nil, 0, true, nil
			}
			wake := a.wakeAt
			a.cursor, a.deferred, a.wakeAt = 0, false, time.Time{}
			if wake.After(now) || rescanned {
				return nil, max(wake.Sub(now), time.Second), false, nil
			}
			rescanned = true // someone's hours opened while this pass ran late: look again now
			continue
		}
		r := a.buf[0]
		a.buf = a.buf[1:]
		if a.c.HonorQuietHours {
			if open := a.localOpen(r.E164, now); !open.IsZero() {
				if !a.deferred || open.Before(a.wakeAt) {
					a.wakeAt = open
				}
				a.deferred = true
				continue
			}
		}
		return r, 0, false, nil
	}
}

// refill reads the next BatchSize pending rows after the cursor.
func (a *Actor) refill() error {
	var buf []*campaigns.Recipient
	err := campaigns.ScanRecipients(a.d.Store, a.orgID, a.id, a.cursor, func(r *campaigns.Recipient) (bool, error) {
		a.cursor = r.Seq
		if r.Status == campaigns.RPending {
			buf = append(buf, r)
		}
		return len(buf) < a.d.BatchSize, nil
	})
	a.buf = buf
	return err
}

// send commits the row as sending, then asks the conversation actor off the
// mailbox; the answer comes back as *sendDone.
func (a *Actor) send(ctx actor.Context, r *campaigns.Recipient, body string, now time.Time) error {
	r2 := *r
	r2.Status, r2.UpdatedAt = campaigns.RSending, &now
	b := a.d.Store.NewBatch()
	campaigns.PutRecipient(b, a.orgID, a.id, &r2)
	if err := b.Commit(storage.Sync); err != nil {
		return err
	}
	a.inflight[r.Seq] = true
	msg := &conversation.Open{InitialMessage: &conversation.Send{Body: body, Source: sms.SourceCampaign,
		Author: sms.Author{Type: "campaign", ID: a.id}}, FlowOverrideID: a.c.FlowID, FlowOverrideFor: FlowOverrideFor}
	self, root, threads, timeout := ctx.Self(), ctx.ActorSystem().Root, a.d.Threads, a.d.SendTimeout
	org, number, e164, seq := a.orgID, a.c.NumberID, r.E164, r.Seq
	go func() {
		done := &sendDone{seq: seq}
		res, err := threads.Request(conversation.Ref(org, number, e164), msg, timeout).Result()
		switch v := res.(type) {
		case error:
			done.err = v
		case *conversation.Opened:
			done.opened = v
		default:
			done.err = err
			if err == nil {
				done.err = errors.New("campaign: unexpected reply from the conversation")
			}
		}
		root.Send(self, done)
	}()
	return nil
}

// onSendDone records what the pipeline did with one recipient.
func (a *Actor) onSendDone(ctx actor.Context, m *sendDone) error {
	delete(a.inflight, m.seq)
	var r campaigns.Recipient
	if err := storage.GetJSON(a.d.Store, campaigns.KeyRecipient(a.orgID, a.id, m.seq), &r); err != nil {
		return err
	}
	now := a.now()
	r.UpdatedAt = &now
	var res *conversation.SendResult
	if m.opened != nil {
		res = m.opened.Send
	}
	switch {
	case errors.Is(m.err, actor.ErrTimeout):
		r.Status, r.Error = campaigns.RUnknown, "the send pipeline did not answer in time"
	case m.err != nil:
		r.Status, r.Error = campaigns.RFailed, m.err.Error()
	case res == nil:
		r.Status, r.Error = campaigns.RFailed, "the send pipeline answered no send"
	default:
		if res.Message != nil {
			r.MessageID, r.ConvID, r.MsgSeq = res.Message.ID, res.Message.ConversationID, res.Message.Seq
		}
		switch res.Status {
		case sms.MsgQueued:
			r.Status = campaigns.RSent
		case sms.MsgOptedOut:
			r.Status = campaigns.ROptedOut
		case sms.MsgBlocked:
			r.Status = campaigns.RSkipped
		case sms.MsgHeld:
			r.Status, r.Error = campaigns.RSkipped, "opt_out_suspected: the contact's text reads like a request to stop; a person decides"
		default:
			r.Status, r.Error = campaigns.RUnknown, "the send pipeline answered "+res.Status
		}
	}
	b := a.d.Store.NewBatch()
	campaigns.PutRecipient(b, a.orgID, a.id, &r)
	if err := b.Commit(storage.Sync); err != nil {
		return err
	}
	if a.finished++; a.finished%failureCheckEvery == 0 {
		if paused, err := a.checkFailureRate(); err != nil || paused {
			return err
		}
	}
	return a.maybeComplete(ctx)
}

// Failure-rate auto-pause (SPEC 2.9): once at least 50 sends reached the
// provider, more than 20% of the latest failureWindow failing pauses the
// campaign for a person to look at.
const (
	failureCheckEvery = 25
	failureMinSends   = 50
	failureWindow     = 100
)

// checkFailureRate reads delivery outcomes at read time over a window of the
// latest sends, so its cost does not grow with the campaign.
func (a *Actor) checkFailureRate() (bool, error) {
	if a.c.Status != campaigns.Sending {
		return false, nil
	}
	sent, failed, err := campaigns.RecentOutcomes(a.d.Store, a.orgID, a.id, a.cursor, failureWindow)
	if err != nil {
		return false, err
	}
	if sent < failureMinSends || failed*5 <= sent {
		return false, nil
	}
	c := *a.c
	c.Status, c.UpdatedAt = campaigns.Paused, a.now()
	c.PauseReason = fmt.Sprintf("%d of the latest %d sends failed (over 20%%)", failed, sent)
	a.reset()
	_, err = a.commit(a.d.Store.NewBatch(), &c)
	return true, err
}

// maybeComplete finishes a sending campaign once a pass found nobody pending
// and nothing is in flight: status completed and campaign.completed, in one
// batch.
func (a *Actor) maybeComplete(ctx actor.Context) error {
	if a.c.Status != campaigns.Sending || !a.drained || len(a.inflight) > 0 {
		return nil
	}
	counts, err := campaigns.CountOf(a.d.Store, a.orgID, a.id)
	if err != nil {
		return err
	}
	if counts.Pending > 0 { // cannot happen after a full pass; start another
		a.reset()
		a.arm(ctx, time.Second)
		return nil
	}
	now := a.now()
	c := *a.c
	c.Status, c.FinishedAt, c.UpdatedAt = campaigns.Completed, &now, now
	b := a.d.Store.NewBatch()
	if _, err := events.Append(a.d.Store, b, a.orgID, events.CampaignFinish, now,
		map[string]any{"campaign": &c, "counts": counts}); err != nil {
		b.Discard()
		return err
	}
	_, err = a.commit(b, &c)
	return err
}

// fail ends the campaign (the number is gone); pending rows stay pending.
func (a *Actor) fail(reason string) error {
	now := a.now()
	c := *a.c
	c.Status, c.FailReason, c.FinishedAt, c.UpdatedAt = campaigns.Failed, reason, &now, now
	a.reset()
	_, err := a.commit(a.d.Store.NewBatch(), &c)
	return err
}

// orgClosed answers whether now is outside the org's business hours and the
// next opening.
func (a *Actor) orgClosed(now time.Time) (time.Time, bool, error) {
	return conversation.NextOpening(a.d.Org, a.d.Hours, a.orgID, now)
}

// localOpen answers the zero time when now is 08:00-21:00 in every time zone
// the number may be in, else when the last of the closed zones opens. Numbers
// without a known zone use the org's time zone.
func (a *Actor) localOpen(e164 string, now time.Time) time.Time {
	zones := phone.TimeZones(e164)
	if len(zones) == 0 {
		zones = []string{a.orgZone()}
	}
	var wake time.Time
	for _, z := range zones {
		loc := a.location(z)
		lt := now.In(loc)
		mins := lt.Hour()*60 + lt.Minute()
		if mins >= windowOpen && mins < windowClose {
			continue
		}
		day := lt.Day()
		if mins >= windowClose {
			day++
		}
		open := time.Date(lt.Year(), lt.Month(), day, windowOpen/60, windowOpen%60, 0, 0, loc)
		if open.After(wake) {
			wake = open
		}
	}
	return wake
}

func (a *Actor) orgZone() string {
	if a.d.Org != nil {
		if org, err := a.d.Org(a.orgID); err == nil && org.Timezone != "" {
			return org.Timezone
		}
	}
	return "UTC"
}

func (a *Actor) location(zone string) *time.Location {
	if loc, ok := a.locs[zone]; ok {
		return loc
	}
	loc, err := time.LoadLocation(zone)
	if err != nil {
		loc = time.UTC
	}
	a.locs[zone] = loc
	return loc
}

// render fills the template from the row, then the org's contact.
func (a *Actor) render(r *campaigns.Recipient) string {
	out, _ := campaigns.RenderFor(a.d.Store, a.orgID, a.c.BodyTemplate, r)
	return out
}
