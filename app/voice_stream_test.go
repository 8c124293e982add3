package app_test

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/humd/humd/app/apptest"
)

// sseEvent is one block of an event stream: an event, or the retry: block.
type sseEvent struct {
	id, typ, data string
	retry         string
}

// sseStream reads GET /api/calls/{id}/stream block by block.
type sseStream struct {
	resp   *http.Response
	blocks chan sseEvent
}

func openSSE(t *testing.T, s *apptest.Server, callID, lastEventID string) *sseStream {
	t.Helper()
	req, _ := http.NewRequest("GET", s.URL+"/api/calls/"+callID+"/stream", nil)
	req.Header.Set("Authorization", "Bearer "+adminKey)
	if lastEventID != "" {
		req.Header.Set("Last-Event-ID", lastEventID)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	st := &sseStream{resp: resp, blocks: make(chan sseEvent, 1024)}
	go func() {
		defer close(st.blocks)
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(nil, 1<<20)
		var ev sseEvent
		for sc.Scan() {
			line := sc.Text()
			if line == "" {
				if ev != (sseEvent{}) {
					st.blocks <- ev
				}
				ev = sseEvent{}
				continue
			}
			field, value, _ := strings.Cut(line, ": ")
			switch field {
			case "id":
				ev.id = value
			case "event":
				ev.typ = value
			case "data":
				ev.data = value
			case "retry":
				ev.retry = value
			}
		}
	}()
	return st
}

// next waits for the next block; ok is false when the stream ended.
func (st *sseStream) next(t *testing.T) (sseEvent, bool) {
	t.Helper()
	select {
	case ev, ok := <-st.blocks:
		return ev, ok
	case <-time.After(10 * time.Second):
		t.Fatal("no event from the stream within 10s")
	}
	return sseEvent{}, false
}

// until reads events up to and including the first of type typ whose data
// holds text.
func (st *sseStream) until(t *testing.T, typ, text string) []sseEvent {
	t.Helper()
	var got []sseEvent
	for {
		ev, ok := st.next(t)
		if !ok {
			t.Fatalf("the stream ended before %s %q; got %v", typ, text, got)
		}
		got = append(got, ev)
		if ev.typ == typ && strings.Contains(ev.data, text) {
			return got
		}
	}
}

// rest reads every event up to the stream's end.
func (st *sseStream) rest(t *testing.T) []sseEvent {
	t.Helper()
	var got []sseEvent
	for {
		ev, ok := st.next(t)
		if !ok {
			return got
		}
		got = append(got, ev)
	}
}

func eventID(t *testing.T, ev sseEvent) uint64 {
	t.Helper()
	n, err := strconv.ParseUint(ev.id, 10, 64)
	if err != nil {
		t.Fatalf("event %+v: id %q is not a number", ev, ev.id)
	}
	return n
}

// consecutive checks the events are numbered one by one from first.
func consecutive(t *testing.T, what string, evs []sseEvent, first uint64) {
	t.Helper()
	for i, ev := range evs {
		if id := eventID(t, ev); id != first+uint64(i) {
			t.Fatalf("%s: event %d (%s) has id %d; want %d (all: %v)", what, i, ev.typ, id, first+uint64(i), evs)
		}
	}
}

// TestCallStreamOpensNumbersResumesAndEnds: the stream opens before any
// event (retry: first), numbers its events, resumes after Last-Event-ID with
// nothing missed or repeated, ends after call.ended, and a reconnect after
// call.ended is 204, so EventSource stops instead of replaying it forever.
func TestCallStreamOpensNumbersResumesAndEnds(t *testing.T) {
	s, fake, _ := voiceServer(t, nil)
	c := dial(t, s, contact, "CA00000000000000000000000000000071")
	id := c.TwiML.Parameters["call_id"]

	// Open: the first bytes come at once, before the call publishes anything.
	live := openSSE(t, s, id, "")
	if live.resp.StatusCode != 200 || !strings.HasPrefix(live.resp.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("stream = %d %s", live.resp.StatusCode, live.resp.Header.Get("Content-Type"))
	}
	if first, ok := live.next(t); !ok || first.retry != "3000" || first.typ != "" {
		t.Fatalf("first block = %+v; want retry: 3000 and no event", first)
	}

	// Events are numbered one by one.
	fake.ReplyText("We open at nine.")
	if err := c.Conn.Prompt("When do you open?"); err != nil {
		t.Fatal(err)
	}
	reply(t, c)
	turn1 := live.until(t, "transcript.final", "We open at nine.")
	consecutive(t, "live", turn1, eventID(t, turn1[0]))
	last := eventID(t, turn1[len(turn1)-1])
	_ = live.resp.Body.Close()

	// With the viewer gone, a second turn; then the viewer comes back.
	fake.ReplyText("Parking is free.")
	if err := c.Conn.Prompt("Where do I park?"); err != nil {
		t.Fatal(err)
	}
	reply(t, c)
	s.WaitFor("the agent's second line", func() error {
		if n := len(transcript(t, s, id)); n < 4 {
			return fmt.Errorf("%d transcript lines", n)
		}
		return nil
	})
	resumed := openSSE(t, s, id, strconv.FormatUint(last, 10))
	if first, ok := resumed.next(t); !ok || first.retry != "3000" {
		t.Fatalf("resumed stream opened with %+v", first)
	}
	turn2 := resumed.until(t, "transcript.final", "Parking is free.")
	consecutive(t, "resumed", turn2, last+1)
	if !strings.Contains(turn2[0].data, "Where do I park?") {
		t.Errorf("resumed at %+v; want the caller's second line first", turn2[0])
	}

	// The call ends: call.ended, then the stream closes.
	fake.ReplyText(`{"summary":"Hours and parking.","key_points":[],"next_actions":[],"outcome_label":"question_answered","outcome":{}}`)
	_ = c.Conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.Status(ctx, "completed", url.Values{"CallDuration": {"30"}}); err != nil {
		t.Fatal(err)
	}
	tail := resumed.rest(t)
	if len(tail) == 0 || tail[len(tail)-1].typ != "call.ended" {
		t.Fatalf("after the hang-up the stream sent %v; want call.ended last", tail)
	}
	consecutive(t, "tail", tail, eventID(t, turn2[len(turn2)-1])+1)
	endID := tail[len(tail)-1].id

	// A reconnect after call.ended: 204, EventSource's signal to stop.
	again := openSSE(t, s, id, endID)
	if again.resp.StatusCode != 204 {
		t.Errorf("reconnect after call.ended = %d; want 204", again.resp.StatusCode)
	}
	if rest := again.rest(t); len(rest) != 0 {
		t.Errorf("reconnect after call.ended sent %v", rest)
	}
	// A new viewer of the ended call gets call.ended alone, with its id.
	fresh := openSSE(t, s, id, "")
	if got := fresh.rest(t); len(got) != 2 || got[1].typ != "call.ended" || got[1].id != endID {
		t.Errorf("a new viewer of an ended call got %v; want retry, then call.ended %s", got, endID)
	}
	// A viewer that missed the end (its id from before) gets what it missed.
	missed := openSSE(t, s, id, strconv.FormatUint(last, 10))
	if got := missed.rest(t); len(got) < 2 || got[len(got)-1].typ != "call.ended" {
		t.Errorf("a viewer that missed the end got %v", got)
	} else {
		consecutive(t, "missed", got[1:], last+1)
	}
	// An id humd did not give (another run's) resumes from everything kept.
	if got := openSSE(t, s, id, "not-a-number").rest(t); len(got) < 2 || got[len(got)-1].typ != "call.ended" || eventID(t, got[1]) > eventID(t, turn1[0]) {
		t.Errorf("a foreign Last-Event-ID got %v; want every kept event", got)
	}
}
