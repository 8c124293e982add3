package actortest

import (
	"errors"
	"fmt"
	"testing"

	"github.com/asynkron/protoactor-go/actor"
)

// Await waits for a future's reply as T: a reply that is an error comes back
// as the error, a timeout or a reply of another type as an error naming msg.
// It is the tests' stand-in for the edge's ask helper, which actor tests may
// not import.
func Await[T any](f *actor.Future, msg any) (T, error) {
	var zero T
	res, err := f.Result()
	if err != nil {
		return zero, fmt.Errorf("ask %T: %w", msg, err)
	}
	switch v := res.(type) {
	case error:
		return zero, v
	case T:
		return v, nil
	case *actor.DeadLetterResponse:
		return zero, fmt.Errorf("ask %T: %w", msg, errGone)
	}
	return zero, fmt.Errorf("ask %T: unexpected reply %T", msg, res)
}

var errGone = errors.New("actor stopped before it answered")

// Must is Await that fails the test on an error.
func Must[T any](t testing.TB, f *actor.Future, msg any) T {
	t.Helper()
	v, err := Await[T](f, msg)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
