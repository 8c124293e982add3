package live

import (
	"encoding/json"
	"sync"
	"time"
)

// Live event types of GET /api/calls/{id}/stream (SPEC 1.6).
const (
	Delta        = "transcript.delta"
	Final        = "transcript.final"
	ToolStarted  = "tool.started"
	ToolFinished = "tool.finished"
	State        = "state.changed"
	Ended        = "call.ended"
)

// Event is one event of a call's live stream.
type Event struct {
	// ID numbers the call's events in order (the stream's id: field); the
	// hub sets it.
	ID   uint64          `json:"-"`
	Type string          `json:"type"`
	At   time.Time       `json:"at"`
	Data json.RawMessage `json:"data"`
}

// Hub fans a call's live events out to stream subscribers and keeps each
// call's last events, so a viewer that reconnects with the id of the last
// event it saw gets what it missed. Publishing never blocks the call actor:
// a subscriber whose buffer is full is dropped (its channel closes and the
// stream ends; the viewer reconnects and resumes from the kept events), so a
// slow viewer cannot slow a call.
//
// call.ended is a call's last event: the hub drops anything published after
// it, and keeps an ended call for a while so that a reconnect learns it is
// over instead of waiting for events that will not come.
type Hub struct {
	// base is where every call's ids start: the hub's start in microseconds,
	// so a restarted humd numbers above the one before it and a viewer's
	// old id is never mistaken for a new one.
	base uint64

	mu    sync.Mutex
	calls map[string]*liveCall
	ended []string // ended calls, oldest first; forgotten past keepEnded
}

// liveCall is one call's numbering, kept events and subscribers.
type liveCall struct {
	last   uint64  // the newest event's id (base before any)
	kept   []Event // the newest keepEvents events, oldest first
	ended  bool
	subs   map[*Sub]struct{}
	hadAny bool // an event was published (a call only subscribed to is forgotten with its last subscriber)
}

// Sub is one subscription; C closes after call.ended or when dropped.
type Sub struct {
	C      chan Event
	callID string
	closed bool
}

const (
	// subBuffer holds a few seconds of token deltas, and a whole replay.
	subBuffer = 512
	// keepEvents is how many of a call's events a reconnect can resume
	// from: a few seconds of token deltas. Transcript lines are also in
	// GET /api/calls/{id} for anything older.
	keepEvents = 256
	// keepEnded is how many ended calls are remembered, for reconnects
	// that come after call.ended.
	keepEnded = 256
)

// NewHub makes an empty hub started at start.
func NewHub(start time.Time) *Hub {
	var base uint64
	if us := start.UnixMicro(); us > 0 {
		base = uint64(us)
	}
	return &Hub{base: base, calls: map[string]*liveCall{}}
}

// Subscribe follows callID. Without resume it gets the events published from
// now on (and call.ended alone when the call has ended). With resume, it
// first gets the kept events after lastID, the id of the last event the
// viewer saw; an id the hub did not give (an older run, a forgotten call)
// gets every kept event. When the call has ended the channel closes after
// call.ended, and at once when the viewer saw it already.
func (h *Hub) Subscribe(callID string, lastID uint64, resume bool) *Sub {
	s := &Sub{C: make(chan Event, subBuffer), callID: callID}
	h.mu.Lock()
	defer h.mu.Unlock()
	lc := h.calls[callID]
	if lc == nil {
		lc = &liveCall{last: h.base, subs: map[*Sub]struct{}{}}
		h.calls[callID] = lc
	}
	for _, ev := range lc.kept {
		switch {
		case resume && (lastID < h.base || lastID > lc.last || ev.ID > lastID):
		case !resume && ev.Type == Ended:
		default:
			continue
		}
		s.C <- ev // fits: len(kept) <= keepEvents < subBuffer
	}
	if lc.ended {
		s.closed = true
		close(s.C)
		return s
	}
	lc.subs[s] = struct{}{}
	return s
}

// Unsubscribe ends s (safe to call twice).
func (h *Hub) Unsubscribe(s *Sub) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.drop(s)
	if lc := h.calls[s.callID]; lc != nil && !lc.hadAny && len(lc.subs) == 0 {
		delete(h.calls, s.callID)
	}
}

func (h *Hub) drop(s *Sub) {
	if s.closed {
		return
	}
	s.closed = true
	close(s.C)
	if lc := h.calls[s.callID]; lc != nil {
		delete(lc.subs, s)
	}
}

// Publish numbers ev and sends it to callID's subscribers; call.ended also
// ends them. Anything after call.ended is dropped, so a second call.ended
// (the actor's, after a stream stood in for it) is harmless.
func (h *Hub) Publish(callID string, ev Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	lc := h.calls[callID]
	if lc == nil {
		lc = &liveCall{last: h.base, subs: map[*Sub]struct{}{}}
		h.calls[callID] = lc
	}
	if lc.ended {
		return
	}
	lc.hadAny = true
	lc.last++
	ev.ID = lc.last
	if len(lc.kept) == keepEvents {
		lc.kept = append(lc.kept[:0], lc.kept[1:]...)
	}
	lc.kept = append(lc.kept, ev)
	for s := range lc.subs {
		select {
		case s.C <- ev:
		default:
			h.drop(s)
			continue
		}
		if ev.Type == Ended {
			h.drop(s)
		}
	}
	if ev.Type == Ended {
		lc.ended = true
		h.ended = append(h.ended, callID)
		if len(h.ended) > keepEnded {
			delete(h.calls, h.ended[0])
			h.ended = h.ended[1:]
		}
	}
}

// Subscribers counts callID's subscribers (tests wait for a stream to attach).
func (h *Hub) Subscribers(callID string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	if lc := h.calls[callID]; lc != nil {
		return len(lc.subs)
	}
	return 0
}

// Close ends every subscription (shutdown: open streams must not hold the
// HTTP server).
func (h *Hub) Close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, lc := range h.calls {
		for s := range lc.subs {
			h.drop(s)
		}
	}
}
