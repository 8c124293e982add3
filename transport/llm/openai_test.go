package llm_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/humd/humd/actors/ai"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/transport/conntest"
	"github.com/humd/humd/transport/llm"
	"github.com/humd/humd/transport/llm/llmtest"
)

func newOpenAI(s *llmtest.Server, retries int) *llm.OpenAI {
	return llm.NewOpenAI(llm.Config{APIKey: "sk-test", BaseURL: s.BaseURL(), Model: "gpt-test", MaxRetries: retries})
}

// noTools fails the test if the model calls a tool.
func noTools(t *testing.T) ai.ToolExec {
	return func(_ context.Context, call ai.ToolCall) (string, error) {
		t.Errorf("unexpected tool call %+v", call)
		return "", errors.New("unexpected")
	}
}

var tools = []ai.Tool{
	{Name: "lookup", Description: "Look something up.", Parameters: map[string]any{
		"type": "object", "properties": map[string]any{"q": map[string]any{"type": "string"}}}},
	{Name: "notify"},
}

func TestRunText(t *testing.T) {
	s := llmtest.Start(t)
	s.ReportModel("gpt-test-2026-01-01")
	s.ReplyText("  Hello there!\n")
	m := newOpenAI(s, -1)
	turn := &ai.Turn{
		Instructions: "Be brief.",
		History:      []ai.Message{{Role: "user", Text: "hi"}, {Role: "assistant", Text: "hello"}},
		Input:        []string{"first", "second"},
	}
	res, err := m.Run(context.Background(), turn, noTools(t))
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if res.Text != "Hello there!" || res.Model != "gpt-test-2026-01-01" || res.Requests != 1 || res.Capped || len(res.ToolCalls) != 0 {
		t.Errorf("Run = %+v; want text %q, reported model, 1 request", res, "Hello there!")
	}
	reqs := s.Requests()
	if len(reqs) != 1 {
		t.Fatalf("server saw %d requests; want 1", len(reqs))
	}
	r := reqs[0]
	if r.Model != "gpt-test" || r.Instructions != "Be brief." || len(r.Tools) != 0 {
		t.Errorf("request model=%q instructions=%q tools=%d; want gpt-test, Be brief., 0", r.Model, r.Instructions, len(r.Tools))
	}
	if r.ParallelToolCalls == nil || *r.ParallelToolCalls || r.Store == nil || *r.Store {
		t.Errorf("request parallel_tool_calls=%v store=%v; want both false", r.ParallelToolCalls, r.Store)
	}
	want := []llmtest.InputItem{
		{Type: "message", Role: "user", Content: "hi"},
		{Type: "message", Role: "assistant", Content: "hello"},
		{Type: "message", Role: "user", Content: "first"},
		{Type: "message", Role: "user", Content: "second"},
	}
	if fmt.Sprint(r.Input) != fmt.Sprint(want) {
		t.Errorf("request input = %+v; want %+v", r.Input, want)
	}
}

func TestRunTurnModelOverrides(t *testing.T) {
	s := llmtest.Start(t)
	res, err := newOpenAI(s, -1).Run(context.Background(), &ai.Turn{Model: "gpt-other", Input: []string{"x"}}, noTools(t))
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if got := s.Requests()[0].Model; got != "gpt-other" || res.Model != "gpt-other" || res.Text != llmtest.DefaultText {
		t.Errorf("request model %q, result %+v; want gpt-other and default text", got, res)
	}
}

