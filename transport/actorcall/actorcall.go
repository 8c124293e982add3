package actorcall

import (
	"errors"
	"fmt"
	"time"

	"github.com/asynkron/protoactor-go/actor"
)

// ErrTimeout is returned by Ask when the actor did not answer in time.
var ErrTimeout = errors.New("actor: request timed out")

// ErrGone is returned when the request reached an actor that had just
// stopped (passivated); the message was not processed, so asking a freshly
// spawned actor again is safe.
var ErrGone = errors.New("actor: stopped before it answered")

// Ask sends msg to pid and waits for the reply. It is for callers outside the
// actor system (fasthttp handlers, commands); actors must never call it inside
// Receive. A reply that is an error is returned as the error; a reply of
// another type than T is a bug and reported as such.
func Ask[T any](root *actor.RootContext, pid *actor.PID, msg any, timeout time.Duration) (T, error) {
	var zero T
	res, err := root.RequestFuture(pid, msg, timeout).Result()
	if errors.Is(err, actor.ErrTimeout) {
		return zero, fmt.Errorf("ask %T: %w", msg, ErrTimeout)
	}
	if err != nil {
		return zero, fmt.Errorf("ask %T: %w", msg, err)
	}
	switch v := res.(type) {
	case error:
		return zero, v
	case T:
		return v, nil
	case *actor.DeadLetterResponse:
		return zero, fmt.Errorf("ask %T: actor %s: %w", msg, pid.Id, ErrGone)
	default:
		return zero, fmt.Errorf("ask %T: unexpected reply %T", msg, res)
	}
}

// AskRetry is Ask against the actor that pid answers, asking a fresh one when
// the first had just passivated (ErrGone). pid is called again each time.
func AskRetry[T any](root *actor.RootContext, pid func() (*actor.PID, error), msg any, timeout time.Duration) (T, error) {
	var zero T
	for attempt := 0; ; attempt++ {
		p, err := pid()
		if err != nil {
			return zero, err
		}
		res, err := Ask[T](root, p, msg, timeout)
		if errors.Is(err, ErrGone) && attempt < 5 {
			continue
		}
		return res, err
	}
}
