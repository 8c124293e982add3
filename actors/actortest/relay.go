package actortest

import (
	"encoding/json"
	"fmt"
	"sync"
)

// Relay is a fake ConversationRelay socket as the call actor writes to it
// (call.Out): it records every frame, and never blocks.
type Relay struct {
	mu     sync.Mutex
	frames []string
	seen   int
}

// Text implements call.Out.
func (r *Relay) Text(token string, last bool) {
	r.add(fmt.Sprintf("text %q last=%v", token, last))
}

// End implements call.Out.
func (r *Relay) End(handoff map[string]any) {
	raw, _ := json.Marshal(handoff)
	r.add("end " + string(raw))
}

// SendDigits implements call.Out.
func (r *Relay) SendDigits(digits string) { r.add("digits " + digits) }

// Close implements call.Out.
func (r *Relay) Close() { r.add("close") }

func (r *Relay) add(f string) {
	r.mu.Lock()
	r.frames = append(r.frames, f)
	r.mu.Unlock()
}

// Frames answers every frame written so far.
func (r *Relay) Frames() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.frames...)
}

// Unseen answers the frames written since the last MarkSeen.
func (r *Relay) Unseen() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.frames[r.seen:]...)
}

// MarkSeen moves the Unseen cursor to the end.
func (r *Relay) MarkSeen(n int) {
	r.mu.Lock()
	r.seen = min(r.seen+n, len(r.frames))
	r.mu.Unlock()
}
