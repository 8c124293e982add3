package llm_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/humd/humd/actors/ai"
	"github.com/humd/humd/transport/llm"
)

func TestLocal(t *testing.T) {
	kb := []ai.Tool{{Name: "search_knowledge"}}
	for _, tc := range []struct {
		name     string
		turn     ai.Turn
		out      string
		err      error
		wantArgs string // "" means exec must not be called
		want     string
	}{
		{
			name:     "answers from the first passage",
			turn:     ai.Turn{Input: []string{"hello", "  when are you\nopen? "}, Tools: kb},
			out:      `{"passages":[{"text":"We are open 9am to 5pm,\n Monday to Friday."},{"text":"second"}]}`,
			wantArgs: `{"query":"when are you open?"}`,
			want:     "Here's what I found: We are open 9am to 5pm, Monday to Friday.",
		},
		{
			name:     "lookup_knowledge, a plain list of strings",
			turn:     ai.Turn{Input: []string{"parking?"}, Tools: []ai.Tool{{Name: "close_conversation"}, {Name: "lookup_knowledge"}}},
			out:      `["Free parking behind the building."]`,
			wantArgs: `{"query":"parking?"}`,
			want:     "Here's what I found: Free parking behind the building.",
		},
		{
			name:     "plain text output",
			turn:     ai.Turn{Input: []string{"price?"}, Tools: kb},
			out:      "A cleaning costs $80.",
			wantArgs: `{"query":"price?"}`,
			want:     "Here's what I found: A cleaning costs $80.",
		},
		{
			name:     "no passages",
			turn:     ai.Turn{Input: []string{"do you sell boats?"}, Tools: kb},
			out:      `{"passages":[]}`,
			wantArgs: `{"query":"do you sell boats?"}`,
			want:     `Thanks for your message about "do you sell boats?"! A member of our team will follow up shortly.`,
		},
		{
			name:     "tool error output",
			turn:     ai.Turn{Input: []string{"hours?"}, Tools: kb},
			out:      `{"error":"knowledge base offline"}`,
			wantArgs: `{"query":"hours?"}`,
			want:     `Thanks for your message about "hours?"! A member of our team will follow up shortly.`,
		},
		{
			name:     "exec error",
			turn:     ai.Turn{Input: []string{"hours?"}, Tools: kb},
			out:      "We open at 9.",
			err:      errors.New("tool failed"),
			wantArgs: `{"query":"hours?"}`,
			want:     `Thanks for your message about "hours?"! A member of our team will follow up shortly.`,
		},
		{
			name: "no knowledge tool",
			turn: ai.Turn{Input: []string{"hi"}, Tools: []ai.Tool{{Name: "notify"}}},
			want: `Thanks for your message about "hi"! A member of our team will follow up shortly.`,
		},
		{
			name: "nothing asked",
			turn: ai.Turn{Tools: kb},
			want: "Thanks for your message! A member of our team will follow up shortly.",
		},
		{
			name: "falls back to the last user line of history",
			turn: ai.Turn{History: []ai.Message{{Role: "user", Text: "refund?"}, {Role: "assistant", Text: "sure"}}},
			want: `Thanks for your message about "refund?"! A member of our team will follow up shortly.`,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var args []string
			exec := func(_ context.Context, call ai.ToolCall) (string, error) {
				args = append(args, call.Arguments)
				return tc.out, tc.err
			}
			res, err := llm.NewLocal().Run(context.Background(), &tc.turn, exec)
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			if res.Text != tc.want {
				t.Errorf("Run text = %q; want %q", res.Text, tc.want)
			}
			if res.Model != llm.LocalModel || res.Requests != 1 || res.Capped {
				t.Errorf("Run = %+v; want model %s, 1 request", res, llm.LocalModel)
			}
			switch {
			case tc.wantArgs == "" && len(args) != 0:
				t.Errorf("exec called with %q; want no call", args)
			case tc.wantArgs != "" && (len(args) != 1 || args[0] != tc.wantArgs):
				t.Errorf("exec args = %q; want one call with %s", args, tc.wantArgs)
			case tc.wantArgs != "" && len(res.ToolCalls) != 1:
				t.Errorf("tool records = %+v; want one", res.ToolCalls)
			}
			if tc.err != nil && (len(res.ToolCalls) != 1 || res.ToolCalls[0].Error != tc.err.Error()) {
				t.Errorf("tool records = %+v; want the exec error recorded", res.ToolCalls)
			}
		})
	}
}