func TestRunToolCallsSequential(t *testing.T) {
	s := llmtest.Start(t)
	s.ReplyToolCalls(llmtest.Call{Name: "lookup", Arguments: `{"q":"a"}`}, llmtest.Call{Name: "notify", Arguments: `{}`})
	s.ReplyToolCall("lookup", `{"q":"c"}`)
	s.ReplyText("done")

	long := strings.Repeat("é", 500)
	var (
		mu       sync.Mutex
		order    []string
		inflight atomic.Int32
	)
	exec := func(ctx context.Context, call ai.ToolCall) (string, error) {
		if n := inflight.Add(1); n != 1 {
			t.Errorf("exec ran %d calls at once", n)
		}
		defer inflight.Add(-1)
		mu.Lock()
		order = append(order, call.Name+call.Arguments)
		mu.Unlock()
		switch call.Arguments {
		case `{"q":"a"}`:
			return long, nil
		case `{}`:
			return "", errors.New("boom")
		}
		return `{"answer":"c"}`, nil
	}
	res, err := newOpenAI(s, -1).Run(context.Background(), &ai.Turn{Input: []string{"go"}, Tools: tools}, exec)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if want := []string{`lookup{"q":"a"}`, `notify{}`, `lookup{"q":"c"}`}; fmt.Sprint(order) != fmt.Sprint(want) {
		t.Errorf("exec order = %q; want %q", order, want)
	}
	if res.Text != "done" || res.Requests != 3 || res.Capped || len(res.ToolCalls) != 3 {
		t.Fatalf("Run = %+v; want text done, 3 requests, 3 tool records", res)
	}
	if got := res.ToolCalls[0]; got.Name != "lookup" || got.Arguments != `{"q":"a"}` || utf8.RuneCountInString(got.Result) > 200 || got.Error != "" {
		t.Errorf("record 0 = %+v; want lookup with a summary of at most 200 runes", got)
	}
	if got := res.ToolCalls[1]; got.Name != "notify" || got.Error != "boom" {
		t.Errorf("record 1 = %+v; want notify with error boom", got)
	}

	reqs := s.Requests()
	if len(reqs) != 3 {
		t.Fatalf("server saw %d requests; want 3", len(reqs))
	}
	for i, r := range reqs {
		if r.ParallelToolCalls == nil || *r.ParallelToolCalls {
			t.Errorf("request %d parallel_tool_calls = %v; want false", i, r.ParallelToolCalls)
		}
		if len(r.Tools) != 2 || r.Tools[0].Type != "function" || r.Tools[0].Strict == nil || *r.Tools[0].Strict {
			t.Errorf("request %d tools = %+v; want 2 non-strict functions", i, r.Tools)
		}
		if r.ToolChoice != "" {
			t.Errorf("request %d tool_choice = %q; want unset", i, r.ToolChoice)
		}
	}
	second := reqs[1].Input
	want := []llmtest.InputItem{
		{Type: "message", Role: "user", Content: "go"},
		{Type: "function_call", ID: "fc_001_0", CallID: llmtest.CallID(1, 0), Name: "lookup", Arguments: `{"q":"a"}`},
		{Type: "function_call_output", CallID: llmtest.CallID(1, 0), Output: long},
		{Type: "function_call", ID: "fc_001_1", CallID: llmtest.CallID(1, 1), Name: "notify", Arguments: `{}`},
		{Type: "function_call_output", CallID: llmtest.CallID(1, 1), Output: `{"error":"boom"}`},
	}
	if fmt.Sprint(second) != fmt.Sprint(want) {
		t.Errorf("second request input =\n%+v\nwant\n%+v", second, want)
	}
	third := reqs[2].Input
	if len(third) != 7 || third[6].Type != "function_call_output" || third[6].CallID != llmtest.CallID(2, 0) || third[6].Output != `{"answer":"c"}` {
		t.Errorf("third request input = %+v; want the second input plus call_002_0 and its output", third)
	}
}

func TestRunToolCap(t *testing.T) {
	s := llmtest.Start(t)
	s.ReplyToolCall("lookup", `{"q":"1"}`)
	s.ReplyToolCall("lookup", `{"q":"2"}`)
	s.ReplyText("final answer")
	var calls atomic.Int32
	exec := func(context.Context, ai.ToolCall) (string, error) { calls.Add(1); return "r", nil }

	res, err := newOpenAI(s, -1).Run(context.Background(), &ai.Turn{Input: []string{"go"}, Tools: tools, MaxToolCalls: 2}, exec)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if !res.Capped || res.Text != "final answer" || res.Requests != 3 || calls.Load() != 2 || len(res.ToolCalls) != 2 {
		t.Errorf("Run = %+v, exec calls %d; want capped, final answer, 3 requests, 2 calls", res, calls.Load())
	}
	reqs := s.Requests()
	if len(reqs) != 3 {
		t.Fatalf("server saw %d requests; want 3", len(reqs))
	}
	for i, want := range []string{"", "", "none"} {
		if reqs[i].ToolChoice != want {
			t.Errorf("request %d tool_choice = %q; want %q", i, reqs[i].ToolChoice, want)
		}
	}
}

