package actortest

import (
	"log/slog"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/humd/humd/actors/system"
)

// NewSystem returns a fresh actor system that is shut down when the test ends.
func NewSystem(t testing.TB) *actor.ActorSystem {
	t.Helper()
	sys := system.New(slog.New(slog.DiscardHandler))
	t.Cleanup(sys.Shutdown)
	return sys
}

// Holds checks that cond keeps returning nil for d of polling, and fails the
// test as soon as it does not: work runs on other goroutines, so a check that
// something did not happen (yet) passes once before it had a chance to.
func Holds(t testing.TB, d time.Duration, cond func() error) {
	t.Helper()
	for end := time.Now().Add(d); ; <-time.After(20 * time.Millisecond) {
		if err := cond(); err != nil {
			t.Fatalf("condition stopped holding: %v", err)
		}
		if time.Now().After(end) {
			return
		}
	}
}

// WaitFor polls cond until it returns nil or the deadline passes, then fails
// the test with cond's last error.
func WaitFor(t testing.TB, deadline time.Duration, cond func() error) {
	t.Helper()
	end := time.Now().Add(deadline)
	delay := time.Millisecond
	for {
		err := cond()
		if err == nil {
			return
		}
		if time.Now().After(end) {
			t.Fatalf("condition not met within %v: %v", deadline, err)
		}
		<-time.After(delay)
		if delay < 50*time.Millisecond {
			delay *= 2
		}
	}
}
