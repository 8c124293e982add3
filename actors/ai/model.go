package ai

import (
	"context"
	"errors"
	"time"

	"github.com/humd/humd/storage"
)

// Model runs one AI turn: one model request plus its sequential tool loop.
// transport/llm implements it with openai-go's Responses API and with the
// built-in local model. Run blocks on the network, so actors call it from a
// worker goroutine and get the *Result back as a message; tool calls are
// executed one at a time through exec, which the actor side implements by
// messaging the owning actor and waiting for its answer (the worker waits,
// never the actor). A run that fails answers its error with a nil Result,
// or with a Result holding only Model and Usage when requests it made before
// the failure were answered: those tokens are billed, so records count them.
type Model interface {
	Run(ctx context.Context, t *Turn, exec ToolExec) (*Result, error)
}

// ToolExec executes one function call and answers its output (a JSON string
// or text). An error is reported to the model as the call's output, not as a
// failed run.
type ToolExec func(ctx context.Context, call ToolCall) (string, error)

// Turn is everything a model needs for one run.
type Turn struct {
	OrgID string
	// Model overrides the server default (HUMD_MODEL) when set.
	Model        string
	Instructions string // the flow's system_prompt plus humd's channel guide
	// History is the thread so far, oldest first; Input are the texts this run
	// answers (a debounced batch), oldest first.
	History []Message
	Input   []string
	Tools   []Tool
	// MaxToolCalls caps the tool loop; at the cap the model is asked for a
	// final answer with no tools.
	MaxToolCalls int
	// MaxReplyChars is told to the model; callers cut longer answers.
	MaxReplyChars int
	Timeout       time.Duration
	// OnDelta, when set, asks for a streamed answer: it is called with each
	// piece of the final text as the provider produces it (voice speaks them
	// at once). It runs on the model's goroutine and must not block.
	OnDelta func(text string)
	// Purpose names a special kind of turn ("" is a conversation turn);
	// providers treat it as any other, the local model answers it by rule.
	Purpose string
}

// PurposeSummary asks for a post-call summary as JSON.
const PurposeSummary = "summary"

// Message is one line of history.
type Message struct {
	Role string // user | assistant
	Text string
}

// Tool is a function the model may call.
type Tool struct {
	Name        string
	Description string
	Parameters  map[string]any // JSON Schema of the arguments object
}

// ToolCall is one function call the model made.
type ToolCall struct {
	CallID    string
	Name      string
	Arguments string // JSON
	// Done is set when the call already ran on the worker (an ExternalTools
	// call): the owning actor only records it and answers Done's outcome.
	Done *ToolOutcome
}

// ToolOutcome is what a call that ran outside the actor answered.
type ToolOutcome struct {
	Out    string
	Err    error
	Millis int64
}

// Subject is what a tool call acts for: a conversation or a call.
type Subject struct {
	Type string // SubjectConversation | SubjectCall
	ID   string
}

// Subject types.
const (
	SubjectConversation = "conversation"
	SubjectCall         = "call"
)

// ExternalTools are tools that live outside humd, such as the customer's MCP
// servers attached to a flow (SPEC 1.14). Both methods may block on the
// network: actors call them from the run's worker goroutine, never inside
// Receive.
type ExternalTools interface {
	// Tools answers the flow's external tools, to offer with the built-in ones.
	Tools(ctx context.Context, orgID, flowID string) ([]Tool, error)
	// Call runs one of them. handled is false for a name it does not own
	// (the actor's built-in tools then answer it); err is reported to the
	// model as the call's output.
	Call(ctx context.Context, orgID, flowID string, subject Subject, call ToolCall) (out string, handled bool, err error)
}

// ToolRecord is a tool call as the run record keeps it.
type ToolRecord struct {
	Name      string `json:"name"`
	Arguments string `json:"args"`
	Result    string `json:"result_summary"`
	Error     string `json:"error,omitempty"`
	Millis    int64  `json:"ms"`
}

// Result is what a run produced.
type Result struct {
	Text      string
	Model     string
	ToolCalls []ToolRecord
	// Capped is set when the tool loop hit MaxToolCalls.
	Capped bool
	// Requests counts model requests made (one plus one per tool round).
	Requests int
	// Usage sums the tokens of every model request of the run, as the
	// provider reported them; the built-in local model reports zero.
	Usage Usage
}

// Usage is model tokens consumed, the unit AI is billed in (SPEC 1.17): the
// very type run, call and session records store, so billing sums a month.
type Usage = storage.Tokens

// Errors a Model reports (wrapped).
var (
	ErrTimeout   = errors.New("ai: model run timed out")
	ErrMalformed = errors.New("ai: malformed model output")
	ErrProvider  = errors.New("ai: model provider error")
)

// Chain offers the tools of every set (nil ones are skipped) as one:
// Tools answers them all in order, with the sets' errors joined (the tools
// that could be listed are still answered); Call asks each set in order
// and answers the first that handles the name.
func Chain(sets ...ExternalTools) ExternalTools {
	var c chain
	for _, s := range sets {
		if s != nil {
			c = append(c, s)
		}
	}
	return c
}

type chain []ExternalTools

func (c chain) Tools(ctx context.Context, orgID, flowID string) ([]Tool, error) {
	var out []Tool
	var errs []error
	for _, s := range c {
		tools, err := s.Tools(ctx, orgID, flowID)
		out = append(out, tools...)
		if err != nil {
			errs = append(errs, err)
		}
	}
	return out, errors.Join(errs...)
}

func (c chain) Call(ctx context.Context, orgID, flowID string, subject Subject, call ToolCall) (string, bool, error) {
	for _, s := range c {
		if out, handled, err := s.Call(ctx, orgID, flowID, subject, call); handled {
			return out, true, err
		}
	}
	return "", false, nil
}
