package app_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/humd/humd/app/apptest"
	"github.com/humd/humd/storage/calls"
	"github.com/humd/humd/transport/llm"
	"github.com/humd/humd/transport/llm/llmtest"
	"github.com/humd/humd/transport/relay"
	"github.com/humd/humd/transport/relay/relayclient"
)

const frontDesk = "+13175550199"

// voiceServer is humd with openai-go against the fake Responses server, a
// voice flow with a transfer map, and ourNumber answering with it.
func voiceServer(t *testing.T, flow map[string]any) (*apptest.Server, *llmtest.Server, string) {
	t.Helper()
	fake := llmtest.Start(t)
	model := llm.NewOpenAI(llm.Config{APIKey: "test", BaseURL: fake.BaseURL(), MaxRetries: -1})
	s := apptest.Start(t, apptest.Options{Model: model})
	body := map[string]any{"name": "Front line", "channel": "voice", "greeting": "Hi, this is Acme.", "system_prompt": "You answer calls for Acme.",
		"voicemail_enabled": true, "transfers_json": []any{map[string]any{"label": "front desk", "e164": frontDesk}}}
	for k, v := range flow {
		body[k] = v
	}
	id := s.JSON("POST", "/api/flows", adminKey, body, 201)["id"].(string)
	n := s.AddNumber(ourNumber, 1)
	s.JSON("PATCH", "/api/numbers/"+n.ID, adminKey, map[string]any{"flow_id": id}, 200)
	return s, fake, id
}

func dial(t *testing.T, s *apptest.Server, from, sid string) *relayclient.Call {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := relayclient.PlaceInbound(ctx, relayclient.InboundOptions{HumdURL: s.URL, PublicURL: s.PublicURL,
		AuthToken: s.App.SandboxToken, From: from, To: ourNumber, CallSid: sid})
	if err != nil {
		t.Fatalf("place call: %v", err)
	}
	if c.Conn != nil {
		t.Cleanup(func() { _ = c.Conn.Close() })
	}
	return c
}

func reply(t *testing.T, c *relayclient.Call) (string, []any) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	text, frames, err := c.Conn.Reply(ctx)
	if err != nil {
		t.Fatalf("agent reply: %v (so far %q)", err, text)
	}
	return text, frames
}

