package coresvc

import (
	"context"

	"github.com/humd/humd/actors/service/svcbase"
	"github.com/humd/humd/storage/events"
	"github.com/humd/humd/storage/tenancy"
)

// The console's live updates: one org-scoped stream per open page, which
// tells the page what kind of thing changed (a text, a thread, a call, an
// approval) so it fetches that part again. It carries event types only:
// what a page then shows comes from the same reads as the REST API, with
// the same role checks.

// EventWatch hears the caller's org's committed events until Close.
type EventWatch struct {
	// C fires when events arrived since the last Take.
	C <-chan struct{}
	w *events.Watcher
}

// Take answers the event types heard since the last Take.
func (e *EventWatch) Take() []string { return e.w.Take() }

// Close stops the watch.
func (e *EventWatch) Close() { e.w.Close() }

// WatchEvents starts a watch of the org's event log (viewers may, as they
// may read it with ListEvents).
func (s *Core) WatchEvents(_ context.Context, p *tenancy.Principal) (*EventWatch, error) {
	if err := svcbase.Need(p, tenancy.Viewer); err != nil {
		return nil, err
	}
	w := events.Watch(s.d.Store, p.OrgID)
	return &EventWatch{C: w.C, w: w}, nil
}
