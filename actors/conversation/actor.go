package conversation

import (
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/humd/humd/actors/ai"
	"github.com/humd/humd/actors/clock"
	"github.com/humd/humd/actors/sender"
	"github.com/humd/humd/actors/system"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/sms"
	"github.com/humd/humd/storage/tenancy"
)

// Senders hands texts to the sender actor of a number (sender.Directory,
// which reaches it by identity through the system.Directory).
type Senders interface {
	Enqueue(n *sms.Number, e *sender.Enqueue)
}

// QuietHours is an org's business-hours window (D-12); nil means always open.
type QuietHours interface {
	IsOpen(t time.Time) bool
	NextOpen(t time.Time) time.Time
}

// Deps are what every conversation actor shares. cmd wires the real ones.
type Deps struct {
	Store  storage.Store
	Clock  clock.Clock
	Logger *slog.Logger
	// Org loads an org (system reply texts, business hours).
	Org func(orgID string) (*tenancy.Org, error)
	// Hours parses an org's business_hours_json; it answers nil for null.
	Hours   func(org *tenancy.Org) (QuietHours, error)
	Senders Senders
	// StatusCallbackURL is HUMD_PUBLIC_URL + /twilio/sms/status.
	StatusCallbackURL string
	// IdleAfter passivates a thread with no messages for this long (default 2m).
	IdleAfter time.Duration
	// MaxLive is how many thread actors may live before new activity gets
	// the short PressureIdleAfter instead (default 100,000: about 300 MiB of
	// actors). Ingesting 1,000,000 new threads at 10,000/s would otherwise
	// keep every one alive for its 2 minutes, about 3 GiB.
	MaxLive int
	// PressureIdleAfter is the idle time over MaxLive (default 5s).
	PressureIdleAfter time.Duration
	// MaxSendAttempts bounds retries of retryable provider errors (default 3).
	MaxSendAttempts int

	// The AI (issue 4); a nil Model or Flow turns it off.
	Model ai.Model
	// Flow loads an SMS flow of the org (storage.ErrNotFound if none).
	Flow func(orgID, flowID string) (*AIFlow, error)
	// OwnNumber reports whether an E.164 is one of humd's numbers (any org).
	OwnNumber func(e164 string) bool
	// Knowledge answers lookup_knowledge as JSON passages.
	Knowledge func(orgID, query string, k int) (string, error)
	// RunTimeout bounds one AI run (default 20s).
	RunTimeout time.Duration
	// External adds the flow's MCP tools to runs (nil: built-in tools only).
	External ai.ExternalTools
	// MayRunAI is billing's Gate for a model run (nil: always may). A
	// refused run is recorded as skipped with the reason, and the thread
	// waits for a person: the texts themselves are stored as ever, since
	// inbound service never stops.
	MayRunAI func(orgID string) error
	// SIDKnown is told a SID once the thread committed which of its texts
	// the SID belongs to, so a status callback that came first and was kept
	// (actors/sidstatus, wired by app) is handed to the thread now. nil:
	// nobody keeps early statuses.
	SIDKnown func(sid string)

	dir    *Directory
	actors *system.Registry
}

func (d *Deps) defaults() {
	if d.IdleAfter == 0 {
		d.IdleAfter = 2 * time.Minute
	}
	if d.MaxLive == 0 {
		d.MaxLive = 100_000
	}
	if d.PressureIdleAfter == 0 {
		d.PressureIdleAfter = 5 * time.Second
	}
	if d.MaxSendAttempts == 0 {
		d.MaxSendAttempts = 3
	}
	if d.RunTimeout == 0 {
		d.RunTimeout = 20 * time.Second
	}
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
}

// Actor owns one thread: the pair (our number, contact E.164). It is the only
// writer of the thread's conversation record, messages and scheduled sends,
// so the order of inbound texts, sends and keyword opt-outs is its mailbox's.
type Actor struct {
	d        *Deps
	ref      system.Ref
	orgID    string
	numberID string
	e164     string
	conv     *sms.Conversation // nil until the thread exists
	loaded   bool
	// noSched is set once a scan found no pending scheduled send and cleared
	// when this actor (their only writer) schedules one: every inbound text
	// cancels pending AI follow-ups, and the scan was a Pebble iterator per text.
	noSched  bool
	idle     system.IdleTimer
	inflight map[string]int // message id -> send attempts so far

	// AI state: texts waiting for a run, the debounce generation, the run in
	// flight (at most one), recent inbound bodies for the auto-responder guard.
	pending       []*sms.Message
	firstPending  time.Time
	debGen        uint64
	run           *runState
	recentInbound []inboundMark
	// runs is the thread's run window (start time, status), newest last,
	// and runSeq its last run seq: loaded from storage once (runsLoaded),
	// then kept by saveRun, since this actor is the only writer of its runs
	// and a run must not scan and decode up to 600 records (finding 33).
	runs       []runMark
	runSeq     uint64
	runsLoaded bool

	// received counts messages that came through the Directory, for passivation.
	received uint64
	// log carries the thread's ids (logger); logConv is the conversation
	// id it was built with.
	log     *slog.Logger
	logConv string
}

