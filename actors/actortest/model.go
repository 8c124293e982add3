package actortest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/humd/humd/actors/ai"
)

// DefaultText is what the Model answers when its script is empty.
const DefaultText = "ok"

// Model is a scripted fake ai.Model. Each answer in its script is one model
// request's response: a text ends the run, a tool call is executed through
// the run's ToolExec and the loop goes on, a failure ends the run with
// ai.ErrProvider, a hang waits for the run's context. It records every
// request it would have made (the turn's transcript, its tools, and the
// calls and outputs of the loop so far) for scripts to print.
type Model struct {
	mu       sync.Mutex
	script   []Answer
	requests []Request
}

// Answer is one scripted response.
type Answer struct {
	Text string
	// Tool, when set, is a function call; Args is its JSON arguments.
	Tool, Args string
	// Fail, when set, fails the run with this message.
	Fail string
	// Hang streams Text (if any) and then waits for the run's context to end.
	Hang bool
}

// Request is one model request as the fake saw it.
type Request struct {
	Purpose      string
	Instructions string
	Tools        []string
	// ToolChoice is "none" once the run hit its tool-call cap, else "".
	ToolChoice string
	Items      []Item
}

// Item is one element of a request's transcript.
type Item struct {
	Kind string // message | call | output
	Role string // user | assistant (messages)
	Text string // message text, or a call's output
	Name string // calls
	Args string // calls
}

// String renders an item as scripts print it.
func (it Item) String() string {
	switch it.Kind {
	case "call":
		return fmt.Sprintf("call %s %s", it.Name, it.Args)
	case "output":
		return "output " + it.Text
	}
	return it.Role + ": " + it.Text
}

// NewModel answers a model with an empty script.
func NewModel() *Model { return &Model{} }

// Add queues answers.
func (m *Model) Add(a ...Answer) {
	m.mu.Lock()
	m.script = append(m.script, a...)
	m.mu.Unlock()
}

// Script queues answers written one per line: "text: ...", "tool: name
// {json}", "fail: message", "hang: words said first".
func (m *Model) Script(lines string) error {
	var as []Answer
	for _, line := range strings.Split(strings.TrimSpace(lines), "\n") {
		kind, rest, _ := strings.Cut(line, ":")
		rest = strings.TrimPrefix(rest, " ")
		switch kind {
		case "text":
			as = append(as, Answer{Text: rest})
		case "tool":
			name, args, _ := strings.Cut(rest, " ")
			if args == "" {
				args = "{}"
			}
			as = append(as, Answer{Tool: name, Args: args})
		case "fail":
			as = append(as, Answer{Fail: rest})
		case "hang":
			as = append(as, Answer{Text: rest, Hang: true})
		default:
			return fmt.Errorf("model script line %q: want text:, tool:, fail: or hang:", line)
		}
	}
	m.Add(as...)
	return nil
}

// Requests answers every request made so far, oldest first.
func (m *Model) Requests() []Request {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]Request(nil), m.requests...)
}

func (m *Model) next(req Request) Answer {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.requests = append(m.requests, req)
	if len(m.script) == 0 {
		return Answer{Text: DefaultText}
	}
	a := m.script[0]
	m.script = m.script[1:]
	return a
}

// Run implements ai.Model.
func (m *Model) Run(ctx context.Context, t *ai.Turn, exec ai.ToolExec) (*ai.Result, error) {
	items := make([]Item, 0, len(t.History)+len(t.Input))
	for _, h := range t.History {
		items = append(items, Item{Kind: "message", Role: h.Role, Text: h.Text})
	}
	for _, in := range t.Input {
		items = append(items, Item{Kind: "message", Role: "user", Text: in})
	}
	tools := make([]string, 0, len(t.Tools))
	for _, tool := range t.Tools {
		tools = append(tools, tool.Name)
	}
	res := &ai.Result{Model: "fake-model"}
	choice := ""
	for n := 0; ; n++ {
		if ctx.Err() != nil {
			return nil, ctxErr(ctx)
		}
		a := m.next(Request{Purpose: t.Purpose, Instructions: t.Instructions, Tools: tools, ToolChoice: choice,
			Items: append([]Item(nil), items...)})
		res.Requests++
		switch {
		case a.Fail != "":
			return nil, fmt.Errorf("actortest model: %s: %w", a.Fail, ai.ErrProvider)
		case a.Tool != "" && choice == "none":
			return nil, fmt.Errorf("actortest model: a tool call after tool_choice none: %w", ai.ErrMalformed)
		case a.Tool != "":
			call := ai.ToolCall{CallID: fmt.Sprintf("call_%d", n+1), Name: a.Tool, Arguments: a.Args}
			out, err := exec(ctx, call)
			rec := ai.ToolRecord{Name: a.Tool, Arguments: a.Args}
			if err != nil {
				// As providers are told: the error is the call's output.
				rec.Error = err.Error()
				raw, _ := json.Marshal(map[string]string{"error": err.Error()})
				out = string(raw)
			}
			rec.Result = out
			res.ToolCalls = append(res.ToolCalls, rec)
			items = append(items, Item{Kind: "call", Name: a.Tool, Args: a.Args}, Item{Kind: "output", Text: out})
			if t.MaxToolCalls > 0 && len(res.ToolCalls) >= t.MaxToolCalls {
				res.Capped, choice = true, "none"
			}
			continue
		}
		if a.Text != "" && t.OnDelta != nil {
			t.OnDelta(a.Text)
		}
		if a.Hang {
			<-ctx.Done()
			return nil, ctxErr(ctx)
		}
		res.Text = a.Text
		return res, nil
	}
}

// ctxErr is how a provider reports a run whose context ended: a deadline is
// ai.ErrTimeout, a cancel (an interrupted call turn) is neither.
func ctxErr(ctx context.Context) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("actortest model: %w: %w", ai.ErrTimeout, ctx.Err())
	}
	return fmt.Errorf("actortest model: run cancelled: %w", ctx.Err())
}
