package call

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/humd/humd/actors/call/live"
	"github.com/humd/humd/actors/system"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/calls"
	"github.com/humd/humd/storage/flows"
	"github.com/humd/humd/storage/sms"
)

// Default words when a flow has none.
const (
	msgNoFlow     = "Sorry, this number is not taking calls right now. Goodbye."
	msgAfterHours = "Thanks for calling. We're closed right now."
	msgLeaveMsg   = "Please leave a message after the beep."
	msgNoAnswer   = "Sorry, nobody could take your call."
)

// onRing decides how an inbound call is answered and stores the call before
// Twilio hears anything. A retried webhook (same CallSid) finds the record
// and answers the same decision without writing.
func (a *Actor) onRing(ctx actor.Context, m *Ring) (*Ringing, error) {
	if a.call != nil {
		return a.ringing(a.call)
	}
	n, err := sms.NumberByE164(a.d.Store, m.To)
	if err != nil {
		return nil, fmt.Errorf("inbound call to %s: %w", m.To, err)
	}
	now := a.now()
	c := &calls.Call{ID: a.id, OrgID: n.OrgID, CallSID: m.CallSID, NumberID: n.ID, Direction: "inbound",
		From: m.From, To: m.To, Status: calls.StatusRinging, StartedAt: now, CreatedAt: now, Tags: []string{}}
	b := a.d.Store.NewBatch()
	blocked, err := sms.IsBlocked(a.d.Store, n.OrgID, m.From)
	if err != nil {
		b.Discard()
		return nil, err
	}
	var f *flows.Flow
	switch {
	case blocked:
		// SPEC 1.8: rejected before any AI runs; a minimal record is kept.
		c.Route, c.Status, c.EndReason, c.EndedAt = RouteRejected, calls.StatusCanceled, "blocked", &now
	case n.FlowID == nil:
		c.Route, c.EndReason = RouteClosed, "no_flow"
	default:
		if f, err = a.d.Flow(n.OrgID, *n.FlowID); err != nil {
			b.Discard()
			return nil, err
		}
		c.FlowID, c.FlowPath = f.ID, []string{f.ID}
		bh, err := a.d.hoursOf(f)
		if err != nil {
			b.Discard()
			return nil, err
		}
		switch {
		case bh == nil || bh.IsOpen(now):
			c.Route = RouteConnect
		case f.VoicemailEnabled:
			c.Route = RouteVoicemail
		default:
			c.Route, c.EndReason = RouteClosed, "after_hours"
		}
	}
	save := func() error { return a.start(b, c, m.From) }
	if blocked {
		save = func() error { return a.save(b, c) } // no contact, no event: SPEC 1.8's minimal record
	}
	if err := save(); err != nil {
		return nil, err
	}
	a.flow = f
	a.finalized = blocked
	a.summarized = blocked
	if blocked {
		a.publish(live.Ended, map[string]any{"status": c.Status, "reason": "blocked"})
	}
	switch c.Route {
	case RouteConnect:
		a.armDetach(ctx, 2*a.d.DetachGrace) // Twilio opens the socket within seconds
	case RouteClosed:
		a.armClose(ctx, a.d.DetachGrace) // a message, then Twilio hangs up
	case RouteVoicemail:
		a.armClose(ctx, VoicemailMaxLength+a.d.DetachGrace)
	}
	return a.ringing(c)
}

// VoicemailMaxLength bounds a recorded message (<Record maxLength>).
const VoicemailMaxLength = 120 * time.Second

// armClose closes a call no agent is on (closed, voicemail, the end of a
// transfer) after d unless the voicemail or Twilio's final status does first:
// a number without a status callback must still see its calls end, with
// call.completed and the CRM sync.
func (a *Actor) armClose(ctx actor.Context, d time.Duration) {
	a.closeGen++
	a.closing = true
	system.SendAfter(ctx, a.d.Clock, d, &closeTimeout{gen: a.closeGen})
}