func storedCall(t *testing.T, s *apptest.Server, id string) *calls.Call {
	t.Helper()
	c, err := calls.Get(s.App.Store, s.OrgID(), id)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func transcript(t *testing.T, s *apptest.Server, id string) []*calls.Turn {
	t.Helper()
	turns, err := calls.Turns(s.App.Store, s.OrgID(), id)
	if err != nil {
		t.Fatal(err)
	}
	return turns
}

// liveStream reads GET /api/calls/{id}/stream into a list of event types.
type liveStream struct {
	mu     sync.Mutex
	events []string
	done   chan struct{}
}

func openStream(t *testing.T, s *apptest.Server, id string) *liveStream {
	t.Helper()
	req, _ := http.NewRequest("GET", s.URL+"/api/calls/"+id+"/stream", nil)
	req.Header.Set("Authorization", "Bearer "+adminKey)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("stream = %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	ls := &liveStream{done: make(chan struct{})}
	go func() {
		defer close(ls.done)
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			if ev, ok := strings.CutPrefix(sc.Text(), "event: "); ok {
				ls.mu.Lock()
				ls.events = append(ls.events, ev)
				ls.mu.Unlock()
			}
		}
	}()
	t.Cleanup(func() { resp.Body.Close() })
	return ls
}

func (ls *liveStream) list() []string {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	return append([]string(nil), ls.events...)
}

// TestVoiceCallEndToEnd is one scripted call over the ConversationRelay
// socket: greeting, a turn, an interruption mid-answer, DTMF, a tool call, a
// transfer, then the status callbacks (one duplicated) and the summary; the
// live stream follows it to call.ended.
func TestVoiceCallEndToEnd(t *testing.T) {
	s, fake, flowID := voiceServer(t, nil)
	s.JSON("POST", "/api/knowledge", adminKey, map[string]any{"title": "Parking", "text": "Parking is free behind the store."}, 201)
	c := dial(t, s, contact, "CA00000000000000000000000000000001")
	if c.TwiML.Kind != relayclient.KindConnect || c.Greeting != "Hi, this is Acme." || c.TwiML.Relay["dtmfDetection"] != "true" {
		t.Fatalf("twiml = %+v", c.TwiML)
	}
	// In sandbox mode the relay URL names the call (a call token opens only its socket).
	if want := relay.WSURL(s.PublicURL) + "?call_id=" + c.TwiML.Parameters["call_id"]; c.TwiML.RelayURL != want {
		t.Errorf("relay url = %s; want %s", c.TwiML.RelayURL, want)
	}
	id := c.TwiML.Parameters["call_id"]
	if c.TwiML.Parameters["flow_id"] != flowID || id == "" {
		t.Fatalf("parameters = %v", c.TwiML.Parameters)
	}
	stream := openStream(t, s, id)
	s.WaitFor("the stream to attach", func() error {
		if s.App.Calls.Hub().Subscribers(id) != 1 {
			return fmt.Errorf("no subscriber yet")
		}
		return nil
	})

	// A turn, streamed as several tokens.
	fake.ReplyText("We open at nine every weekday.")
	if err := c.Conn.Prompt("When do you open?"); err != nil {
		t.Fatal(err)
	}
	if text, _ := reply(t, c); text != "We open at nine every weekday." {
		t.Errorf("reply = %q", text)
	}

	// An interruption mid-answer: the turn is cancelled and the transcript
	// keeps what the caller heard.
	fake.SetChunkDelay(40 * time.Millisecond)
	fake.ReplyText("Let me tell you about every single one of our many services in great detail so you know them all.")
	if err := c.Conn.Prompt("What do you do?"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := c.Conn.ReadFrame(ctx); err != nil {
		t.Fatal(err)
	}
	if err := c.Conn.Interrupt("Let me tell", 700); err != nil {
		t.Fatal(err)
	}
	s.WaitFor("the interrupted turn", func() error {
		for _, tr := range transcript(t, s, id) {
			if tr.Interrupted && tr.Heard == "Let me tell" && strings.HasPrefix(tr.Text, "Let") {
				return nil
			}
		}
		b, _ := json.Marshal(transcript(t, s, id))
		return fmt.Errorf("transcript = %s", b)
	})
	fake.SetChunkDelay(0)

	// DTMF becomes a line the model reads.
	fake.ReplyText("You pressed one: sales.")
	if err := c.Conn.DTMF("1"); err != nil {
		t.Fatal(err)
	}
	if text, _ := reply(t, c); !strings.HasSuffix(text, "You pressed one: sales.") {
		t.Errorf("dtmf reply = %q", text)
	}
	reqs := fake.Requests()
	if last := reqs[len(reqs)-1]; !strings.Contains(fmt.Sprint(last.Input), "pressed 1") || !last.Stream {
		t.Errorf("dtmf request = %+v", last)
	}

	// A tool call, its output in the next request.
	fake.ReplyToolCall("lookup_knowledge", `{"query":"parking"}`)
	fake.ReplyText("Parking is free behind the store.")
	if err := c.Conn.Prompt("Where do I park?"); err != nil {
		t.Fatal(err)
	}
	if text, _ := reply(t, c); text != "Parking is free behind the store." {
		t.Errorf("tool reply = %q", text)
	}

	// A transfer: the agent finishes its sentence, ends the session with the
	// handoff, and the action URL dials the front desk.
	fake.ReplyToolCall("transfer_call", `{"label":"front desk"}`)
	fake.ReplyText("Transferring you to the front desk now.")
	if err := c.Conn.Prompt("Can I talk to a person?"); err != nil {
		t.Fatal(err)
	}
	text, frames := reply(t, c)
	if text != "Transferring you to the front desk now." {
		t.Errorf("transfer reply = %q", text)
	}
	var end *relay.EndFrame
	if len(frames) == 0 {
		f, err := c.Conn.ReadFrame(ctx)
		if err != nil {
			t.Fatal(err)
		}
		frames = append(frames, f)
	}
	end, _ = frames[len(frames)-1].(*relay.EndFrame)
	if end == nil || !strings.Contains(end.HandoffData, frontDesk) {
		t.Fatalf("frames after the transfer = %#v", frames)
	}
	next, err := c.PostAction(ctx, end.HandoffData, nil)
	if err != nil || next.Kind != relayclient.KindDial || next.Dial != frontDesk {
		t.Fatalf("action = %+v, %v; want a dial to the front desk", next, err)
	}
	_ = c.Conn.Close()

	// The caller hangs up after talking to the front desk; Twilio repeats
	// the final callback, which changes nothing.
	fake.ReplyText(`{"summary":"Caller asked about hours and parking, then asked for a person.","key_points":["hours","parking"],` +
		`"next_actions":["front desk follows up"],"outcome_label":"transferred","outcome":{"to":"front desk"}}`)
	if err := c.Status(ctx, "completed", url.Values{"CallDuration": {"95"}}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-stream.done:
	case <-ctx.Done():
		t.Fatal("the live stream did not end")
	}
	got := stream.list()
	for _, want := range []string{"state.changed", "transcript.delta", "transcript.final", "tool.started", "tool.finished", "call.ended"} {
		if !contains(got, want) {
			t.Errorf("stream events %v lack %s", got, want)
		}
	}
	if got[len(got)-1] != "call.ended" {
		t.Errorf("stream ended with %s", got[len(got)-1])
	}
	s.WaitFor("the summary", func() error {
		if cl := storedCall(t, s, id); cl.Summary == nil {
			return fmt.Errorf("no summary yet")
		}
		return nil
	})
	before := storedCall(t, s, id)
	nEvents := len(s.Events())
	if err := c.Status(ctx, "completed", url.Values{"CallDuration": {"95"}}); err != nil {
		t.Fatal(err)
	}
	var after *calls.Call
	s.Holds("a duplicate status callback changes nothing", func() error {
		after = storedCall(t, s, id)
		if !after.UpdatedAt.Equal(before.UpdatedAt) || len(s.Events()) != nEvents {
			return fmt.Errorf("the call or the event log changed")
		}
		return nil
	})
	if after.Status != calls.StatusCompleted || after.DurationS != 95 || after.EndReason != "transfer" || after.Transfer == nil ||
		after.OutcomeLabel != "transferred" || after.Summary.KeyPoints[1] != "parking" || after.ToolCount != 2 {
		t.Errorf("call = %+v", after)
	}
	roles := []string{}
	for _, tr := range transcript(t, s, id) {
		roles = append(roles, tr.Role)
	}
	if want := "agent caller agent caller agent system agent caller agent caller agent"; strings.Join(roles, " ") != want {
		t.Errorf("transcript roles = %v; want %s", roles, want)
	}
	types := strings.Join(s.EventTypes(), " ")
	for _, want := range []string{"call.started", "call.transferred", "call.completed", "call.outcome"} {
		if strings.Count(types, want) != 1 {
			t.Errorf("events %s: want one %s", types, want)
		}
	}
	// A retried voice webhook for the same CallSid answers the same TwiML and
	// writes nothing.
	again := dial(t, s, contact, "CA00000000000000000000000000000001")
	if again.TwiML.Parameters["call_id"] != id || again.TwiML.Kind != relayclient.KindConnect {
		t.Errorf("retry twiml = %+v", again.TwiML)
	}
	if n := strings.Count(strings.Join(s.EventTypes(), " "), "call.started"); n != 1 {
		t.Errorf("call.started fired %d times after a retried webhook", n)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func decodeJSON(t *testing.T, s string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatalf("%v: %s", err, s)
	}
	return m
}
