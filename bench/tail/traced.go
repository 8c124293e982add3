package tail

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/trace"
)

// ErrTracing is Traced's answer when an execution trace is already on
// (go test -trace, or a caller's own): the run cannot be traced again.
var ErrTracing = errors.New("an execution trace is already on")

// Traced runs fn under an execution trace written to dir and answers the
// report of it.
func Traced(dir string, fn func() error) (*Report, error) {
	path := filepath.Join(dir, "run.trace")
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := trace.Start(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("%w: %v", ErrTracing, err)
	}
	runErr := fn()
	trace.Stop()
	if err := errors.Join(f.Close(), runErr); err != nil {
		return nil, err
	}
	return Read(path)
}
