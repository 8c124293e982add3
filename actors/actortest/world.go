package actortest

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/humd/humd/actors/call"
	"github.com/humd/humd/actors/campaign"
	"github.com/humd/humd/actors/clock"
	"github.com/humd/humd/actors/consent"
	"github.com/humd/humd/actors/conversation"
	"github.com/humd/humd/actors/scheduler"
	"github.com/humd/humd/actors/sender"
	"github.com/humd/humd/actors/sidstatus"
	"github.com/humd/humd/actors/system"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/calls"
	"github.com/humd/humd/storage/events"
	"github.com/humd/humd/storage/flows"
	"github.com/humd/humd/storage/hours"
	"github.com/humd/humd/storage/knowledge"
	"github.com/humd/humd/storage/sms"
	"github.com/humd/humd/storage/tenancy"
)

// Start is where a World's clock starts unless Options.Now says otherwise:
// the same instant the end-to-end tests start at, so scripts read the same.
var Start = time.Date(2026, 11, 25, 15, 0, 0, 0, time.UTC)

// AdminKey is the bootstrap key of every World's org.
const AdminKey = "hum_live_testadminkey0000000000000000"

// AskTimeout bounds every request a World makes of an actor.
const AskTimeout = 10 * time.Second

// Options tune NewWorld.
type Options struct {
	// Now starts the fake clock (default Start).
	Now time.Time
	// Logger receives the actors' log (default: discarded).
	Logger *slog.Logger
	// Hourly is the scheduler's hourly job (brand polls in humd).
	Hourly func(now time.Time)
	// Crashable puts the store on Pebble's crashable in-memory filesystem,
	// for Crash.
	Crashable bool
}

// World is humd's actors wired as the composition root wires them, with
// fakes at the edges: Pebble on an in-memory filesystem, the fake clock, a
// fake carrier and dialer, the scripted model. It has no HTTP: tests talk to
// the actors through their directories and services, as the edge does.
// Restart stops everything and starts it again on the same data.
type World struct {
	T       testing.TB
	FS      vfs.FS
	Clock   *clock.Fake
	Store   *storage.Pebble
	System  *actor.ActorSystem
	Carrier *Carrier
	Dialer  *Dialer
	Model   *Model
	// OrgID is the bootstrap org's id.
	OrgID   string
	Tenancy *tenancy.Repo
	Flows   *flows.Repo
	Senders *sender.Directory
	Threads *conversation.Directory
	// SIDStatus routes status callbacks (ApplyStatus); Consent writes a
	// person's opt-outs and opt-ins.
	SIDStatus *sidstatus.Directory
	Consent   *consent.Directory
	// Actors reaches every actor by (kind, id), the scheduler (scheduler.Ref) among them.
	Actors    *system.Registry
	Campaigns *campaign.Service
	Calls     *call.Service

	log        *slog.Logger
	secretsKey []byte
	hourly     func(time.Time)
	onStart    []func(*World)
	// mu keeps played carrier callbacks off a store being closed.
	mu      sync.RWMutex
	stopped bool
}

