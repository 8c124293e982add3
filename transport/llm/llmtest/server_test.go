package llmtest_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/responses"

	"github.com/humd/humd/transport/llm/llmtest"
)

// The fake's answers must decode into openai-go's Response with every field
// the real API always sends present, not just leniently.
func TestAnswersDecodeAsResponses(t *testing.T) {
	s := llmtest.Start(t)
	s.ReplyText("hello")
	s.ReplyToolCall("lookup", `{"q":"x"}`)
	c := openai.NewClient(option.WithAPIKey("sk-test"), option.WithBaseURL(s.BaseURL()), option.WithMaxRetries(0))
	params := responses.ResponseNewParams{Model: "gpt-test", Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("hi")}}

	resp, err := c.Responses.New(context.Background(), params)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if resp.OutputText() != "hello" || resp.Model != "gpt-test" || resp.Status != responses.ResponseStatusCompleted || resp.Object != "response" {
		t.Errorf("text answer = %q model=%q status=%q object=%q", resp.OutputText(), resp.Model, resp.Status, resp.Object)
	}
	for name, f := range map[string]interface{ Valid() bool }{
		"id": resp.JSON.ID, "created_at": resp.JSON.CreatedAt, "output": resp.JSON.Output, "usage": resp.JSON.Usage,
		"tool_choice": resp.JSON.ToolChoice, "tools": resp.JSON.Tools, "parallel_tool_calls": resp.JSON.ParallelToolCalls,
	} {
		if !f.Valid() {
			t.Errorf("field %s did not decode", name)
		}
	}
	if msg := resp.Output[0].AsMessage(); msg.Role != "assistant" || len(msg.Content) != 1 || msg.Content[0].Type != "output_text" {
		t.Errorf("message item = %+v", msg)
	}
	if u := s.Usage(); resp.Usage.InputTokens != u.InputTokens || resp.Usage.OutputTokens != u.OutputTokens ||
		resp.Usage.TotalTokens != u.Total() || u.InputTokens == 0 || u.OutputTokens != 3 {
		// "hello" is 5 bytes: (5+3)/4+1 output tokens.
		t.Errorf("usage = %+v; want the server's count %+v, 3 output tokens", resp.Usage, u)
	}

	resp, err = c.Responses.New(context.Background(), params)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if len(resp.Output) != 1 || resp.Output[0].Type != "function_call" {
		t.Fatalf("tool answer output = %+v; want one function_call", resp.Output)
	}
	call := resp.Output[0].AsFunctionCall()
	if call.Name != "lookup" || call.Arguments != `{"q":"x"}` || call.CallID != llmtest.CallID(2, 0) || call.ID == "" {
		t.Errorf("function call = %+v", call)
	}
	if got := s.Requests(); len(got) != 2 || len(got[0].Input) != 1 || got[0].Input[0].Content != "hi" {
		t.Errorf("Requests = %+v; want two, the first with input hi", got)
	}
}

// New works without a test, Delay holds every answer back, OnRequest sees
// each request instead of the log, and Close is idempotent.
func TestNewDelayOnRequest(t *testing.T) {
	var seen []string
	var mu sync.Mutex
	s := llmtest.New(llmtest.Delay(30*time.Millisecond), llmtest.OnRequest(func(r *llmtest.Request) {
		mu.Lock()
		seen = append(seen, r.Input[0].Content)
		mu.Unlock()
	}))
	defer s.Close()
	c := openai.NewClient(option.WithAPIKey("sk-test"), option.WithBaseURL(s.BaseURL()), option.WithMaxRetries(0))
	start := time.Now()
	resp, err := c.Responses.New(context.Background(), responses.ResponseNewParams{Model: "gpt-test",
		Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("hi")}})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if took := time.Since(start); took < 30*time.Millisecond {
		t.Errorf("answer took %v; want at least the 30ms delay", took)
	}
	if resp.OutputText() != llmtest.DefaultText {
		t.Errorf("text = %q; want %q", resp.OutputText(), llmtest.DefaultText)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(seen) != 1 || seen[0] != "hi" || len(s.Requests()) != 0 {
		t.Errorf("OnRequest saw %q, log has %d; want [hi] and an empty log", seen, len(s.Requests()))
	}
	s.Close()
	s.Close()
}

