package llm_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/humd/humd/actors/ai"
	"github.com/humd/humd/transport/llm/llmtest"
)

// deltas records what a turn streams. OnDelta must not block, and Run calls
// it on its own goroutine, so the test reads the record only after Run.
type deltas struct {
	mu  sync.Mutex
	got []string
}

func (d *deltas) on(text string) {
	d.mu.Lock()
	d.got = append(d.got, text)
	d.mu.Unlock()
}

func (d *deltas) list() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.got...)
}

func TestRunStreamText(t *testing.T) {
	s := llmtest.Start(t)
	s.ReportModel("gpt-test-2026-01-01")
	const text = "Sure, your appointment is at nine tomorrow morning."
	s.ReplyText(text)
	var d deltas
	res, err := newOpenAI(s, -1).Run(context.Background(), &ai.Turn{Input: []string{"when?"}, OnDelta: d.on}, noTools(t))
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if res.Text != text || res.Model != "gpt-test-2026-01-01" || res.Requests != 1 || len(res.ToolCalls) != 0 {
		t.Errorf("Run = %+v; want text %q, reported model, 1 request", res, text)
	}
	got := d.list()
	if len(got) < 2 || strings.Join(got, "") != res.Text {
		t.Errorf("deltas = %q; want several that join to %q", got, res.Text)
	}
	reqs := s.Requests()
	if len(reqs) != 1 || !reqs[0].Stream || reqs[0].Input[0].Content != "when?" {
		t.Errorf("requests = %+v; want one stream request for when?", reqs)
	}
}

// Without OnDelta nothing streams: the plain path is untouched.
func TestRunNoDeltaDoesNotStream(t *testing.T) {
	s := llmtest.Start(t)
	if _, err := newOpenAI(s, -1).Run(context.Background(), &ai.Turn{Input: []string{"x"}}, noTools(t)); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if reqs := s.Requests(); len(reqs) != 1 || reqs[0].Stream {
		t.Errorf("requests = %+v; want one plain request", reqs)
	}
}

func TestRunStreamToolCallThenText(t *testing.T) {
	s := llmtest.Start(t)
	s.ReplyToolCall("lookup", `{"q": "hours"}`)
	s.ReplyText("We open at nine.")
	var (
		d     deltas
		calls []string
	)
	exec := func(_ context.Context, call ai.ToolCall) (string, error) {
		if n := len(d.list()); n != 0 {
			t.Errorf("tool ran after %d deltas; want none before the final text", n)
		}
		calls = append(calls, call.Name+call.Arguments)
		return `{"hours":"9-5"}`, nil
	}
	res, err := newOpenAI(s, -1).Run(context.Background(), &ai.Turn{Input: []string{"hours?"}, Tools: tools, OnDelta: d.on}, exec)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if want := []string{`lookup{"q": "hours"}`}; fmt.Sprint(calls) != fmt.Sprint(want) {
		t.Errorf("exec calls = %q; want %q", calls, want)
	}
	if res.Text != "We open at nine." || res.Requests != 2 || len(res.ToolCalls) != 1 || res.ToolCalls[0].Name != "lookup" {
		t.Errorf("Run = %+v; want the final text after 2 requests and 1 tool record", res)
	}
	if got := d.list(); len(got) < 2 || strings.Join(got, "") != res.Text {
		t.Errorf("deltas = %q; want only the final text, in several pieces", got)
	}
	reqs := s.Requests()
	if len(reqs) != 2 || !reqs[0].Stream || !reqs[1].Stream {
		t.Fatalf("requests = %+v; want two stream requests", reqs)
	}
	want := []llmtest.InputItem{
		{Type: "message", Role: "user", Content: "hours?"},
		{Type: "function_call", ID: "fc_001_0", CallID: llmtest.CallID(1, 0), Name: "lookup", Arguments: `{"q": "hours"}`},
		{Type: "function_call_output", CallID: llmtest.CallID(1, 0), Output: `{"hours":"9-5"}`},
	}
	if fmt.Sprint(reqs[1].Input) != fmt.Sprint(want) {
		t.Errorf("second request input =\n%+v\nwant\n%+v", reqs[1].Input, want)
	}
}