// NewWorld starts a World that stops when the test ends.
func NewWorld(t testing.TB, o Options) *World {
	t.Helper()
	if o.Now.IsZero() {
		o.Now = Start
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	w := &World{T: t, FS: vfs.NewMem(), Model: NewModel(), log: o.Logger, hourly: o.Hourly, secretsKey: make([]byte, 32)}
	if o.Crashable {
		w.FS = vfs.NewCrashableMem()
	}
	_, _ = rand.Read(w.secretsKey)
	w.start(o.Now)
	t.Cleanup(w.Stop)
	return w
}

// Logger is the log the World's actors write to (discarded unless
// Options.Logger); services a test adds use it too.
func (w *World) Logger() *slog.Logger { return w.log }

// OnStart runs f now and again after every restart (services a test adds,
// such as webhook delivery, are rebuilt with the rest).
func (w *World) OnStart(f func(w *World)) {
	w.onStart = append(w.onStart, f)
	f(w)
}

func (w *World) start(now time.Time) {
	t := w.T
	t.Helper()
	w.Clock = clock.NewFake(now)
	w.Store = OpenStore(t, w.FS, w.secretsKey)
	w.System = system.New(w.log)
	w.Tenancy = &tenancy.Repo{Store: w.Store, Now: w.Clock.Now, ValidateHours: func(raw json.RawMessage) error {
		_, err := hours.Parse(raw)
		return err
	}}
	boot, err := w.Tenancy.Bootstrap(AdminKey)
	if err != nil {
		t.Fatalf("bootstrap: %v", err)
	}
	if boot.Created { // a restart keeps the org it had
		w.OrgID = boot.Org.ID
	}
	w.Flows = &flows.Repo{Store: w.Store, Now: w.Clock.Now}
	// A restarted carrier remembers nothing, as the sandbox's send log.
	w.Carrier = NewCarrier(w.Clock)
	w.Carrier.OnStatus = func(sid, status string, code int) {
		if err := w.ApplyStatus(sid, status, code); err != nil {
			w.log.Warn("played status callback", "sid", sid, "err", err)
		}
	}
	w.Dialer = &Dialer{}
	w.Senders = sender.NewDirectory(w.System.Root, sender.Config{Carrier: w.Carrier, Clock: w.Clock, Store: w.Store, Logger: w.log})
	knows := func(org, query string, k int) (string, error) { return knowledge.SearchJSON(w.Store, org, query, k) }
	cd := &conversation.Deps{Store: w.Store, Clock: w.Clock, Logger: w.log, Org: w.Tenancy.Org, Hours: OrgHours, Senders: w.Senders,
		StatusCallbackURL: "http://humd.test/twilio/sms/status", Model: w.Model, Knowledge: knows,
		Flow: func(org, id string) (*conversation.AIFlow, error) {
			f, err := w.Flows.Get(org, id)
			if err != nil {
				return nil, err
			}
			return conversation.AIFlowOf(f), nil
		},
		OwnNumber: func(e164 string) bool { ok, _ := w.Store.Has(sms.KeyNumberE164(e164)); return ok },
		SIDKnown:  func(sid string) { w.SIDStatus.Known(sid) }}
	w.Threads = conversation.NewDirectory(w.System.Root, cd)
	w.SIDStatus, w.Consent = sidstatus.NewDirectory(w.Threads), consent.NewDirectory(w.Threads)
	if err := w.SIDStatus.ResumeEarly(); err != nil {
		t.Fatal(err)
	}
	w.Actors = system.RegistryOf(w.System)
	scheduler.Start(w.System.Root, scheduler.Config{Store: w.Store, Clock: w.Clock, Threads: w.Actors, Logger: w.log, Hourly: w.hourly})
	flowChannel := func(org, id string) (string, error) {
		f, err := w.Flows.Get(org, id)
		if err != nil {
			return "", err
		}
		return f.Channel, nil
	}
	w.Campaigns = campaign.NewService(w.System.Root, &campaign.Deps{Store: w.Store, Clock: w.Clock, Logger: w.log, Threads: w.Actors,
		Org: w.Tenancy.Org, Hours: OrgHours, FlowChannel: flowChannel})
	if err := w.Campaigns.ResumeAll(); err != nil {
		t.Fatal(err)
	}
	w.Calls = call.New(w.System.Root, call.Deps{Store: w.Store, Clock: w.Clock, Logger: w.log, Model: w.Model, Knowledge: knows,
		Flow: w.Flows.Get, Org: w.Tenancy.Org, Dialer: w.Dialer,
		OutboundTwiML:  func(c *calls.Call, f *flows.Flow) (string, error) { return "<Response><Connect/></Response>", nil },
		StatusCallback: func(c *calls.Call) string { return "http://humd.test/twilio/voice/status?call_id=" + c.ID },
		Text: func(org, numberID, to, body, flowID string) {
			w.Threads.Tell(org, numberID, to, &conversation.Open{InitialMessage: &conversation.Send{Body: body,
				Author: sms.Author{Type: "ai", ID: flowID}, Source: "ai"}})
		},
		OptedOut: func(o *sms.OptOut, extra map[string]any) *actor.Future {
			// The contact's thread on the call's number owns the record.
			return w.Threads.Request(o.OrgID, o.NumberID, o.E164, &conversation.RecordOptOut{OptOut: o, Extra: extra}, 10*time.Second)
		}})
	if err := w.Calls.ResumeOpen(); err != nil {
		t.Fatal(err)
	}
	// Once each open call answers, it has taken its Resume and armed its
	// timers at this instant, before the test moves the clock.
	open, err := calls.OpenCalls(w.Store)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range open {
		_, _ = w.Calls.Request(id, &call.Get{}, AskTimeout).Result()
	}
	w.mu.Lock()
	w.stopped = false
	w.mu.Unlock()
	for _, f := range w.onStart {
		f(w)
	}
}

// Stop shuts the actors down and closes the store (idempotent).
func (w *World) Stop() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.stopped {
		return
	}
	w.stopped = true
	w.System.Shutdown()
	if err := w.Store.Close(); err != nil {
		w.T.Errorf("close store: %v", err)
	}
}