// Props builds the actor of (org, number, contact).
func Props(d *Deps, orgID, numberID, e164 string) *actor.Props {
	return system.Props(func() actor.Actor {
		return &Actor{d: d, ref: Ref(orgID, numberID, e164), orgID: orgID, numberID: numberID, e164: e164, inflight: map[string]int{}}
	})
}

// viaDirectory reports whether a message arrives through the
// system.Directory: the public protocol and the sender's results (timers,
// tool calls and run results are the actor's own traffic).
func viaDirectory(m any) bool {
	switch m.(type) {
	case *Inbound, *Send, *Open, *Status, *Get, *Read, *Close, *Reopen, *Patch, *FireScheduled, *CancelScheduled, *SnoozeDue, *OptedOut,
		*sender.Result:
		return true
	case *RecordOptOut: // optout_call.go
		return true
	}
	return false
}

// Receive is one type switch; handlers return (reply, error) and Receive
// decides once what to do with them.
func (a *Actor) Receive(ctx actor.Context) {
	if _, ok := ctx.Message().(*actor.Started); ok {
		a.armIdle(ctx)
		return
	}
	if !a.loaded {
		if err := a.load(); err != nil {
			a.answer(ctx, nil, err)
			return
		}
	}
	var (
		reply any
		err   error
	)
	if viaDirectory(ctx.Message()) {
		a.received++
	}
	switch m := ctx.Message().(type) {
	case *Inbound:
		reply, err = a.onInbound(ctx, m)
	case *Send:
		reply, err = a.onSend(ctx, m, nil)
	case *Open:
		reply, err = a.onOpen(ctx, m)
	case *Status:
		reply, err = a.onStatus(m)
	case *sender.Result:
		err = a.onSenderResult(ctx, m)
	case *retrySend:
		err = a.onRetry(ctx, m)
	case *Get:
		reply, err = a.current()
	case *RecordOptOut:
		reply, err = a.onRecordOptOut(m)
	case *Read:
		reply, err = a.onRead()
	case *Close:
		reply, err = a.onClose(m)
	case *Reopen:
		reply, err = a.onReopen()
	case *Patch:
		reply, err = a.onPatch(m)
	case *FireScheduled:
		err = a.onFireScheduled(ctx, m)
	case *CancelScheduled:
		reply, err = a.onCancelScheduled(m)
	case *SnoozeDue:
		err = a.onSnoozeDue()
	case *OptedOut:
		err = a.onOptedOut()
	case *debounceFired:
		err = a.onDebounce(ctx, m)
	case *toolCall:
		a.onToolCall(m)
		return
	case *runDone:
		err = a.onRunDone(ctx, m)
	case *system.IdleTick:
		a.onIdle(ctx, m)
		return
	default:
		return
	}
	a.answer(ctx, reply, err)
	a.armIdle(ctx)
}

// answer replies to a request (errors are answers too); for plain sends it
// logs what went wrong, since nobody waits for it.
func (a *Actor) answer(ctx actor.Context, reply any, err error) {
	system.Answer(ctx, reply, err, a.logger())
}

// logger is the thread's logger: every line carries the org, number and
// contact and, once the thread exists, its conversation id, so an
// operator finds all of a conversation's lines (the edge's access line of
// the text that opened it among them) by one id.
func (a *Actor) logger() *slog.Logger {
	conv := ""
	if a.conv != nil {
		conv = a.conv.ID
	}
	if a.log == nil || conv != a.logConv {
		a.log, a.logConv = a.d.Logger.With("actor", "conversation", "org", a.orgID, "number", a.numberID, "contact", a.e164), conv
		if conv != "" {
			a.log = a.log.With("conversation", conv)
		}
	}
	return a.log
}

func (a *Actor) load() error {
	c, err := sms.ConversationByPair(a.d.Store, a.orgID, a.numberID, a.e164)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		a.conv = nil
	case err != nil:
		return err
	default:
		a.conv = c
	}
	a.loaded = true
	return nil
}

func (a *Actor) current() (*sms.Conversation, error) {
	if a.conv == nil {
		return nil, fmt.Errorf("conversation %s/%s: %w", a.numberID, a.e164, storage.ErrNotFound)
	}
	c := *a.conv
	return &c, nil
}

func (a *Actor) armIdle(ctx actor.Context) { a.idle.Touch(ctx, a.d.Clock, a.idleAfter()) }

func (a *Actor) idleAfter() time.Duration {
	if a.d.actors != nil && a.d.actors.Live(Kind) > a.d.MaxLive {
		return min(a.d.IdleAfter, a.d.PressureIdleAfter)
	}
	return a.d.IdleAfter
}

// onIdle stops a quiet thread; everything it knows is in Pebble, and the next
// message for the pair spawns it again.
func (a *Actor) onIdle(ctx actor.Context, m *system.IdleTick) {
	if !a.idle.Fired(ctx, a.d.Clock, m, a.idleAfter()) || len(a.inflight) > 0 || a.run != nil || len(a.pending) > 0 {
		return
	}
	if a.d.actors != nil && a.d.actors.Passivate(a.ref, ctx.Self(), a.received) {
		ctx.Stop(ctx.Self())
	}
}

func (a *Actor) number() (*sms.Number, error) { return sms.GetNumber(a.d.Store, a.orgID, a.numberID) }

func (a *Actor) now() time.Time { return a.d.Clock.Now().UTC() }
