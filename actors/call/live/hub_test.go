package live

import (
	"fmt"
	"testing"
	"time"
)

var hubStart = time.Date(2026, 11, 25, 15, 0, 0, 0, time.UTC)

// drain answers the types and ids in s's channel up to its close, or what
// is there when it is still open.
func drain(s *Sub) (got []string, closed bool) {
	for {
		select {
		case ev, ok := <-s.C:
			if !ok {
				return got, true
			}
			got = append(got, fmt.Sprintf("%s#%d", ev.Type, ev.ID))
		default:
			return got, false
		}
	}
}

// TestHubNumbersResumesAndEnds: events are numbered per call from the hub's
// start; a resume gets the kept events after the given id (all of them for an
// id the hub did not give); call.ended closes the stream and nothing is
// published after it; a viewer that saw it gets a closed, empty channel.
func TestHubNumbersResumesAndEnds(t *testing.T) {
	h := NewHub(hubStart)
	base := uint64(hubStart.UnixMicro())
	live := h.Subscribe("c1", 0, false)
	h.Publish("c1", Event{Type: State})
	h.Publish("c1", Event{Type: Delta})
	h.Publish("c2", Event{Type: State})
	if got, closed := drain(live); closed || fmt.Sprint(got) != fmt.Sprintf("[state.changed#%d transcript.delta#%d]", base+1, base+2) {
		t.Fatalf("live = %v closed %v", got, closed)
	}
	cases := []struct {
		last   uint64
		resume bool
		want   string
	}{
		{0, false, "[]"},
		{base + 1, true, fmt.Sprintf("[transcript.delta#%d]", base+2)},
		{base + 2, true, "[]"},
		{7, true, fmt.Sprintf("[state.changed#%d transcript.delta#%d]", base+1, base+2)},         // an older run's id
		{base + 99, true, fmt.Sprintf("[state.changed#%d transcript.delta#%d]", base+1, base+2)}, // an id never given
	}
	for _, c := range cases {
		s := h.Subscribe("c1", c.last, c.resume)
		if got, closed := drain(s); closed || fmt.Sprint(got) != c.want {
			t.Errorf("Subscribe(c1, %d, %v) = %v closed %v; want %s, open", c.last, c.resume, got, closed, c.want)
		}
		h.Unsubscribe(s)
	}

	h.Publish("c1", Event{Type: Ended})
	h.Publish("c1", Event{Type: Ended}) // a second end, and anything after, is dropped
	h.Publish("c1", Event{Type: State})
	ended := fmt.Sprintf("call.ended#%d", base+3)
	if got, closed := drain(live); !closed || fmt.Sprint(got) != "["+ended+"]" {
		t.Errorf("live after the end = %v closed %v", got, closed)
	}
	for _, c := range []struct {
		last   uint64
		resume bool
		want   string
	}{
		{0, false, "[" + ended + "]"},
		{base + 2, true, "[" + ended + "]"},
		{base + 3, true, "[]"},
		{base + 1, true, fmt.Sprintf("[transcript.delta#%d %s]", base+2, ended)},
	} {
		if got, closed := drain(h.Subscribe("c1", c.last, c.resume)); !closed || fmt.Sprint(got) != c.want {
			t.Errorf("after the end, Subscribe(c1, %d, %v) = %v closed %v; want %s, closed", c.last, c.resume, got, closed, c.want)
		}
	}
	if n := h.Subscribers("c1"); n != 0 {
		t.Errorf("an ended call has %d subscribers", n)
	}
}

// TestHubBounds: a call keeps its last keepEvents events, a slow viewer is
// dropped rather than blocking the call (and resumes), ended calls are
// forgotten past keepEnded, and a subscription to a call that never
// published leaves nothing behind.
func TestHubBounds(t *testing.T) {
	h := NewHub(hubStart)
	base := uint64(hubStart.UnixMicro())
	slow := h.Subscribe("c", 0, false)
	for range subBuffer + 10 {
		h.Publish("c", Event{Type: Delta})
	}
	got, closed := drain(slow)
	if !closed || len(got) != subBuffer {
		t.Errorf("a slow viewer got %d events, closed %v; want %d then dropped", len(got), closed, subBuffer)
	}
	kept, _ := drain(h.Subscribe("c", base+1, true))
	if want := fmt.Sprintf("transcript.delta#%d", base+subBuffer+10); len(kept) != keepEvents || kept[len(kept)-1] != want {
		t.Errorf("resume kept %d events ending %v; want %d ending %s", len(kept), kept[len(kept)-1:], keepEvents, want)
	}

	for i := range keepEnded + 1 {
		h.Publish(fmt.Sprint("e", i), Event{Type: Ended})
	}
	h.mu.Lock()
	_, first := h.calls["e0"]
	_, second := h.calls["e1"]
	h.mu.Unlock()
	if first || !second {
		t.Errorf("after %d ended calls: the oldest kept %v, the next %v; want forgotten, kept", keepEnded+1, first, second)
	}

	s := h.Subscribe("nothing", 0, false)
	h.Unsubscribe(s)
	h.mu.Lock()
	_, left := h.calls["nothing"]
	h.mu.Unlock()
	if left {
		t.Errorf("a call only subscribed to stays in the hub")
	}
}
