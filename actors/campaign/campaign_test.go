package campaign_test

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/humd/humd/actors/campaign"
	"github.com/humd/humd/actors/clock"
	"github.com/humd/humd/actors/conversation"
	"github.com/humd/humd/actors/system"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/campaigns"
	"github.com/humd/humd/storage/events"
	"github.com/humd/humd/storage/sms"
)

const org = "org_1"

// fakeThreads stands in for the conversation actors: it answers every Open
// at once as queued, and records who was texted and when.
type fakeThreads struct {
	root  *actor.RootContext
	pid   *actor.PID
	clk   *clock.Fake
	mu    sync.Mutex
	calls []call
	seen  map[string]int
	// hold, when set, delays every answer until it is closed.
	hold chan struct{}
}

type call struct {
	e164, body string
	at         time.Time
}

type ask struct {
	e164 string
	msg  any
}

func newFakeThreads(root *actor.RootContext, clk *clock.Fake) *fakeThreads {
	f := &fakeThreads{root: root, clk: clk, seen: map[string]int{}}
	f.pid = root.Spawn(actor.PropsFromFunc(func(ctx actor.Context) {
		a, ok := ctx.Message().(*ask)
		if !ok {
			return
		}
		open := a.msg.(*conversation.Open)
		f.mu.Lock()
		f.calls = append(f.calls, call{e164: a.e164, body: open.InitialMessage.Body, at: clk.Now()})
		f.seen[a.e164]++
		n := len(f.calls)
		f.mu.Unlock()
		reply := &conversation.Opened{Send: &conversation.SendResult{Status: sms.MsgQueued,
			Message: &sms.Message{ID: fmt.Sprintf("msg_%d", n), ConversationID: "conv_" + a.e164, Seq: 1}}}
		if f.hold == nil {
			ctx.Respond(reply)
			return
		}
		to, hold := ctx.Sender(), f.hold
		go func() {
			<-hold
			root.Send(to, reply)
		}()
	}))
	return f
}

func (f *fakeThreads) Request(ref system.Ref, msg any, timeout time.Duration) *actor.Future {
	e164 := ref.ID[strings.LastIndex(ref.ID, "/")+1:]
	return f.root.RequestFuture(f.pid, &ask{e164: e164, msg: msg}, timeout)
}

func (f *fakeThreads) Tell(ref system.Ref, msg any) { f.Request(ref, msg, time.Minute) }

func (f *fakeThreads) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.calls)
}

type rig struct {
	st      *storage.Pebble
	clk     *clock.Fake
	threads *fakeThreads
	svc     *campaign.Service
	deps    *campaign.Deps
}

// start is 09:00 in Indianapolis, inside the recipients' 08:00-21:00.
var start = time.Date(2026, 11, 25, 14, 0, 0, 0, time.UTC)

func newRig(t testing.TB) *rig { return newRigMPS(t, 100) }

func newRigMPS(t testing.TB, mps float64) *rig {
	st, err := storage.Open("data", storage.Options{FS: vfs.NewMem(), CacheBytes: 16 << 20, MemTableBytes: 4 << 20})
	if err != nil {
		t.Fatal(err)
	}
	sys := system.New(nil)
	t.Cleanup(func() {
		sys.Shutdown()
		_ = st.Close()
	})
	clk := clock.NewFake(start)
	th := newFakeThreads(sys.Root, clk)
	d := &campaign.Deps{Store: st, Clock: clk, Threads: th}
	n := &sms.Number{ID: "num_1", OrgID: org, E164: "+15005550006", SMSEnabled: true, MPS: mps}
	b := st.NewBatch()
	sms.PutNumber(b, n)
	if err := b.Commit(storage.Sync); err != nil {
		t.Fatal(err)
	}
	return &rig{st: st, clk: clk, threads: th, svc: campaign.NewService(sys.Root, d), deps: d}
}