// MaxCallLength bounds a transferred call humd cannot see the end of:
// Twilio's default time limit for a call.
const MaxCallLength = 4 * time.Hour

// onResume arms again, in a humd started after the call began, what would
// have closed it: a call on the agent with no socket now (the old process
// held it) waits for Twilio's status as if its socket had just closed, twice
// as long if it never got one; a transferred caller may still be talking to
// a person, so only Twilio's time limit closes it; every other call waits as
// long as a voicemail.
func (a *Actor) onResume(ctx actor.Context) {
	if a.call == nil || a.finalized || a.closing || a.out != nil {
		return
	}
	switch {
	case a.call.Transfer != nil:
		a.armClose(ctx, MaxCallLength)
	case a.call.Route == RouteConnect && a.call.Transfer == nil && a.call.AnsweredAt != nil:
		a.armDetach(ctx, a.d.DetachGrace)
	case a.call.Route == RouteConnect && a.call.Transfer == nil:
		a.armDetach(ctx, 2*a.d.DetachGrace)
	default:
		a.armClose(ctx, VoicemailMaxLength+a.d.DetachGrace)
	}
}

func (a *Actor) onCloseTimeout(ctx actor.Context, m *closeTimeout) error {
	if m.gen != a.closeGen {
		return nil
	}
	a.closing = false
	if a.finalized || a.call == nil {
		return nil
	}
	reason := "no_status"
	if a.call.Route == RouteVoicemail {
		reason = "no_message" // the caller hung up before the beep, or Twilio never posted the recording
	}
	return a.finalize(ctx, reason)
}

// start stores a new call with the other party's contact (created on first
// contact) and call.started, in b.
func (a *Actor) start(b *storage.Batch, c *calls.Call, other string) error {
	ct, _, err := sms.EnsureContact(a.d.Store, b, c.OrgID, other, c.CreatedAt)
	if err != nil {
		b.Discard()
		return err
	}
	c.ContactID, c.ContactName = ct.ID, ct.Name
	if err := a.event(b, c.OrgID, calls.EvCallStarted, map[string]any{"call": c}); err != nil {
		return err
	}
	return a.save(b, c)
}

// ringing rebuilds the answer from the stored decision.
func (a *Actor) ringing(c *calls.Call) (*Ringing, error) {
	r := &Ringing{Call: c, Flow: a.flow}
	if c.Route == "" {
		return nil, storage.Conflict("not_inbound", "this call was not rung through /twilio/voice")
	}
	switch c.Route {
	case RouteClosed:
		r.Message = msgNoFlow
		if c.EndReason == "after_hours" {
			r.Message = a.afterHours(false)
		}
	case RouteVoicemail:
		r.Message = a.afterHours(true)
	}
	return r, nil
}

func (a *Actor) afterHours(voicemail bool) string {
	msg := msgAfterHours
	if bh, err := a.d.hoursOf(a.flow); err == nil && bh != nil && bh.AfterHoursMessage != "" {
		msg = bh.AfterHoursMessage
	}
	if voicemail {
		msg += " " + msgLeaveMsg
	}
	return msg
}