func TestLocalCutsToMaxReplyChars(t *testing.T) {
	passage := strings.Repeat("Our clinic offers cleanings, fillings and whitening. ", 20)
	exec := func(context.Context, ai.ToolCall) (string, error) {
		return `{"results":[{"content":"` + passage + `"}]}`, nil
	}
	for _, tc := range []struct {
		max, want int
	}{{0, llm.DefaultLocalReplyChars}, {50, 50}} {
		turn := &ai.Turn{Input: []string{"services?"}, Tools: []ai.Tool{{Name: "search_knowledge"}}, MaxReplyChars: tc.max}
		res, err := llm.NewLocal().Run(context.Background(), turn, exec)
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
		if n := utf8.RuneCountInString(res.Text); n > tc.want || n < tc.want/2 || !strings.HasSuffix(res.Text, "…") {
			t.Errorf("MaxReplyChars %d: text has %d runes (%q); want a cut reply of at most %d", tc.max, n, res.Text, tc.want)
		}
	}
}

func TestLocalCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	exec := func(context.Context, ai.ToolCall) (string, error) {
		t.Error("exec called on a cancelled run")
		return "", nil
	}
	_, err := llm.NewLocal().Run(ctx, &ai.Turn{Input: []string{"x"}, Tools: []ai.Tool{{Name: "search_knowledge"}}}, exec)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Run error = %v; want context.Canceled", err)
	}
}

// A tool that outlives the run's timeout ends the run with ErrTimeout.
func TestLocalTimeout(t *testing.T) {
	exec := func(ctx context.Context, _ ai.ToolCall) (string, error) {
		<-ctx.Done()
		return "", ctx.Err()
	}
	turn := &ai.Turn{Input: []string{"x"}, Tools: []ai.Tool{{Name: "search_knowledge"}}, Timeout: 50 * time.Millisecond}
	_, err := llm.NewLocal().Run(context.Background(), turn, exec)
	if !errors.Is(err, ai.ErrTimeout) {
		t.Errorf("Run error = %v; want ErrTimeout", err)
	}
}

// With OnDelta the answer arrives word by word, each piece keeping its
// trailing space, and the pieces join to the whole text.
func TestLocalStreamsWords(t *testing.T) {
	exec := func(context.Context, ai.ToolCall) (string, error) {
		return `{"passages":[{"text":"We are open 9am to 5pm."}]}`, nil
	}
	for _, tc := range []struct {
		name string
		turn ai.Turn
	}{
		{"answer from knowledge", ai.Turn{Input: []string{"hours?"}, Tools: []ai.Tool{{Name: "search_knowledge"}}}},
		{"acknowledgement", ai.Turn{Input: []string{"hi"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			tc.turn.OnDelta = func(s string) { got = append(got, s) }
			res, err := llm.NewLocal().Run(context.Background(), &tc.turn, exec)
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			if len(got) != len(strings.Fields(res.Text)) || strings.Join(got, "") != res.Text {
				t.Fatalf("deltas = %q; want one per word of %q, joining to it", got, res.Text)
			}
			for i, w := range got[:len(got)-1] {
				if !strings.HasSuffix(w, " ") || strings.TrimSpace(w) == "" {
					t.Errorf("delta %d = %q; want a word with its trailing space", i, w)
				}
			}
		})
	}
}

func TestLocalSummary(t *testing.T) {
	res, err := llm.NewLocal().Run(context.Background(), &ai.Turn{Purpose: ai.PurposeSummary,
		Input: []string{"agent: Hi, how can I help?\ncaller: I want to book a table\nagent: Sure.\ncaller: For two\n"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Summary   string   `json:"summary"`
		KeyPoints []string `json:"key_points"`
		Label     string   `json:"outcome_label"`
	}
	if err := json.Unmarshal([]byte(res.Text), &got); err != nil {
		t.Fatalf("summary is not JSON: %v: %s", err, res.Text)
	}
	if got.Summary != "The caller said: I want to book a table" || len(got.KeyPoints) != 2 || got.Label != "conversation" {
		t.Errorf("summary = %+v", got)
	}
}