func (r *rig) create(t testing.TB, n, throttle int) string {
	t.Helper()
	c := &campaigns.Campaign{ID: storage.NewID("camp"), OrgID: org, Name: "big", NumberID: "num_1", BodyTemplate: "Hi {{vars.i}}",
		ThrottlePerMinute: throttle, HonorQuietHours: true, Status: campaigns.Draft, Total: n, CreatedAt: start, UpdatedAt: start}
	rows := make([]*campaigns.Recipient, n)
	for i := range rows {
		rows[i] = &campaigns.Recipient{Seq: uint64(i + 1), E164: fmt.Sprintf("+1317%03d%04d", 555+i/9000, 1000+i%9000),
			Vars: map[string]string{"i": fmt.Sprint(i)}, Status: campaigns.RPending}
	}
	if err := campaigns.Create(r.st, c, rows); err != nil {
		t.Fatal(err)
	}
	return c.ID
}

// run steps the fake clock one tick at a time until the campaign leaves
// sending: after each send it waits (spinning, never sleeping) until the
// send has reached the fake Threads and the actor has armed its next timer,
// then advances by the interval. The fake Threads arms no timers, so the
// campaign's is the only one.
func (r *rig) run(t testing.TB, id string, interval time.Duration) *campaigns.Campaign {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for sends, spins := 1, 0; ; spins++ {
		if r.threads.count() >= sends && r.clk.Pending() > 0 {
			r.clk.Advance(interval)
			sends++
			continue
		}
		if spins%256 == 0 {
			c, err := campaigns.Get(r.st, org, id)
			if err != nil {
				t.Fatal(err)
			}
			if c.Status != campaigns.Sending && c.Status != campaigns.Queued {
				return c
			}
			if time.Now().After(deadline) {
				t.Fatalf("campaign still %s after %d sends", c.Status, r.threads.count())
			}
		}
		runtime.Gosched()
	}
}

// TestDispatchFiftyThousandWithinMemoryBound sends a 50,000-recipient
// campaign at 600/min through the actor: every recipient exactly once, one
// every 100ms of (fake) time, and the actor never holds more than BatchSize
// rows read ahead or MaxInflight asks, whatever the campaign's size.
func TestDispatchFiftyThousandWithinMemoryBound(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("large; too slow under the race detector (covered without -race)")
	}
	r := newRig(t)
	var mu sync.Mutex
	maxBuf, maxInflight := 0, 0
	campaign.SetObserve(r.deps, func(b, f int) {
		mu.Lock()
		maxBuf, maxInflight = max(maxBuf, b), max(maxInflight, f)
		mu.Unlock()
	})
	id := r.create(t, campaigns.MaxRecipients, 600)
	began := time.Now()
	if _, err := r.svc.Launch(org, id); err != nil {
		t.Fatal(err)
	}
	c := r.run(t, id, 100*time.Millisecond)
	t.Logf("dispatched %d in %s wall time", r.threads.count(), time.Since(began))
	if c.Status != campaigns.Completed {
		t.Fatalf("status = %s", c.Status)
	}
	if n := r.threads.count(); n != campaigns.MaxRecipients || len(r.threads.seen) != campaigns.MaxRecipients {
		t.Fatalf("%d sends to %d numbers; want %d each once", n, len(r.threads.seen), campaigns.MaxRecipients)
	}
	for i, c := range r.threads.calls {
		if want := start.Add(time.Duration(i) * 100 * time.Millisecond); !c.at.Equal(want) {
			t.Fatalf("send %d at +%s; want +%s", i, c.at.Sub(start), want.Sub(start))
		}
	}
	if maxBuf > r.deps.BatchSize || maxInflight > r.deps.MaxInflight {
		t.Errorf("actor held %d rows and %d asks; bound is %d and %d", maxBuf, maxInflight, r.deps.BatchSize, r.deps.MaxInflight)
	}
	t0 := time.Now()
	cnt, err := campaigns.CountOf(r.st, org, id)
	t.Logf("counts of %d rows read in %s", cnt.Total, time.Since(t0))
	if err != nil || cnt.Sent != campaigns.MaxRecipients {
		t.Errorf("counts = %+v, %v", cnt, err)
	}
	evs, _, err := events.List(r.st, org, events.CampaignFinish, storage.PageRequest{})
	if err != nil || len(evs) != 1 {
		t.Errorf("campaign.completed events = %d, %v; want 1", len(evs), err)
	}
}