// A response with more calls than the cap allows: the rest are neither run
// nor sent back, since the API rejects a function_call with no output.
func TestRunToolCapMidResponse(t *testing.T) {
	s := llmtest.Start(t)
	s.ReplyToolCalls(llmtest.Call{Name: "lookup", Arguments: `{}`}, llmtest.Call{Name: "notify", Arguments: `{}`},
		llmtest.Call{Name: "lookup", Arguments: `{"q":"3"}`})
	s.ReplyText("final")
	var calls atomic.Int32
	exec := func(context.Context, ai.ToolCall) (string, error) { calls.Add(1); return "r", nil }

	res, err := newOpenAI(s, -1).Run(context.Background(), &ai.Turn{Input: []string{"go"}, Tools: tools, MaxToolCalls: 2}, exec)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if !res.Capped || res.Requests != 2 || calls.Load() != 2 {
		t.Errorf("Run = %+v, exec calls %d; want capped after 2 requests and 2 calls", res, calls.Load())
	}
	last := s.Requests()[1]
	fc := 0
	for _, it := range last.Input {
		if it.Type == "function_call" {
			fc++
		}
	}
	if fc != 2 || last.ToolChoice != "none" {
		t.Errorf("final request has %d function_calls, tool_choice %q; want 2 and none", fc, last.ToolChoice)
	}
}

func TestRunRetriesServerError(t *testing.T) {
	s := llmtest.Start(t)
	s.FailNext(500, "upstream hiccup")
	s.ReplyText("recovered")
	res, err := newOpenAI(s, 1).Run(context.Background(), &ai.Turn{Input: []string{"x"}}, noTools(t))
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if res.Text != "recovered" || res.Requests != 1 || len(s.Requests()) != 2 {
		t.Errorf("Run = %+v after %d HTTP attempts; want recovered, 1 model request, 2 attempts", res, len(s.Requests()))
	}
}

func TestRunProviderError(t *testing.T) {
	for _, tc := range []struct {
		name     string
		retries  int
		status   int
		attempts int
	}{
		{"500 without retries", -1, 500, 1},
		{"500 after retries", 2, 500, 3},
		{"400 is not retried", 2, 400, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := llmtest.Start(t)
			for range 3 {
				s.FailNext(tc.status, "model overloaded")
			}
			res, err := newOpenAI(s, tc.retries).Run(context.Background(), &ai.Turn{Input: []string{"x"}}, noTools(t))
			if !errors.Is(err, ai.ErrProvider) || errors.Is(err, ai.ErrTimeout) {
				t.Fatalf("Run = %+v, %v; want ErrProvider", res, err)
			}
			if !strings.Contains(err.Error(), "model overloaded") || !strings.Contains(err.Error(), fmt.Sprint(tc.status)) {
				t.Errorf("error %q lacks the provider's status and message", err)
			}
			if got := len(s.Requests()); got != tc.attempts {
				t.Errorf("server saw %d attempts; want %d", got, tc.attempts)
			}
		})
	}
}

func TestRunTimeout(t *testing.T) {
	s := llmtest.Start(t)
	s.Hang()
	m := newOpenAI(s, 2)
	done := make(chan error, 1)
	start := time.Now()
	go func() {
		_, err := m.Run(context.Background(), &ai.Turn{Input: []string{"x"}, Timeout: 200 * time.Millisecond}, noTools(t))
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, ai.ErrTimeout) || errors.Is(err, ai.ErrProvider) {
			t.Errorf("Run error = %v; want ErrTimeout", err)
		}
		if d := time.Since(start); d < 200*time.Millisecond {
			t.Errorf("Run returned after %v; want the 200ms timeout to pass first", d)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return within 10s of a 200ms timeout")
	}
	if got := len(s.Requests()); got != 1 {
		t.Errorf("server saw %d requests; want 1 (no retry after the deadline)", got)
	}
}