// onPlace stores an outbound call and places it off the mailbox.
func (a *Actor) onPlace(ctx actor.Context, m *Place) (*calls.Call, error) {
	if a.call != nil {
		return a.current()
	}
	// Asked again here, the one path every placed call takes, so nothing
	// is stored or dialled for a contact who may not be called.
	if err := Consent(a.d.Store, m.OrgID, m.To); err != nil {
		return nil, err
	}
	f, err := a.d.Flow(m.OrgID, m.FlowID)
	if err != nil {
		return nil, err
	}
	if a.d.Dialer == nil || a.d.OutboundTwiML == nil {
		return nil, errors.New("call: no dialer configured")
	}
	now := a.now()
	c := &calls.Call{ID: a.id, OrgID: m.OrgID, NumberID: m.NumberID, FlowID: f.ID, FlowPath: []string{f.ID}, Direction: "outbound",
		From: m.From, To: m.To, Status: calls.StatusQueued, Route: RouteConnect, TaskContext: m.TaskContext,
		StartedAt: now, CreatedAt: now, Tags: []string{}}
	if err := a.start(a.d.Store.NewBatch(), c, m.To); err != nil {
		return nil, err
	}
	a.flow = f
	twiml, err := a.d.OutboundTwiML(c, f)
	if err != nil {
		return nil, err
	}
	dial := &Dial{From: c.From, To: c.To, TwiML: twiml, OrgID: c.OrgID, CallID: c.ID}
	if a.d.StatusCallback != nil {
		dial.StatusCallback = a.d.StatusCallback(c)
	}
	self, root, dialer := ctx.Self(), ctx.ActorSystem().Root, a.d.Dialer
	go func() {
		cctx, cancel := context.WithTimeout(context.Background(), a.d.TurnTimeout)
		defer cancel()
		sid, err := dialer.PlaceCall(cctx, dial)
		root.Send(self, &placed{sid: sid, err: err})
	}()
	return a.current()
}

func (a *Actor) onPlaced(ctx actor.Context, m *placed) error {
	if a.call == nil {
		return nil
	}
	c := *a.call
	if m.err != nil {
		c.Status, c.EndReason = calls.StatusFailed, "dial_failed: "+m.err.Error()
		if err := a.save(a.d.Store.NewBatch(), &c); err != nil {
			return err
		}
		return a.finalize(ctx, "dial_failed")
	}
	c.CallSID = m.sid
	if err := a.save(a.d.Store.NewBatch(), &c); err != nil {
		return err
	}
	a.setState(&c)
	return nil
}

func statusRank(s string) int {
	switch s {
	case calls.StatusQueued:
		return 0
	case calls.StatusRinging:
		return 1
	case calls.StatusInProgress:
		return 2
	}
	return 3
}

// onStatus moves the status forward only; a final status closes the call.
// A repeated or stale callback changes nothing.
func (a *Actor) onStatus(ctx actor.Context, m *Status) (*calls.Call, error) {
	st, ok := calls.TwilioStatus(m.Status)
	if !ok {
		return nil, storage.Invalid("CallStatus", "unknown call status "+m.Status)
	}
	if a.call == nil {
		return nil, fmt.Errorf("call %s: %w", a.id, storage.ErrNotFound)
	}
	final := statusRank(st) == 3
	if a.finalized && final && m.DurationS > 0 && m.DurationS != a.call.DurationS {
		// Closed without this callback (a voicemail, the safety timer): Twilio's
		// duration replaces humd's estimate, and nothing fires again.
		c := *a.call
		c.DurationS = m.DurationS
		if err := a.save(a.d.Store.NewBatch(), &c); err != nil {
			return nil, err
		}
		return a.current()
	}
	if a.finalized || !final && statusRank(st) <= statusRank(a.call.Status) {
		return a.current()
	}
	c := *a.call
	if !c.Ended() {
		c.Status = st
	}
	if m.DurationS > 0 {
		c.DurationS = m.DurationS
	}
	if st == calls.StatusInProgress && c.AnsweredAt == nil {
		now := a.now()
		c.AnsweredAt = &now
	}
	if m.CallSID != "" && c.CallSID == "" {
		c.CallSID = m.CallSID
	}
	if err := a.save(a.d.Store.NewBatch(), &c); err != nil {
		return nil, err
	}
	a.setState(&c)
	if c.Ended() {
		if err := a.finalize(ctx, "status"); err != nil {
			return nil, err
		}
	}
	return a.current()
}