// A stream request gets the real Responses event sequence, each event
// decoding into openai-go's union, numbered from 0, ending with the same
// response object a plain request gets.
func TestStreamEvents(t *testing.T) {
	s := llmtest.Start(t)
	s.ReplyText("It is sunny today.")
	s.ReplyToolCall("lookup", `{"q": "x y"}`)
	c := openai.NewClient(option.WithAPIKey("sk-test"), option.WithBaseURL(s.BaseURL()), option.WithMaxRetries(0))
	params := responses.ResponseNewParams{Model: "gpt-test", Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("hi")}}

	read := func() (types []string, deltas string, final responses.Response) {
		t.Helper()
		st := c.Responses.NewStreaming(context.Background(), params)
		defer st.Close()
		for st.Next() {
			ev := st.Current()
			if want := int64(len(types)); ev.SequenceNumber != want {
				t.Errorf("event %d (%s) sequence_number = %d; want %d", len(types), ev.Type, ev.SequenceNumber, want)
			}
			types = append(types, ev.Type)
			switch ev.Type {
			case "response.output_text.delta":
				deltas += ev.AsResponseOutputTextDelta().Delta
			case "response.function_call_arguments.delta":
				deltas += ev.AsResponseFunctionCallArgumentsDelta().Delta
			case "response.completed":
				final = ev.AsResponseCompleted().Response
			}
		}
		if err := st.Err(); err != nil {
			t.Fatalf("stream: %v", err)
		}
		return types, deltas, final
	}

	types, text, final := read()
	want := []string{"response.created", "response.in_progress", "response.output_item.added", "response.content_part.added",
		"response.output_text.delta", "response.output_text.delta", "response.output_text.delta", "response.output_text.delta",
		"response.output_text.done", "response.content_part.done", "response.output_item.done", "response.completed"}
	if fmt.Sprint(types) != fmt.Sprint(want) {
		t.Errorf("text stream events =\n%q\nwant\n%q", types, want)
	}
	if text != "It is sunny today." || final.OutputText() != text || final.Status != responses.ResponseStatusCompleted ||
		final.Model != "gpt-test" || !final.JSON.Usage.Valid() || !final.JSON.ToolChoice.Valid() {
		t.Errorf("deltas %q, completed response %q status %q model %q; want the text, completed, with usage and tool_choice",
			text, final.OutputText(), final.Status, final.Model)
	}

	types, args, final := read()
	want = []string{"response.created", "response.in_progress", "response.output_item.added",
		"response.function_call_arguments.delta", "response.function_call_arguments.delta", "response.function_call_arguments.delta",
		"response.function_call_arguments.done", "response.output_item.done", "response.completed"}
	if fmt.Sprint(types) != fmt.Sprint(want) {
		t.Errorf("tool stream events =\n%q\nwant\n%q", types, want)
	}
	if len(final.Output) != 1 || final.Output[0].Type != "function_call" {
		t.Fatalf("completed output = %+v; want one function_call", final.Output)
	}
	if call := final.Output[0].AsFunctionCall(); args != `{"q": "x y"}` || call.Arguments != args || call.CallID != llmtest.CallID(2, 0) {
		t.Errorf("argument deltas %q, call %+v; want the arguments and call id %s", args, call, llmtest.CallID(2, 0))
	}
	if reqs := s.Requests(); len(reqs) != 2 || !reqs[0].Stream || !reqs[1].Stream {
		t.Errorf("Requests = %+v; want two with Stream set", reqs)
	}
}

// A hung stream sends response.created and then nothing until the client
// gives up; a chunk delay holds each delta back until the client goes away.
func TestStreamHangAndChunkDelay(t *testing.T) {
	s := llmtest.Start(t)
	s.Hang()
	s.ReplyText("one two three")
	c := openai.NewClient(option.WithAPIKey("sk-test"), option.WithBaseURL(s.BaseURL()), option.WithMaxRetries(0))
	params := responses.ResponseNewParams{Model: "gpt-test", Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("hi")}}

	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	st := c.Responses.NewStreaming(ctx, params)
	var types []string
	for st.Next() {
		types = append(types, st.Current().Type)
	}
	if len(types) != 1 || types[0] != "response.created" || !errors.Is(st.Err(), context.DeadlineExceeded) {
		t.Errorf("hung stream gave %q, err %v; want response.created then the deadline", types, st.Err())
	}

	s.SetChunkDelay(time.Hour)
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	st = c.Responses.NewStreaming(ctx, params)
	types = nil
	for st.Next() {
		types = append(types, st.Current().Type)
		if st.Current().Type == "response.content_part.added" {
			stop()
		}
	}
	if len(types) == 0 || types[len(types)-1] != "response.content_part.added" || !errors.Is(st.Err(), context.Canceled) {
		t.Errorf("delayed stream gave %q, err %v; want no delta before the cancel", types, st.Err())
	}
}
