package call

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/humd/humd/actors/ai"
	"github.com/humd/humd/actors/call/live"
	"github.com/humd/humd/actors/system"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/calls"
	"github.com/humd/humd/storage/events"
	"github.com/humd/humd/storage/flows"
)

// Actor owns one call: its record, transcript and the turn in flight. It is
// the only writer of the call record (tags included: review.go), of its
// turns, tool rows, notes and voicemail.
type Actor struct {
	d   *Deps
	svc *Service
	id  string

	call   *calls.Call // nil until rung or placed
	flow   *flows.Flow
	loaded bool

	out     Out
	history []ai.Message
	// toolList is the built-in tools of toolsFlow (turnTools).
	toolList  []ai.Tool
	toolsFlow *flows.Flow
	last      *calls.Turn // the newest transcript line (an interrupt may correct it)
	turnSeq   uint64
	toolSeq   uint64

	// The turn in flight: its generation (stale results are dropped), its
	// cancel, and what has been streamed to the caller so far.
	gen     uint64
	turn    *turnState
	waiting int  // caller lines that arrived before the pre-call hooks ended
	hooked  bool // pre-call hooks are done (or not needed)

	// What the agent asked for, applied when its turn ends: hang up, the
	// transfer (sent once), the new agent's greeting after a switch.
	endAfter     map[string]any
	transferSent bool
	switched     string

	detachGen  uint64
	closeGen   uint64 // the close timer of a call no agent is on (ring.go)
	closing    bool   // that timer is pending: the actor must not passivate
	finalized  bool
	summarized bool
	idle       system.IdleTimer
	received   uint64
	// log carries the call's ids (logger); logOrg is the org it was built
	// with ("" until the call's record is known).
	log    *slog.Logger
	logOrg string
}

type turnState struct {
	gen     uint64
	cancel  context.CancelFunc
	spoken  strings.Builder
	flowID  string
	started time.Time
}

// viaDirectory reports the public protocol (everything else is the actor's
// own traffic and is not counted for passivation).
func viaDirectory(m any) bool {
	switch m.(type) {
	case *Ring, *Place, *Status, *Recording, *Transcription, *Action, *DialDone, *Attach, *Prompt, *DTMF,
		*Interrupt, *RelayError, *Detach, *Get, *Resume,
		*AddTag, *RemoveTag, *AddNote, *EditNote, *DeleteNote, *SetHeard:
		return true
	}
	return false
}

// Receive is one type switch; handlers answer (reply, error).
func (a *Actor) Receive(ctx actor.Context) {
	msg := ctx.Message()
	if _, ok := msg.(*actor.Started); ok {
		a.armIdle(ctx)
		return
	}
	if viaDirectory(msg) {
		a.received++
	}
	hint := ""
	if m, ok := msg.(orgScoped); ok {
		hint = m.askingOrg()
	}
	if !a.loaded || a.call == nil && hint != "" {
		if err := a.load(hint); err != nil {
			a.answer(ctx, nil, err)
			return
		}
	}
	var (
		reply any
		err   error
	)
	switch m := msg.(type) {
	case *Ring:
		reply, err = a.onRing(ctx, m)
	case *Place:
		reply, err = a.onPlace(ctx, m)
	case *placed:
		err = a.onPlaced(ctx, m)
	case *Status:
		reply, err = a.onStatus(ctx, m)
	case *Recording:
		reply, err = a.onRecording(ctx, m)
	case *Transcription:
		reply, err = a.onTranscription(m)
	case *Action:
		reply, err = a.onAction(ctx)
	case *DialDone:
		reply, err = a.onDialDone(ctx, m)
	case *Attach:
		reply, err = a.onAttach(ctx, m)
	case *hooksDone:
		err = a.onHooksDone(ctx, m)
	case *Prompt:
		err = a.onPrompt(ctx, m)
	case *DTMF:
		err = a.onDTMF(ctx, m)
	case *Interrupt:
		err = a.onInterrupt(m)
	case *RelayError:
		a.logger().Warn("relay error frame", "description", m.Description)
	case *Detach:
		a.onDetach(ctx, m)
	case *detachTimeout:
		err = a.onDetachTimeout(ctx, m)
	case *closeTimeout:
		err = a.onCloseTimeout(ctx, m)
	case *delta:
		a.onDelta(m)
	case *toolCall:
		a.onToolCall(ctx, m)
		return
	case *turnDone:
		err = a.onTurnDone(ctx, m)
	case *summaryDone:
		err = a.onSummaryDone(m)
	case *Get:
		reply, err = a.current()
	case *AddTag:
		reply, err = a.onAddTag(m)
	case *RemoveTag:
		reply, err = a.onRemoveTag(m)
	case *AddNote:
		reply, err = a.onAddNote(m)
	case *EditNote:
		reply, err = a.onEditNote(m)
	case *DeleteNote:
		reply, err = a.onDeleteNote(m)
	case *SetHeard:
		reply, err = a.onSetHeard(m)
	case *Resume:
		a.onResume(ctx)
	case *system.IdleTick:
		a.onIdle(ctx, m)
		return
	default:
		return
	}
	a.answer(ctx, reply, err)
	a.armIdle(ctx)
}