// The cap works the same streamed: the last request asks for no tools.
func TestRunStreamToolCap(t *testing.T) {
	s := llmtest.Start(t)
	s.ReplyToolCall("lookup", `{}`)
	s.ReplyText("final answer")
	var d deltas
	exec := func(context.Context, ai.ToolCall) (string, error) { return "r", nil }
	res, err := newOpenAI(s, -1).Run(context.Background(),
		&ai.Turn{Input: []string{"go"}, Tools: tools, MaxToolCalls: 1, OnDelta: d.on}, exec)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if !res.Capped || res.Text != "final answer" || strings.Join(d.list(), "") != "final answer" {
		t.Errorf("Run = %+v, deltas %q; want capped with the final answer streamed", res, d.list())
	}
	if reqs := s.Requests(); len(reqs) != 2 || reqs[1].ToolChoice != "none" {
		t.Errorf("requests = %+v; want 2, the last with tool_choice none", reqs)
	}
}

// A caller interrupting the turn (the voice caller talks over it) stops the
// stream mid-answer: Run returns at once with context.Canceled.
func TestRunStreamCancelledMidAnswer(t *testing.T) {
	s := llmtest.Start(t)
	s.SetChunkDelay(200 * time.Millisecond)
	s.ReplyText(strings.Repeat("word ", 50) + "end") // about 10s when read to the end
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	first := make(chan struct{})
	var once sync.Once
	turn := &ai.Turn{Input: []string{"x"}, OnDelta: func(string) { once.Do(func() { close(first) }) }}
	type outcome struct {
		res *ai.Result
		err error
	}
	done := make(chan outcome, 1)
	go func() {
		res, err := newOpenAI(s, -1).Run(ctx, turn, noTools(t))
		done <- outcome{res, err}
	}()
	select {
	case <-first:
	case <-time.After(10 * time.Second):
		t.Fatal("no delta within 10s")
	}
	cancel()
	select {
	case got := <-done:
		if err := got.err; !errors.Is(err, context.Canceled) || errors.Is(err, ai.ErrTimeout) || errors.Is(err, ai.ErrProvider) || got.res != nil {
			t.Errorf("Run = %+v, %v; want context.Canceled only", got.res, err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("Run still reading 2s after the cancel")
	}
}

func TestRunStreamTimeout(t *testing.T) {
	s := llmtest.Start(t)
	s.Hang()
	done := make(chan error, 1)
	go func() {
		_, err := newOpenAI(s, -1).Run(context.Background(),
			&ai.Turn{Input: []string{"x"}, Timeout: 200 * time.Millisecond, OnDelta: func(string) {}}, noTools(t))
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, ai.ErrTimeout) || errors.Is(err, ai.ErrProvider) {
			t.Errorf("Run error = %v; want ErrTimeout", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return within 10s of a 200ms timeout")
	}
}

func TestRunStreamServerError(t *testing.T) {
	s := llmtest.Start(t)
	s.FailNext(500, "model overloaded")
	var d deltas
	res, err := newOpenAI(s, -1).Run(context.Background(), &ai.Turn{Input: []string{"x"}, OnDelta: d.on}, noTools(t))
	if !errors.Is(err, ai.ErrProvider) || errors.Is(err, ai.ErrTimeout) || res != nil {
		t.Fatalf("Run = %+v, %v; want ErrProvider", res, err)
	}
	if !strings.Contains(err.Error(), "model overloaded") || !strings.Contains(err.Error(), "500") {
		t.Errorf("error %q lacks the provider's status and message", err)
	}
	if got := d.list(); len(got) != 0 {
		t.Errorf("deltas = %q; want none", got)
	}
	if reqs := s.Requests(); len(reqs) != 1 || !reqs[0].Stream {
		t.Errorf("requests = %+v; want one stream request", reqs)
	}
}

// openai-go retries a stream request that failed before streaming began.
func TestRunStreamRetriesServerError(t *testing.T) {
	s := llmtest.Start(t)
	s.FailNext(503, "upstream hiccup")
	s.ReplyText("recovered after all")
	var d deltas
	res, err := newOpenAI(s, 1).Run(context.Background(), &ai.Turn{Input: []string{"x"}, OnDelta: d.on}, noTools(t))
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if res.Text != "recovered after all" || strings.Join(d.list(), "") != res.Text || len(s.Requests()) != 2 {
		t.Errorf("Run = %+v, deltas %q after %d attempts; want the text streamed on the second", res, d.list(), len(s.Requests()))
	}
}

// Streams that fail or end early, written by hand in the wire format.
func TestRunStreamBadEnds(t *testing.T) {
	const created = "event: response.created\ndata: {\"type\":\"response.created\",\"sequence_number\":0," +
		"\"response\":{\"id\":\"resp_1\",\"object\":\"response\",\"status\":\"in_progress\",\"output\":[]}}\n\n"
	const delta = "event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"sequence_number\":1," +
		"\"item_id\":\"msg_1\",\"output_index\":0,\"content_index\":0,\"delta\":\"Hel\"}\n\n"
	for _, tc := range []struct {
		name, body string
		want       error
		detail     string
	}{
		{"response.failed", created + delta + "event: response.failed\ndata: {\"type\":\"response.failed\",\"sequence_number\":2," +
			"\"response\":{\"id\":\"resp_1\",\"status\":\"failed\",\"output\":[],\"error\":{\"code\":\"server_error\",\"message\":\"boom\"}}}\n\n",
			ai.ErrProvider, "server_error: boom"},
		{"error event", created + "event: error\ndata: {\"type\":\"error\",\"sequence_number\":1," +
			"\"code\":\"rate_limit_exceeded\",\"message\":\"slow down\",\"param\":null}\n\n",
			ai.ErrProvider, "rate_limit_exceeded: slow down"},
		{"no completed event", created + delta, ai.ErrMalformed, "response.completed"},
		{"empty stream", "", ai.ErrMalformed, "response.completed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := llmtest.Start(t)
			s.ReplyRaw(tc.body)
			res, err := newOpenAI(s, -1).Run(context.Background(), &ai.Turn{Input: []string{"x"}, OnDelta: func(string) {}}, noTools(t))
			if !errors.Is(err, tc.want) || res != nil {
				t.Fatalf("Run = %+v, %v; want %v", res, err, tc.want)
			}
			if !strings.Contains(err.Error(), tc.detail) {
				t.Errorf("error %q does not mention %q", err, tc.detail)
			}
		})
	}
}

func TestRunStreamEmptyText(t *testing.T) {
	s := llmtest.Start(t)
	s.ReplyText(" \n ")
	res, err := newOpenAI(s, -1).Run(context.Background(), &ai.Turn{Input: []string{"x"}, OnDelta: func(string) {}}, noTools(t))
	if !errors.Is(err, ai.ErrMalformed) {
		t.Errorf("Run = %+v, %v; want ErrMalformed", res, err)
	}
}

// response.incomplete (say, max_output_tokens reached) ends the stream like
// an incomplete plain answer: whatever text it holds is the reply.
func TestRunStreamIncomplete(t *testing.T) {
	s := llmtest.Start(t)
	s.ReplyRaw("event: response.incomplete\ndata: {\"type\":\"response.incomplete\",\"sequence_number\":0," +
		"\"response\":{\"id\":\"resp_1\",\"status\":\"incomplete\",\"model\":\"gpt-test\",\"output\":[{\"type\":\"message\"," +
		"\"id\":\"msg_1\",\"role\":\"assistant\",\"content\":[{\"type\":\"output_text\",\"text\":\"Partial answer\"}]}]}}\n\n")
	res, err := newOpenAI(s, -1).Run(context.Background(), &ai.Turn{Input: []string{"x"}, OnDelta: func(string) {}}, noTools(t))
	if err != nil || res.Text != "Partial answer" {
		t.Errorf("Run = %+v, %v; want the partial text", res, err)
	}
}
