package conntest

import (
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// gate holds each arriving request until n have arrived, so that n are
// surely in flight at once.
type gate struct {
	n       int32
	arrived atomic.Int32
	all     chan struct{}
}

// arrive counts a request and waits for the rest of its wave. A wave that
// never fills gives up after 10 s, so the test fails instead of hanging.
func (g *gate) arrive() {
	if g.arrived.Add(1) == g.n {
		close(g.all)
	}
	select {
	case <-g.all:
	case <-time.After(10 * time.Second):
	}
}

// Conns counts the connections a server accepted: set State as its
// http.Server's ConnState.
type Conns struct{ n atomic.Int64 }

// State is an http.Server ConnState hook.
func (c *Conns) State(_ net.Conn, st http.ConnState) {
	if st == http.StateNew {
		c.n.Add(1)
	}
}

// N is how many connections were opened so far.
func (c *Conns) N() int { return int(c.n.Load()) }

// Reuse checks that a client keeps its connections: the server under test
// calls Arrive for every request, and Check sends two waves through the
// client, each held until all its requests are in flight. The zero value is
// ready.
type Reuse struct{ gate atomic.Pointer[gate] }

// Arrive holds a request until its wave is complete (call it in the
// server's handler).
func (r *Reuse) Arrive() { r.gate.Load().arrive() }

// Check sends two waves of n requests at once with do and fails t unless
// the first opened n connections (conns answers the server's count) and the
// second reused them all.
func (r *Reuse) Check(t testing.TB, n int, conns func() int, do func() error) {
	t.Helper()
	r.wave(t, n, do)
	first := conns()
	r.wave(t, n, do)
	if conns() != first || first != n {
		t.Errorf("connections: %d after a first wave of %d at once, %d after the second; want %d and no new ones", first, n, conns(), n)
	}
}

func (r *Reuse) wave(t testing.TB, n int, do func() error) {
	t.Helper()
	r.gate.Store(&gate{n: int32(n), all: make(chan struct{})})
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Go(func() { errs <- do() })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("wave: %v", err)
		}
	}
	if got := int(r.gate.Load().arrived.Load()); got != n {
		t.Fatalf("%d requests arrived in a wave of %d", got, n)
	}
}
