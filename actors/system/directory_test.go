package system

import (
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
)

// counter is a keyed actor that counts what it got and, when told to,
// tries to passivate the way humd's actors do.
type counter struct {
	reg      *Registry
	ref      Ref
	received uint64
	got      *atomic.Int64
	stopped  *atomic.Int64
}

type (
	add        struct{}
	tryStop    struct{}
	countQuery struct{}
)

func (c *counter) Receive(ctx actor.Context) {
	switch ctx.Message().(type) {
	case *add:
		c.received++
		c.got.Add(1)
	case *tryStop:
		c.received++
		if c.reg.Passivate(c.ref, ctx.Self(), c.received) {
			c.stopped.Add(1)
			ctx.Stop(ctx.Self())
		}
	case *countQuery:
		c.received++
		ctx.Respond(c.received)
	}
}

const counterKind Kind = "counter"

func newCounterRegistry(t testing.TB) (*Registry, *atomic.Int64, *atomic.Int64) {
	t.Helper()
	sys := New(slog.New(slog.DiscardHandler))
	t.Cleanup(sys.Shutdown)
	reg := RegistryOf(sys)
	var got, stopped atomic.Int64
	reg.Register(counterKind, func(id string) *actor.Props {
		return Props(func() actor.Actor { return &counter{reg: reg, ref: Ref{counterKind, id}, got: &got, stopped: &stopped} })
	})
	return reg, &got, &stopped
}

// Messages told while actors keep passivating are all handled: an actor
// stops only once it has received everything the registry sent it, and the
// next message spawns a fresh one.
func TestRegistryPassivationLosesNothing(t *testing.T) {
	reg, got, stopped := newCounterRegistry(t)
	const senders, each = 4, 2000
	var wg sync.WaitGroup
	for s := range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				ref := Ref{counterKind, fmt.Sprintf("k%d", (s+i)%3)}
				reg.Tell(ref, &add{})
				if i%50 == 0 {
					// Let the mailbox drain, so the stop attempt races only
					// the other senders.
					if _, err := Await[uint64](reg.Request(ref, &countQuery{}, 5*time.Second), "count"); err != nil {
						t.Error(err)
						return
					}
					reg.Tell(ref, &tryStop{})
				}
			}
		}()
	}
	wg.Wait()
	deadline := time.Now().Add(10 * time.Second)
	for got.Load() != senders*each && time.Now().Before(deadline) {
		<-time.After(5 * time.Millisecond)
	}
	if n := got.Load(); n != senders*each {
		t.Fatalf("handled %d adds; want %d (messages lost to passivation)", n, senders*each)
	}
	// Quiet now: each actor passivates, and the next message spawns anew.
	before := stopped.Load()
	for k := range 3 {
		ref := Ref{counterKind, fmt.Sprintf("k%d", k)}
		if _, err := Await[uint64](reg.Request(ref, &countQuery{}, 5*time.Second), "count"); err != nil {
			t.Fatal(err)
		}
		reg.Tell(ref, &tryStop{})
	}
	for stopped.Load() != before+3 && time.Now().Before(deadline) {
		<-time.After(5 * time.Millisecond)
	}
	if n := stopped.Load() - before; n != 3 || reg.Live(counterKind) != 0 {
		t.Fatalf("quiet actors passivated %d times, %d live; want 3, 0", n, reg.Live(counterKind))
	}
	if n, err := Await[uint64](reg.Request(Ref{counterKind, "k0"}, &countQuery{}, 5*time.Second), "count"); err != nil || n != 1 {
		t.Errorf("a passivated actor's next message: count %d, %v; want 1 on a fresh actor", n, err)
	}
}

// Passivate refuses while a message the actor has not received is on its
// way, and for a PID that is not the live one.
func TestRegistryPassivateHandshake(t *testing.T) {
	reg, _, _ := newCounterRegistry(t)
	ref := Ref{counterKind, "a"}
	n, err := Await[uint64](reg.Request(ref, &countQuery{}, 5*time.Second), "count")
	if err != nil || n != 1 {
		t.Fatalf("count = %d, %v; want 1", n, err)
	}
	d := reg.kind(counterKind)
	sh := d.shard(ref.ID)
	sh.mu.Lock()
	pid := sh.live[ref.ID].pid
	sh.mu.Unlock()
	if reg.Passivate(ref, pid, 0) {
		t.Error("Passivate with a message unaccounted for = true; want false")
	}
	if reg.Passivate(ref, actor.NewPID("nonhost", "other"), 1) {
		t.Error("Passivate of another PID = true; want false")
	}
	if got := reg.Live(counterKind); got != 1 {
		t.Errorf("Live = %d; want 1", got)
	}
	if !reg.Passivate(ref, pid, 1) {
		t.Error("Passivate with everything received = false; want true")
	}
	if got := reg.Live(counterKind); got != 0 {
		t.Errorf("Live after passivation = %d; want 0", got)
	}
}

// Refs route by kind: the same id under two kinds reaches two actors, and
// Ensure starts an actor without sending it anything.
func TestRegistryRoutesByKind(t *testing.T) {
	sys := New(slog.New(slog.DiscardHandler))
	t.Cleanup(sys.Shutdown)
	reg := RegistryOf(sys)
	started := make(chan string, 4)
	for _, k := range []Kind{"a", "b"} {
		reg.Register(k, func(id string) *actor.Props {
			return Props(func() actor.Actor {
				return actor.ReceiveFunc(func(ctx actor.Context) {
					switch ctx.Message().(type) {
					case *actor.Started:
						started <- string(k) + "/" + id
					case *countQuery:
						ctx.Respond(string(k))
					}
				})
			})
		})
	}
	for _, k := range []Kind{"a", "b"} {
		if got, err := Ask[string](reg, Ref{k, "x"}, &countQuery{}, 5*time.Second); err != nil || got != string(k) {
			t.Errorf("Ask(%s/x) = %q, %v; want %q", k, got, err, k)
		}
	}
	reg.Ensure(Ref{"a", "y"})
	reg.Ensure(Ref{"a", "y"})
	seen := map[string]int{}
	for range 3 {
		select {
		case s := <-started:
			seen[s]++
		case <-time.After(5 * time.Second):
			t.Fatalf("started %v; want a/x, b/x and a/y", seen)
		}
	}
	if seen["a/x"] != 1 || seen["b/x"] != 1 || seen["a/y"] != 1 || reg.Live("a") != 2 {
		t.Errorf("started %v, live a = %d; want each once, 2 live", seen, reg.Live("a"))
	}
	defer func() {
		if recover() == nil {
			t.Error("Tell to an unregistered kind did not panic")
		}
	}()
	reg.Tell(Ref{"nope", "x"}, &add{})
}

// BenchmarkRegistryTell is the ingest path's cost of reaching a thread's
// actor by identity: the Ref is built from its parts (as conversation.Ref
// does), the actor is live, the message is counted and posted.
func BenchmarkRegistryTell(b *testing.B) {
	reg, got, _ := newCounterRegistry(b)
	nums := make([]string, 1024)
	for i := range nums {
		nums[i] = fmt.Sprintf("+1555%07d", i)
	}
	msg := &add{}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		reg.Tell(Ref{counterKind, "org_1/num_1/" + nums[i%len(nums)]}, msg)
	}
	b.StopTimer()
	for got.Load() != int64(b.N) {
		<-time.After(time.Millisecond)
	}
}