// Restart stops everything and starts it again on the same data, with a
// new clock at the same time: timers armed before (a carrier's pending
// callbacks, an actor's wake-ups) died with the process, as they would.
func (w *World) Restart() {
	w.T.Helper()
	now := w.Clock.Now()
	w.Stop()
	w.start(now)
}

// Crash is Restart after a power cut: the store comes back with only what
// had been fsynced when Crash was called (the World needs
// Options.Crashable). What the old actors write while stopping is lost.
func (w *World) Crash() {
	w.T.Helper()
	mem, ok := w.FS.(*vfs.MemFS)
	if !ok {
		w.T.Fatal("actortest: Crash needs Options.Crashable")
	}
	clone := mem.CrashClone(vfs.CrashCloneCfg{})
	now := w.Clock.Now()
	w.Stop()
	w.FS = clone
	w.start(now)
}

// Advance moves the clock minute by minute, draining the scheduler after
// each step, so due sends go out at their minute however slow the machine,
// and letting the actors settle before each step and after the last: what
// a timer set off is handled before time moves on.
func (w *World) Advance(d time.Duration) {
	w.T.Helper()
	Quiesce()
	for step := time.Minute; d > 0; d -= step {
		w.Clock.Advance(min(step, d))
		if _, err := Await[*scheduler.Drained](w.Actors.Request(scheduler.Ref, &scheduler.Tick{}, AskTimeout), &scheduler.Tick{}); err != nil {
			w.T.Fatalf("scheduler drain: %v", err)
		}
		Quiesce()
	}
}

// Quiesce waits, for at most a second, until no actor mailbox of the process
// is scheduled or running (system.Busy) on a few checks in a row. Work on
// an actor's own goroutines is unseen until it posts its result, so
// printing commands still Poll.
func Quiesce() {
	end := time.Now().Add(time.Second)
	for quiet := 0; quiet < 3 && time.Now().Before(end); {
		if system.Busy() == 0 {
			quiet++
			runtime.Gosched()
			continue
		}
		quiet = 0
		<-time.After(50 * time.Microsecond)
	}
}

// ApplyStatus is a carrier status callback for the text sid, routed as the
// edge routes it: to the thread that owns the SID, kept for later when it
// beats the carrier's own answer.
func (w *World) ApplyStatus(sid, status string, code int) error {
	w.mu.RLock()
	defer w.mu.RUnlock()
	if w.stopped {
		return errors.New("actortest: world stopped")
	}
	return w.SIDStatus.ApplyStatus(sid, status, code, AskTimeout)
}

// AddNumber registers e164 in the org with SMS enabled at mps texts a
// second, straight into the store.
func (w *World) AddNumber(e164 string, mps float64) *sms.Number {
	w.T.Helper()
	now := w.Clock.Now()
	n := &sms.Number{ID: storage.NewID("num"), OrgID: w.OrgID, E164: e164, FriendlyName: e164, SMSEnabled: true, MPS: mps,
		Capabilities: sms.Capabilities{Voice: true, SMS: true}, Provider: "sandbox", CreatedAt: now, UpdatedAt: now}
	w.PutNumber(n)
	return n
}

// PutNumber writes a number record (a test that assigns flows).
func (w *World) PutNumber(n *sms.Number) {
	w.T.Helper()
	b := w.Store.NewBatch()
	sms.PutNumber(b, n)
	if err := b.Commit(storage.Sync); err != nil {
		w.T.Fatal(err)
	}
}

// Inbound is a text from contact to our number, stored through its thread
// as the webhook stores it.
func (w *World) Inbound(sid, from, to, body string) (*conversation.InboundResult, error) {
	org, numberID, err := sms.NumberRef(w.Store, to)
	if err != nil {
		return nil, fmt.Errorf("inbound to %s: %w", to, err)
	}
	in := &conversation.Inbound{SID: sid, From: from, To: to, Body: body, NumSegments: 1}
	return Await[*conversation.InboundResult](w.Threads.Request(org, numberID, from, in, AskTimeout), in)
}

// Events answers the org's event log, oldest first.
func (w *World) Events() []*events.Event {
	w.T.Helper()
	var out []*events.Event
	page := storage.PageRequest{Limit: 200}
	for {
		evs, next, err := events.List(w.Store, w.OrgID, "", page)
		if err != nil {
			w.T.Fatal(err)
		}
		out = append(out, evs...)
		if next == "" {
			return out
		}
		page.Cursor = next
	}
}

// OrgHours parses an org's business hours for quiet hours, as the
// composition root does; nil means always open.
func OrgHours(org *tenancy.Org) (conversation.QuietHours, error) {
	bh, err := hours.Parse(org.BusinessHoursJSON)
	if err != nil || bh == nil {
		return nil, err
	}
	return bh, nil
}
