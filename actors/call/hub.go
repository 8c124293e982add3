package call

import (
	"encoding/json"
	"sync"
	"time"
)

// Live event types of GET /api/calls/{id}/stream (SPEC 1.6).
const (
	LiveDelta        = "transcript.delta"
	LiveFinal        = "transcript.final"
	LiveToolStarted  = "tool.started"
	LiveToolFinished = "tool.finished"
	LiveState        = "state.changed"
	LiveEnded        = "call.ended"
)

// LiveEvent is one event of a call's live stream.
type LiveEvent struct {
	Type string          `json:"type"`
	At   time.Time       `json:"at"`
	Data json.RawMessage `json:"data"`
}

// Hub fans a call's live events out to stream subscribers. Publishing never
// blocks the call actor: a subscriber whose buffer is full is dropped (its
// channel closes and the stream ends), so a slow viewer cannot slow a call.
type Hub struct {
	mu   sync.Mutex
	subs map[string]map[*Sub]struct{}
}

// Sub is one subscription; C closes after call.ended or when dropped.
type Sub struct {
	C      chan LiveEvent
	callID string
	closed bool
}

// subBuffer holds a few seconds of token deltas.
const subBuffer = 512

// NewHub makes an empty hub.
func NewHub() *Hub { return &Hub{subs: map[string]map[*Sub]struct{}{}} }

// Subscribe follows callID's events from now on.
func (h *Hub) Subscribe(callID string) *Sub {
	s := &Sub{C: make(chan LiveEvent, subBuffer), callID: callID}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.subs[callID] == nil {
		h.subs[callID] = map[*Sub]struct{}{}
	}
	h.subs[callID][s] = struct{}{}
	return s
}

// Unsubscribe ends s (safe to call twice).
func (h *Hub) Unsubscribe(s *Sub) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.drop(s)
}

func (h *Hub) drop(s *Sub) {
	if s.closed {
		return
	}
	s.closed = true
	close(s.C)
	if m := h.subs[s.callID]; m != nil {
		delete(m, s)
		if len(m) == 0 {
			delete(h.subs, s.callID)
		}
	}
}

// Publish sends ev to callID's subscribers; call.ended also ends them.
func (h *Hub) Publish(callID string, ev LiveEvent) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for s := range h.subs[callID] {
		select {
		case s.C <- ev:
		default:
			h.drop(s)
			continue
		}
		if ev.Type == LiveEnded {
			h.drop(s)
		}
	}
}

// Subscribers counts callID's subscribers (tests wait for a stream to attach).
func (h *Hub) Subscribers(callID string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.subs[callID])
}

// Close ends every subscription (shutdown: open streams must not hold the
// HTTP server).
func (h *Hub) Close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, m := range h.subs {
		for s := range m {
			h.drop(s)
		}
	}
}