func (a *Actor) answer(ctx actor.Context, reply any, err error) {
	system.Answer(ctx, reply, err, a.logger())
}

// logger is the call's logger: every line carries the call id and, once
// the call's record is known, its org.
func (a *Actor) logger() *slog.Logger {
	org := ""
	if a.call != nil {
		org = a.call.OrgID
	}
	if a.log == nil || org != a.logOrg {
		a.log, a.logOrg = a.d.Logger.With("actor", "call", "call", a.id), org
		if org != "" {
			a.log = a.log.With("org", org)
		}
	}
	return a.log
}

// load reads the call's record, if any; hint is the org a message names,
// for a record the call-id index does not list.
func (a *Actor) load(hint string) error {
	a.loaded = true
	c, err := a.loadCall(hint)
	if errors.Is(err, storage.ErrNotFound) {
		return nil
	}
	if err != nil {
		a.loaded = false
		return err
	}
	a.call = c
	a.finalized = c.Finalized()
	// A summary in flight died with the actor (or process) that asked for
	// it; none is asked again, so an ended call may passivate.
	a.summarized = a.finalized
	if c.FlowID != "" {
		if f, err := a.d.Flow(c.OrgID, c.FlowID); err == nil {
			a.flow = f
		}
	}
	turns, err := calls.Turns(a.d.Store, c.OrgID, c.ID)
	if err != nil {
		return err
	}
	for _, t := range turns {
		a.turnSeq = t.Seq
		a.history = appendHistory(a.history, t)
		a.last = t
	}
	tools, err := calls.Tools(a.d.Store, c.OrgID, c.ID)
	if err != nil {
		return err
	}
	if n := len(tools); n > 0 {
		a.toolSeq = tools[n-1].Seq
	}
	return nil
}

// loadCall finds the record by id across orgs: the id is all a callback
// carries, and the call-id index names the org.
func (a *Actor) loadCall(hint string) (*calls.Call, error) {
	if a.call != nil {
		return calls.Get(a.d.Store, a.call.OrgID, a.id)
	}
	ref, err := a.d.Store.Get(calls.KeyCallOrg(a.id))
	if errors.Is(err, storage.ErrNotFound) && hint != "" {
		return calls.Get(a.d.Store, hint, a.id)
	}
	if err != nil {
		return nil, fmt.Errorf("call %s: %w", a.id, err)
	}
	return calls.Get(a.d.Store, string(ref), a.id)
}

func (a *Actor) current() (*calls.Call, error) {
	if a.call == nil {
		return nil, fmt.Errorf("call %s: %w", a.id, storage.ErrNotFound)
	}
	c := *a.call
	return &c, nil
}

// save writes the call (plus whatever else is in b) durably. The actor is
// the record's only writer, so what it holds is what is stored.
func (a *Actor) save(b *storage.Batch, c *calls.Call) error {
	a.put(b, c)
	if err := b.Commit(storage.Sync); err != nil {
		return err
	}
	a.call = c
	return nil
}

