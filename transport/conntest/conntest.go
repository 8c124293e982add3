package conntest

import (
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Gate holds each arriving request until n have arrived, so that n are
// surely in flight at once. The zero value is not usable; see NewGate.
type Gate struct {
	n       int32
	arrived atomic.Int32
	all     chan struct{}
}

// NewGate holds arrivals until n are waiting.
func NewGate(n int) *Gate { return &Gate{n: int32(n), all: make(chan struct{})} }

// Arrive counts a request and waits for the rest of its wave. A wave that
// never fills gives up after 10 s, so the test fails instead of hanging.
func (g *Gate) Arrive() {
	if g.arrived.Add(1) == g.n {
		close(g.all)
	}
	select {
	case <-g.all:
	case <-time.After(10 * time.Second):
	}
}

// Arrived is how many requests have arrived.
func (g *Gate) Arrived() int { return int(g.arrived.Load()) }

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

// Wave calls do n times at once, waits for all of them and fails t with
// the first error.
func Wave(t testing.TB, n int, do func() error) {
	t.Helper()
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
}
