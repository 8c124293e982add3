package system

import (
	"log/slog"
	"runtime"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/prometheus/client_golang/prometheus"
)

type gate struct{ release chan struct{} }

func (g *gate) Receive(ctx actor.Context) {
	if _, ok := ctx.Message().(*add); ok {
		<-g.release
	}
}

func TestCollectorReportsLiveActorsAndMailboxDepth(t *testing.T) {
	sys := New(slog.New(slog.DiscardHandler))
	defer sys.Shutdown()
	reg := RegistryOf(sys)
	release := make(chan struct{})
	reg.Register("gate", func(string) *actor.Props {
		return Props(func() actor.Actor { return &gate{release: release} })
	})
	pr := prometheus.NewRegistry()
	pr.MustRegister(reg.Collector())
	for range 4 {
		reg.Tell(Ref{Kind: "gate", ID: "a"}, &add{})
	}
	reg.Tell(Ref{Kind: "gate", ID: "b"}, &add{})
	// a is inside Receive with its first message and holds three more; b
	// is inside Receive with its one. MessageReceived runs when Receive
	// returns, so all five count until the gate opens.
	gauges := func() (live, depth float64) {
		mfs, err := pr.Gather()
		if err != nil {
			t.Fatal(err)
		}
		for _, mf := range mfs {
			for _, m := range mf.GetMetric() {
				if m.GetLabel()[0].GetValue() != "gate" {
					continue
				}
				switch mf.GetName() {
				case "humd_actors_live":
					live = m.GetGauge().GetValue()
				case "humd_actor_mailbox_messages":
					depth = m.GetGauge().GetValue()
				}
			}
		}
		return live, depth
	}
	waitGauges := func(wantLive, wantDepth float64) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for {
			live, depth := gauges()
			if live == wantLive && depth == wantDepth {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("live %v, depth %v; want %v, %v", live, depth, wantLive, wantDepth)
			}
			runtime.Gosched()
		}
	}
	waitGauges(2, 5)
	close(release)
	waitGauges(2, 0)
}