// TestEveryMessageIsHandled sends each public message and checks it is
// answered (a value/pointer mismatch would be dropped silently).
func TestEveryMessageIsHandled(t *testing.T) {
	r := newRig(t)
	id := r.create(t, 3, 30)
	steps := []struct {
		name string
		do   func() (*campaigns.View, error)
		want string
	}{
		{"patch", func() (*campaigns.View, error) {
			name := "renamed"
			return r.svc.Patch(org, id, false, &campaigns.PatchIn{Name: &name})
		}, campaigns.Draft},
		{"launch", func() (*campaigns.View, error) { return r.svc.Launch(org, id) }, campaigns.Sending},
		{"pause", func() (*campaigns.View, error) { return r.svc.Pause(org, id) }, campaigns.Paused},
		{"cancel", func() (*campaigns.View, error) { return r.svc.Cancel(org, id) }, campaigns.Cancelled},
	}
	for _, s := range steps {
		v, err := s.do()
		if err != nil || v.Status != s.want {
			t.Fatalf("%s = %v, %v; want %s", s.name, v, err, s.want)
		}
	}
	var ce *storage.ConflictError
	if _, err := r.svc.Launch(org, id); !errors.As(err, &ce) || ce.Code != "invalid_transition" {
		t.Errorf("launch after cancel = %v; want invalid_transition", err)
	}
	if _, err := r.svc.Launch(org, "camp_missing"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("launch of a missing campaign = %v; want not found", err)
	}
	// Idle campaigns passivate.
	deadline := time.Now().Add(5 * time.Second)
	for r.svc.Live() != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%d campaign actors still live", r.svc.Live())
		}
		runtime.Gosched()
	}
}

// TestNumberRateCapsThrottle: a campaign at 30/min on a number sending 0.1
// segment/s goes out one every 10s, not every 2s (D-8).
func TestNumberRateCapsThrottle(t *testing.T) {
	r := newRigMPS(t, 0.1)
	id := r.create(t, 4, 30)
	if _, err := r.svc.Launch(org, id); err != nil {
		t.Fatal(err)
	}
	if c := r.run(t, id, 10*time.Second); c.Status != campaigns.Completed {
		t.Fatalf("status = %s", c.Status)
	}
	for i, c := range r.threads.calls {
		if want := start.Add(time.Duration(i) * 10 * time.Second); !c.at.Equal(want) {
			t.Errorf("send %d at +%s; want +%s", i, c.at.Sub(start), want.Sub(start))
		}
	}
}

// TestCancelLetsInFlightFinish cancels while the first recipient's send is
// still in the pipeline: the rest become cancelled at once, the in-flight
// one is recorded as sent when its answer comes, and nothing else goes out.
func TestCancelLetsInFlightFinish(t *testing.T) {
	r := newRig(t)
	r.threads.hold = make(chan struct{})
	id := r.create(t, 3, 30)
	if _, err := r.svc.Launch(org, id); err != nil {
		t.Fatal(err)
	}
	v, err := r.svc.Cancel(org, id)
	if err != nil {
		t.Fatal(err)
	}
	if v.Status != campaigns.Cancelled || v.Counts.Sending != 1 || v.Counts.Cancelled != 2 {
		t.Fatalf("after cancel: %s %+v; want 1 sending, 2 cancelled", v.Status, v.Counts)
	}
	close(r.threads.hold)
	deadline := time.Now().Add(5 * time.Second)
	for {
		cnt, err := campaigns.CountOf(r.st, org, id)
		if err != nil {
			t.Fatal(err)
		}
		if cnt.Sent == 1 && cnt.Cancelled == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("counts = %+v; want the in-flight one sent", cnt)
		}
		runtime.Gosched()
	}
	r.clk.Advance(time.Hour)
	for deadline := time.Now().Add(5 * time.Second); r.svc.Live() != 0; runtime.Gosched() {
		if time.Now().After(deadline) {
			t.Fatalf("cancelled campaign's actor did not passivate")
		}
	}
	// Counted once the actor is gone, so it had its hour's chance to send.
	if n := r.threads.count(); n != 1 {
		t.Errorf("%d sends; want only the one in flight at cancel", n)
	}
	if c, _ := campaigns.Get(r.st, org, id); c.Status != campaigns.Cancelled {
		t.Errorf("status = %s; want cancelled", c.Status)
	}
}