// onRecording stores a voicemail (once) or the call's recording URL. A
// voicemail is the end of its call: nothing follows the message, and Twilio
// may post no final status.
func (a *Actor) onRecording(ctx actor.Context, m *Recording) (*calls.Call, error) {
	if a.call == nil {
		return nil, fmt.Errorf("call %s: %w", a.id, storage.ErrNotFound)
	}
	c := *a.call
	b := a.d.Store.NewBatch()
	if m.Voicemail {
		if _, err := calls.VoicemailOf(a.d.Store, c.OrgID, c.ID); err == nil {
			b.Discard()
			// A retried callback; the first may have stored the voicemail and
			// failed to end the call, which this retry then does.
			if err := a.finalize(ctx, "voicemail"); err != nil { // a no-op once ended
				return nil, err
			}
			return a.current()
		} else if !errors.Is(err, storage.ErrNotFound) {
			b.Discard()
			return nil, err
		}
		vm := &calls.Voicemail{ID: storage.NewID("vm"), OrgID: c.OrgID, CallID: c.ID, From: c.From, FlowID: c.FlowID,
			RecordingURL: m.URL, DurationS: m.DurationS, CreatedAt: a.now()}
		calls.PutVoicemail(b, vm)
		if err := a.event(b, c.OrgID, calls.EvVoicemail, map[string]any{"voicemail": vm, "call_id": c.ID}); err != nil {
			return nil, err
		}
		c.Status = calls.StatusVoicemail
	} else if c.RecordingURL == m.URL {
		b.Discard()
		return a.current()
	}
	c.RecordingURL = m.URL
	if err := a.save(b, &c); err != nil {
		return nil, err
	}
	if m.Voicemail {
		if err := a.finalize(ctx, "voicemail"); err != nil {
			return nil, err
		}
	}
	return a.current()
}

func (a *Actor) onTranscription(m *Transcription) (*calls.Call, error) {
	if a.call == nil {
		return nil, fmt.Errorf("call %s: %w", a.id, storage.ErrNotFound)
	}
	vm, err := calls.VoicemailOf(a.d.Store, a.call.OrgID, a.call.ID)
	if err != nil {
		return nil, err
	}
	if vm.Transcript != m.Text {
		vm.Transcript = m.Text
		b := a.d.Store.NewBatch()
		calls.PutVoicemail(b, vm)
		if err := b.Commit(storage.Sync); err != nil {
			return nil, err
		}
	}
	return a.current()
}

// onAction answers Twilio after the relay session ended: dial the transfer
// target if the agent asked for one, else hang up.
func (a *Actor) onAction(_ actor.Context) (*Next, error) {
	if a.call == nil {
		return nil, fmt.Errorf("call %s: %w", a.id, storage.ErrNotFound)
	}
	n := &Next{Call: a.call}
	if t := a.call.Transfer; t != nil && !a.finalized {
		n.DialE164 = t.E164
	}
	return n, nil
}

// onDialDone falls back to voicemail when a transfer was not answered.
// Either way the call is over soon (a hang-up, a goodbye, a message), so the
// close timer stands in for a final status that may never come.
func (a *Actor) onDialDone(ctx actor.Context, m *DialDone) (*Next, error) {
	if a.call == nil {
		return nil, fmt.Errorf("call %s: %w", a.id, storage.ErrNotFound)
	}
	n := &Next{Call: a.call}
	if a.finalized {
		return n, nil
	}
	if m.DialStatus == "completed" {
		a.armClose(ctx, a.d.DetachGrace)
		return n, nil
	}
	if a.flow != nil && a.flow.VoicemailEnabled {
		a.armClose(ctx, VoicemailMaxLength+a.d.DetachGrace)
		n.Voicemail, n.Message = true, msgNoAnswer+" "+msgLeaveMsg
		c := *a.call
		c.Route = RouteVoicemail
		if err := a.save(a.d.Store.NewBatch(), &c); err != nil {
			return nil, err
		}
		n.Call = a.call
		return n, nil
	}
	n.Message = msgNoAnswer + " Goodbye."
	a.armClose(ctx, a.d.DetachGrace)
	return n, nil
}
