package system

import (
	"errors"
	"fmt"
	"time"

	"github.com/asynkron/protoactor-go/actor"
)

// ErrTimeout is returned when the actor did not answer in time.
var ErrTimeout = errors.New("actor: request timed out")

// ErrGone is returned when the request reached an actor that had stopped;
// the message was not processed.
var ErrGone = errors.New("actor: stopped before it answered")

// Ask sends msg to ref's actor through dir and waits for the reply. It is
// for callers outside the actor system (fasthttp handlers, services,
// commands); actors must never call it inside Receive (see the package
// comment).
func Ask[T any](dir Directory, ref Ref, msg any, timeout time.Duration) (T, error) {
	return Await[T](dir.Request(ref, msg, timeout), msg)
}

// Await waits for a future's reply. A reply that is an error is returned as
// the error; a reply of another type than T is a bug and reported as such.
func Await[T any](f *actor.Future, msg any) (T, error) {
	var zero T
	res, err := f.Result()
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
		return zero, fmt.Errorf("ask %T: %w", msg, ErrGone)
	default:
		return zero, fmt.Errorf("ask %T: unexpected reply %T", msg, res)
	}
}
