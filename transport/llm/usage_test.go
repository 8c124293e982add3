package llm_test

import (
	"context"
	"testing"

	"github.com/humd/humd/actors/ai"
	"github.com/humd/humd/transport/llm"
	"github.com/humd/humd/transport/llm/llmtest"
)

// TestRunUsageSumsRequests: a run's Usage is the sum of the usage of every
// response, tool rounds included, plain and streamed.
func TestRunUsageSumsRequests(t *testing.T) {
	for _, stream := range []bool{false, true} {
		s := llmtest.Start(t)
		s.ReplyToolCall("lookup", `{"q":"a"}`)
		s.ReplyToolCall("notify", `{}`)
		s.ReplyText("all done now")
		turn := &ai.Turn{Instructions: "Be brief.", Input: []string{"go"}, Tools: tools}
		if stream {
			turn.OnDelta = func(string) {}
		}
		exec := func(context.Context, ai.ToolCall) (string, error) { return `{"ok":true}`, nil }
		res, err := newOpenAI(s, -1).Run(context.Background(), turn, exec)
		if err != nil {
			t.Fatalf("stream=%v: Run: %v", stream, err)
		}
		want := s.Usage()
		if res.Requests != 3 || want.InputTokens == 0 || want.OutputTokens == 0 {
			t.Fatalf("stream=%v: %d requests, fake billed %+v; want 3 and nonzero", stream, res.Requests, want)
		}
		if res.Usage.InputTokens != want.InputTokens || res.Usage.OutputTokens != want.OutputTokens {
			t.Errorf("stream=%v: Usage = %+v; want the three responses' sum %+v", stream, res.Usage, want)
		}
	}
}

// TestRunUsageFromResponse reads the counts the provider wrote, not an
// estimate: a hand-written response and a hand-written stream.
func TestRunUsageFromResponse(t *testing.T) {
	const resp = `{"id":"resp_9","object":"response","created_at":1,"status":"completed","model":"gpt-test",` +
		`"output":[{"type":"message","id":"msg_9","status":"completed","role":"assistant",` +
		`"content":[{"type":"output_text","text":"hi","annotations":[]}]}],"parallel_tool_calls":false,` +
		`"tool_choice":"auto","tools":[],"usage":{"input_tokens":1234,"input_tokens_details":{"cached_tokens":0},` +
		`"output_tokens":56,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":1290}}`
	s := llmtest.Start(t)
	s.ReplyRaw(resp)
	res, err := newOpenAI(s, -1).Run(context.Background(), &ai.Turn{Input: []string{"x"}}, noTools(t))
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if res.Usage != (ai.Usage{InputTokens: 1234, OutputTokens: 56}) || res.Usage.Total() != 1290 {
		t.Errorf("Usage = %+v; want 1234 in, 56 out", res.Usage)
	}

	s.ReplyRaw("event: response.created\ndata: {\"type\":\"response.created\",\"sequence_number\":0,\"response\":" +
		`{"id":"resp_9","object":"response","status":"in_progress","model":"gpt-test","output":[],"usage":null}}` + "\n\n" +
		"event: response.completed\ndata: {\"type\":\"response.completed\",\"sequence_number\":1,\"response\":" + resp + "}\n\n")
	res, err = newOpenAI(s, -1).Run(context.Background(), &ai.Turn{Input: []string{"x"}, OnDelta: func(string) {}}, noTools(t))
	if err != nil {
		t.Fatalf("streamed Run: %v", err)
	}
	if res.Usage != (ai.Usage{InputTokens: 1234, OutputTokens: 56}) {
		t.Errorf("streamed Usage = %+v; want 1234 in, 56 out from response.completed", res.Usage)
	}
}

// TestLocalUsageZero: the built-in model runs no tokenizer and bills nothing.
func TestLocalUsageZero(t *testing.T) {
	res, err := llm.NewLocal().Run(context.Background(), &ai.Turn{Input: []string{"hello"}}, nil)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if !res.Usage.IsZero() {
		t.Errorf("Local Usage = %+v; want zero", res.Usage)
	}
}
