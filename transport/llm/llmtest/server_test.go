package llmtest_test

import (
	"context"
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
	if resp.Usage.TotalTokens != 15 {
		t.Errorf("usage total = %d; want 15", resp.Usage.TotalTokens)
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
