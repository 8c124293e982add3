package actortest

import (
	"context"
	"sync"

	"github.com/humd/humd/actors/call"
)

// Dialer is a fake call.Dialer: it records every call placed and answers a
// call SID, or the error FailNext queued.
type Dialer struct {
	mu       sync.Mutex
	dials    []call.Dial
	failNext []error
}

// PlaceCall implements call.Dialer.
func (d *Dialer) PlaceCall(_ context.Context, p *call.Dial) (string, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.dials = append(d.dials, *p)
	if len(d.failNext) > 0 {
		err := d.failNext[0]
		d.failNext = d.failNext[1:]
		return "", err
	}
	return newSID("CA"), nil
}

// FailNext makes the next PlaceCall fail with err.
func (d *Dialer) FailNext(err error) {
	d.mu.Lock()
	d.failNext = append(d.failNext, err)
	d.mu.Unlock()
}

// Dials answers the calls placed so far, oldest first.
func (d *Dialer) Dials() []call.Dial {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]call.Dial(nil), d.dials...)
}