func TestRunCancelled(t *testing.T) {
	s := llmtest.Start(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := newOpenAI(s, -1).Run(ctx, &ai.Turn{Input: []string{"x"}}, noTools(t))
	if !errors.Is(err, context.Canceled) || errors.Is(err, ai.ErrTimeout) || errors.Is(err, ai.ErrProvider) {
		t.Errorf("Run error = %v; want context.Canceled only", err)
	}
}

func TestRunEmptyText(t *testing.T) {
	s := llmtest.Start(t)
	s.ReplyText(" \n ")
	res, err := newOpenAI(s, -1).Run(context.Background(), &ai.Turn{Input: []string{"x"}}, noTools(t))
	if !errors.Is(err, ai.ErrMalformed) {
		t.Errorf("Run = %+v, %v; want ErrMalformed", res, err)
	}
}

// Capped runs whose final answer is still a tool call have no text.
func TestRunCappedWithoutText(t *testing.T) {
	s := llmtest.Start(t)
	s.ReplyToolCall("lookup", `{}`)
	s.ReplyToolCall("lookup", `{}`)
	exec := func(context.Context, ai.ToolCall) (string, error) { return "r", nil }
	_, err := newOpenAI(s, -1).Run(context.Background(), &ai.Turn{Input: []string{"x"}, Tools: tools, MaxToolCalls: 1}, exec)
	if !errors.Is(err, ai.ErrMalformed) {
		t.Errorf("Run error = %v; want ErrMalformed", err)
	}
	if got := len(s.Requests()); got != 2 {
		t.Errorf("server saw %d requests; want 2", got)
	}
}

func TestRunConcurrent(t *testing.T) {
	s := llmtest.Start(t)
	m := newOpenAI(s, -1)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			res, err := m.Run(context.Background(), &ai.Turn{Input: []string{fmt.Sprint(i)}}, noTools(t))
			if err != nil || res.Text != llmtest.DefaultText {
				t.Errorf("Run %d = %+v, %v; want default text", i, res, err)
			}
		})
	}
	wg.Wait()
	if got := len(s.Requests()); got != 8 {
		t.Errorf("server saw %d requests; want 8", got)
	}
}

// A 200 whose body is not a Response (cut JSON, or a wrong shape) fails the
// run as malformed or provider output, never as a reply.
func TestRunMalformedBody(t *testing.T) {
	for _, body := range []string{`{"id":"resp_1","output":[{"type":"message"`, `[1,2,3]`, `{"output":"nope"}`} {
		s := llmtest.Start(t)
		s.ReplyRaw(body)
		res, err := newOpenAI(s, -1).Run(context.Background(), &ai.Turn{Input: []string{"x"}}, noTools(t))
		if err == nil || !(errors.Is(err, ai.ErrMalformed) || errors.Is(err, ai.ErrProvider)) || res != nil {
			t.Errorf("body %s: Run = %+v, %v; want ErrMalformed or ErrProvider", body, res, err)
		}
	}
}

// TestRunReusesConnections runs two waves of 20 turns, each wave held at the
// fake until all 20 are in flight: the second wave must reuse the first
// wave's connections, not open its own (openai-go's default client keeps
// only two idle, which made every run beyond two at once dial and close).
func TestRunReusesConnections(t *testing.T) {
	var reuse conntest.Reuse
	s := llmtest.Start(t, llmtest.OnRequest(func(*llmtest.Request) { reuse.Arrive() }))
	m := newOpenAI(s, -1)
	reuse.Check(t, 20, s.Conns, func() error {
		_, err := m.Run(context.Background(), &ai.Turn{Input: []string{"hi"}}, noTools(t))
		return err
	})
}

// TestRunToolArgumentsWithinJSONLimits: arguments nested past storage's
// JSON limit never reach a tool (they would be stored verbatim, as an
// outcome or an approval); the model reads an error instead.
func TestRunToolArgumentsWithinJSONLimits(t *testing.T) {
	s := llmtest.Start(t)
	n := storage.MaxJSONDepth + 1
	deep := `{"q":` + strings.Repeat("[", n) + strings.Repeat("]", n) + `}`
	s.ReplyToolCall("lookup", deep)
	s.ReplyText("done")
	res, err := newOpenAI(s, -1).Run(context.Background(), &ai.Turn{Input: []string{"go"}, Tools: tools}, noTools(t))
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if len(res.ToolCalls) != 1 || !strings.Contains(res.ToolCalls[0].Error, "nested deeper") {
		t.Errorf("tool records = %+v; want one refused as too deep", res.ToolCalls)
	}
	if in := s.Requests()[1].Input; !strings.Contains(in[len(in)-1].Output, "nested deeper") {
		t.Errorf("the model read %+v; want the error", in[len(in)-1])
	}
}
