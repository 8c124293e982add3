package llm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/humd/humd/actors/ai"
)

// LocalModel is the model name Local reports.
const LocalModel = "humd-local"

// DefaultLocalReplyChars cuts Local's answers when a Turn sets no
// MaxReplyChars.
const DefaultLocalReplyChars = 320

// knowledgeTools are the tool names Local consults: lookup_knowledge is the
// SMS built-in, search_knowledge the name other channels use.
var knowledgeTools = []string{"search_knowledge", "lookup_knowledge"}

// Local is the built-in model for sandbox mode (no OPENAI_API_KEY): no
// network, no randomness. It answers from the org's knowledge base through
// the turn's knowledge tool when that finds something, and otherwise with a
// polite acknowledgement, so flows behave sensibly end to end offline.
// It runs no tokenizer and bills nothing, so its results report zero Usage
// (billing's ai_tokens stays 0 in sandbox mode).
type Local struct{}

var _ ai.Model = (*Local)(nil)

// NewLocal answers a Local model.
func NewLocal() *Local { return &Local{} }

// Run answers one turn with at most one tool call and one "request".
func (l *Local) Run(ctx context.Context, t *ai.Turn, exec ai.ToolExec) (*ai.Result, error) {
	if t.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, t.Timeout)
		defer cancel()
	}
	if err := ctx.Err(); err != nil {
		return nil, ctxError(err)
	}
	limit := t.MaxReplyChars
	if limit <= 0 {
		limit = DefaultLocalReplyChars
	}
	if t.Purpose == ai.PurposeSummary {
		return localSummary(t), nil
	}
	query := lastAsk(t)
	res := &ai.Result{Model: LocalModel, Requests: 1}

	if tool := knowledgeTool(t.Tools); tool != "" && query != "" && exec != nil {
		args, _ := json.Marshal(map[string]string{"query": query})
		start := time.Now()
		out, err := exec(ctx, ai.ToolCall{CallID: "local_1", Name: tool, Arguments: string(args)})
		rec := ai.ToolRecord{Name: tool, Arguments: string(args), Result: truncate(out, summaryRunes),
			Millis: time.Since(start).Milliseconds()}
		if err != nil {
			rec.Error = err.Error()
		}
		res.ToolCalls = append(res.ToolCalls, rec)
		if err := ctx.Err(); err != nil {
			return nil, ctxError(err)
		}
		if err == nil {
			if passage := firstPassage(out); passage != "" {
				res.Text = cut("Here's what I found: "+passage, limit)
			}
		}
	}
	if res.Text == "" {
		res.Text = cut(acknowledge(query), limit)
	}
	if t.OnDelta != nil {
		// A voice caller hears the answer word by word, as from a real model.
		for _, w := range Words(res.Text) {
			if err := ctx.Err(); err != nil {
				return nil, ctxError(err)
			}
			t.OnDelta(w)
		}
	}
	return res, nil
}

// Words splits s into word-sized chunks, each keeping the spaces after it,
// so the chunks join back to s: how a streamed answer arrives (the local
// model and the fake Responses server both stream this way).
func Words(s string) []string {
	var out []string
	for s != "" {
		i := strings.IndexByte(s, ' ')
		if i < 0 {
			return append(out, s)
		}
		j := i
		for j < len(s) && s[j] == ' ' {
			j++
		}
		out = append(out, s[:j])
		s = s[j:]
	}
	return out
}

func ctxError(err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("llm: local: %w: %w", ai.ErrTimeout, err)
	}
	return fmt.Errorf("llm: local: run cancelled: %w", err)
}

func knowledgeTool(tools []ai.Tool) string {
	for _, name := range knowledgeTools {
		for _, t := range tools {
			if t.Name == name {
				return name
			}
		}
	}
	return ""
}

// lastAsk is what the person asked most recently: the newest input text, or
// failing that the newest user line of history.
func lastAsk(t *ai.Turn) string {
	for i := len(t.Input) - 1; i >= 0; i-- {
		if s := squash(t.Input[i]); s != "" {
			return s
		}
	}
	for i := len(t.History) - 1; i >= 0; i-- {
		if t.History[i].Role == "user" {
			if s := squash(t.History[i].Text); s != "" {
				return s
			}
		}
	}
	return ""
}

func acknowledge(query string) string {
	const tail = "! A member of our team will follow up shortly."
	if query == "" {
		return "Thanks for your message" + tail
	}
	return fmt.Sprintf("Thanks for your message about %q%s", cut(query, 60), tail)
}

// firstPassage answers the text of the first result in a knowledge tool's
// output. It accepts the shapes such tools plausibly answer: a list or an
// object holding a list (passages, results, ...) of strings or of objects
// with a text-like field, a single such object, or plain text. An output
// with an "error" field, or with no results, answers "".
func firstPassage(out string) string {
	out = strings.TrimSpace(out)
	if out == "" {
		return ""
	}
	var v any
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		return squash(out)
	}
	return squash(passageText(v, 0))
}

func passageText(v any, depth int) string {
	if depth > 3 {
		return ""
	}
	switch x := v.(type) {
	case string:
		return x
	case []any:
		for _, e := range x {
			if s := passageText(e, depth+1); strings.TrimSpace(s) != "" {
				return s
			}
		}
	case map[string]any:
		if _, bad := x["error"]; bad {
			return ""
		}
		for _, k := range []string{"passages", "results", "matches", "hits", "items", "data"} {
			if list, ok := x[k]; ok {
				return passageText(list, depth+1)
			}
		}
		for _, k := range []string{"text", "content", "passage", "body", "snippet", "answer"} {
			if s, ok := x[k].(string); ok && strings.TrimSpace(s) != "" {
				return s
			}
		}
	}
	return ""
}

// squash collapses runs of whitespace: SMS replies are one paragraph.
func squash(s string) string { return strings.Join(strings.Fields(s), " ") }

// cut shortens s to at most n runes, preferring a word boundary.
func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)[:n-1]
	if i := strings.LastIndexByte(string(r), ' '); i > len(string(r))/2 {
		return strings.TrimRight(string(r)[:i], " ,;:.") + "…"
	}
	return string(r) + "…"
}

// localSummary answers a post-call summary by rule: the caller's lines are
// the key points and the first one the gist. It is a stand-in that keeps the
// summary JSON shape offline, not an understanding of the call.
func localSummary(t *ai.Turn) *ai.Result {
	var said []string
	for _, in := range t.Input {
		for _, line := range strings.Split(in, "\n") {
			if text, ok := strings.CutPrefix(line, "caller: "); ok && strings.TrimSpace(text) != "" {
				said = append(said, strings.TrimSpace(text))
			}
		}
	}
	out := map[string]any{"summary": "The caller did not say anything.", "key_points": []string{}, "next_actions": []string{},
		"outcome_label": "no_conversation", "outcome": map[string]any{"caller_lines": len(said)}}
	if len(said) > 0 {
		out["summary"] = cut("The caller said: "+said[0], 300)
		out["key_points"] = said[:min(3, len(said))]
		out["outcome_label"] = "conversation"
	}
	raw, _ := json.Marshal(out)
	return &ai.Result{Model: LocalModel, Requests: 1, Text: string(raw)}
}