// saveLater is save for the turn loop, whose writes answer no one: the
// batch is applied now (visible, and ordered in the WAL before anything the
// actor writes next) and its fsync is waited for off the mailbox, so a
// token or the next prompt never queues behind a disk. Nothing is lost by
// it: every answer the actor gives (a status callback, the call's end) is
// a Sync commit, durable only once everything applied before it is.
func (a *Actor) saveLater(b *storage.Batch, c *calls.Call) error {
	a.put(b, c)
	if err := a.commitLater(b); err != nil {
		return err
	}
	a.call = c
	return nil
}

// commitLater applies b and waits for its fsync on a goroutine (saveLater).
func (a *Actor) commitLater(b *storage.Batch) error {
	ap, err := b.Apply()
	if err != nil {
		return err
	}
	log := a.logger()
	go func() {
		if err := ap.Wait(); err != nil {
			log.Error("call write not made durable", "err", err)
		}
	}()
	return nil
}

func (a *Actor) put(b *storage.Batch, c *calls.Call) {
	if a.call == nil {
		b.Set(calls.KeyCallOrg(c.ID), []byte(c.OrgID))
	}
	if c.Tags == nil {
		c.Tags = []string{}
	}
	c.UpdatedAt = a.now()
	calls.Put(b, a.call, c)
}

// event appends a voice event to the org's log inside b.
func (a *Actor) event(b *storage.Batch, org, typ string, data map[string]any) error {
	if _, err := events.Append(a.d.Store, b, org, typ, a.now(), data); err != nil {
		b.Discard()
		return err
	}
	return nil
}

func (a *Actor) publish(typ string, data any) {
	if a.call == nil {
		return
	}
	raw, _ := json.Marshal(data)
	a.d.Hub.Publish(a.call.ID, live.Event{Type: typ, At: a.now(), Data: raw})
}

func (a *Actor) setState(c *calls.Call) {
	a.publish(live.State, map[string]any{"status": c.Status, "flow_id": c.FlowID})
}

func (a *Actor) armIdle(ctx actor.Context) { a.idle.Touch(ctx, a.d.Clock, a.d.IdleAfter) }

// onIdle stops the actor of a call that is over (or never existed); a live
// call keeps its actor, since the socket and the turn live in memory.
func (a *Actor) onIdle(ctx actor.Context, m *system.IdleTick) {
	if !a.idle.Fired(ctx, a.d.Clock, m, a.d.IdleAfter) || a.turn != nil || a.out != nil {
		return
	}
	if a.call != nil && !(a.finalized && a.summarized) && (a.call.Route == RouteConnect || a.closing) {
		return
	}
	if a.svc.dir.Passivate(Ref(a.id), ctx.Self(), a.received) {
		ctx.Stop(ctx.Self())
	}
}

func (a *Actor) now() time.Time { return a.d.Clock.Now().UTC() }

func appendHistory(h []ai.Message, t *calls.Turn) []ai.Message {
	switch t.Role {
	case "caller":
		return append(h, ai.Message{Role: "user", Text: t.Text})
	case "agent":
		text := t.Text
		if t.Interrupted {
			text = t.Heard
		}
		if text == "" {
			return h
		}
		return append(h, ai.Message{Role: "assistant", Text: text})
	case "system":
		return append(h, ai.Message{Role: "user", Text: t.Text})
	}
	return h
}

// Internal messages.
type (
	detachTimeout struct{ gen uint64 }
	closeTimeout  struct{ gen uint64 }
	hooksDone     struct{ context string }
	placed        struct {
		sid string
		err error
	}
	delta struct {
		gen  uint64
		text string
	}
	turnDone struct {
		gen uint64
		res *ai.Result
		err error
	}
	toolCall struct {
		gen   uint64
		call  ai.ToolCall
		reply chan<- ai.ToolOutcome
	}
	summaryDone struct {
		res *ai.Result
		err error
	}
)
