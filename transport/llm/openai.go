package llm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/responses"

	"github.com/humd/humd/actors/ai"
	"github.com/humd/humd/transport/wire"
)

// Defaults for the zero Config.
const (
	DefaultModel      = "gpt-4.1-mini"
	DefaultTimeout    = 20 * time.Second
	DefaultMaxRetries = 2
	DefaultBaseURL    = "https://api.openai.com/v1/"
	DefaultIdleConns  = 64
)

// toolCeiling bounds the loop when a Turn sets no MaxToolCalls, so a model
// that keeps calling tools fails fast instead of running into the timeout.
// It matches the largest max_tool_calls_per_turn a flow may set.
const toolCeiling = 32

// summaryRunes is how much of a tool's output the run record keeps.
const summaryRunes = 200

// Config configures the OpenAI model. The zero value (plus an APIKey) talks
// to api.openai.com with the defaults above.
type Config struct {
	APIKey string
	// BaseURL is an OpenAI-compatible API root such as
	// "https://api.openai.com/v1/"; requests go to BaseURL + "responses".
	BaseURL string
	// Model is used when a Turn names none (default DefaultModel).
	Model string
	// Timeout bounds a whole run (all requests and tool calls) when the Turn
	// sets none (default DefaultTimeout).
	Timeout time.Duration
	// MaxRetries is how often openai-go retries one request on connection
	// errors, 408, 409, 429 and 5xx (default DefaultMaxRetries; negative
	// means none).
	MaxRetries int
	// IdleConns is how many connections to the API stay open for the next
	// requests (default DefaultIdleConns). openai-go's default client keeps
	// two, so every AI run beyond two at once opened (and, against the real
	// API, TLS-handshook) a connection of its own and closed it after.
	IdleConns int
}

// OpenAI is an ai.Model on openai-go's Responses API.
type OpenAI struct {
	client  openai.Client
	model   string
	timeout time.Duration
}

var _ ai.Model = (*OpenAI)(nil)

// NewOpenAI builds the client once; requests share its connection pool.
func NewOpenAI(cfg Config) *OpenAI {
	if cfg.Model == "" {
		cfg.Model = DefaultModel
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	switch {
	case cfg.MaxRetries == 0:
		cfg.MaxRetries = DefaultMaxRetries
	case cfg.MaxRetries < 0:
		cfg.MaxRetries = 0
	}
	if cfg.BaseURL == "" {
		// Set explicitly so OPENAI_BASE_URL in the environment cannot redirect
		// a client configured without one; config comes from cmd only.
		cfg.BaseURL = DefaultBaseURL
	}
	if cfg.IdleConns <= 0 {
		cfg.IdleConns = DefaultIdleConns
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns, tr.MaxIdleConnsPerHost = cfg.IdleConns, cfg.IdleConns
	client := openai.NewClient(
		option.WithAPIKey(cfg.APIKey),
		option.WithBaseURL(cfg.BaseURL),
		option.WithMaxRetries(cfg.MaxRetries),
		option.WithHTTPClient(&http.Client{Transport: tr}),
	)
	return &OpenAI{client: client, model: cfg.Model, timeout: cfg.Timeout}
}

// Run answers one turn. The transcript is resent in full on every request
// (store=false, no previous_response_id) so no conversation state lives at
// the provider and a run can be retried anywhere.
func (m *OpenAI) Run(ctx context.Context, t *ai.Turn, exec ai.ToolExec) (*ai.Result, error) {
	timeout := t.Timeout
	if timeout <= 0 {
		timeout = m.timeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	model := t.Model
	if model == "" {
		model = m.model
	}
	params := responses.ResponseNewParams{
		Model:             model,
		ParallelToolCalls: openai.Bool(false),
		Store:             openai.Bool(false),
		Tools:             toolParams(t.Tools),
	}
	if t.Instructions != "" {
		params.Instructions = openai.String(t.Instructions)
	}
	input := inputItems(t)
	limit := t.MaxToolCalls
	if limit <= 0 {
		limit = toolCeiling
	}

	res := &ai.Result{}
	for {
		params.Input = responses.ResponseNewParamsInputUnion{OfInputItemList: input}
		res.Requests++
		resp, err := m.request(ctx, params, t.OnDelta)
		if err != nil {
			return billed(res, err)
		}
		res.Model = resp.Model
		// Every request is billed, tool rounds included: the run's usage is
		// the sum. A streamed response carries usage only on its terminal
		// event, which is the response stream() answers.
		res.Usage.Add(ai.Usage{InputTokens: resp.Usage.InputTokens, OutputTokens: resp.Usage.OutputTokens})
		if resp.Status == responses.ResponseStatusFailed {
			return billed(res, fmt.Errorf("llm: response %s failed: %s: %s: %w", resp.ID, resp.Error.Code, resp.Error.Message, ai.ErrProvider))
		}

		calls := functionCalls(resp)
		if len(calls) == 0 || res.Capped {
			// After the cap the model was told not to call tools; any call it
			// makes anyway is ignored and only its text counts.
			res.Text = strings.TrimSpace(resp.OutputText())
			if res.Text == "" {
				return billed(res, fmt.Errorf("llm: response %s has no output text: %w", resp.ID, ai.ErrMalformed))
			}
			return res, nil
		}

		for _, call := range calls {
			if len(res.ToolCalls) >= limit {
				// Unexecuted calls are left out of the transcript: the API
				// rejects a function_call that has no output.
				break
			}
			out := m.execute(ctx, exec, call, res)
			input = append(input,
				responses.ResponseInputItemUnionParam{OfFunctionCall: &responses.ResponseFunctionToolCallParam{
					ID: openai.String(call.ID), CallID: call.CallID, Name: call.Name, Arguments: call.Arguments,
				}},
				responses.ResponseInputItemUnionParam{OfFunctionCallOutput: &responses.ResponseInputItemFunctionCallOutputParam{
					CallID: openai.String(call.CallID),
					Output: responses.ResponseInputItemFunctionCallOutputOutputUnionParam{OfString: openai.String(out)},
				}},
			)
		}
		if err := ctx.Err(); err != nil {
			return billed(res, classify(ctx, err))
		}
		if len(res.ToolCalls) >= limit {
			// Tools stay defined so the transcript's calls still refer to
			// something; tool_choice none forces a plain-text answer.
			res.Capped = true
			params.ToolChoice = responses.ResponseNewParamsToolChoiceUnion{
				OfToolChoiceMode: openai.Opt(responses.ToolChoiceOptionsNone),
			}
		}
	}
}

// billed answers a run that failed with err: nil, or when requests made
// before the failure were answered (the provider bills those), a result
// carrying only their usage and the model, so the run's record still counts
// the tokens (ai.Model).
func billed(res *ai.Result, err error) (*ai.Result, error) {
	if res.Usage.IsZero() {
		return nil, err
	}
	return &ai.Result{Model: res.Model, Requests: res.Requests, Usage: res.Usage}, err
}

// request makes one model request: a plain one, or a streamed one whose
// text deltas go to onDelta when the turn asks for streaming. Errors come
// back classified.
func (m *OpenAI) request(ctx context.Context, params responses.ResponseNewParams, onDelta func(string)) (*responses.Response, error) {
	if onDelta != nil {
		return m.stream(ctx, params, onDelta)
	}
	resp, err := m.client.Responses.New(ctx, params)
	if err != nil {
		return nil, classify(ctx, err)
	}
	return resp, nil
}

// execute runs one call through exec and records it; a failing tool becomes
// an error object the model can read and react to.
func (m *OpenAI) execute(ctx context.Context, exec ai.ToolExec, call responses.ResponseFunctionToolCall, res *ai.Result) string {
	start := time.Now()
	// Arguments reach records verbatim (an outcome, an approval), so they
	// are held to the limits of every other JSON input.
	err := wire.CheckDepth([]byte(call.Arguments))
	var out string
	if err == nil {
		out, err = exec(ctx, ai.ToolCall{CallID: call.CallID, Name: call.Name, Arguments: call.Arguments})
	}
	rec := ai.ToolRecord{Name: call.Name, Arguments: call.Arguments, Millis: time.Since(start).Milliseconds()}
	if err != nil {
		rec.Error = err.Error()
		b, _ := json.Marshal(map[string]string{"error": err.Error()})
		out = string(b)
	}
	rec.Result = truncate(out, summaryRunes)
	res.ToolCalls = append(res.ToolCalls, rec)
	return out
}

// classify maps a failed request onto ai's errors, keeping the provider's
// own message: apierror's Error() is only the status line.
func classify(ctx context.Context, err error) error {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("llm: %w: %w", ai.ErrTimeout, err)
	}
	if errors.Is(err, context.Canceled) {
		return fmt.Errorf("llm: run cancelled: %w", err)
	}
	var apiErr *openai.Error
	if errors.As(err, &apiErr) {
		detail := apiErr.Message
		if apiErr.Code != "" {
			detail = apiErr.Code + ": " + detail
		}
		return fmt.Errorf("llm: openai %d: %s: %w", apiErr.StatusCode, detail, ai.ErrProvider)
	}
	return fmt.Errorf("llm: openai request: %w: %w", ai.ErrProvider, err)
}

func functionCalls(resp *responses.Response) []responses.ResponseFunctionToolCall {
	var calls []responses.ResponseFunctionToolCall
	for _, item := range resp.Output {
		if item.Type == "function_call" {
			calls = append(calls, item.AsFunctionCall())
		}
	}
	return calls
}

func inputItems(t *ai.Turn) responses.ResponseInputParam {
	items := make(responses.ResponseInputParam, 0, len(t.History)+len(t.Input))
	msg := func(role responses.EasyInputMessageRole, text string) responses.ResponseInputItemUnionParam {
		return responses.ResponseInputItemUnionParam{OfMessage: &responses.EasyInputMessageParam{
			Role:    role,
			Content: responses.EasyInputMessageContentUnionParam{OfString: openai.String(text)},
			Type:    responses.EasyInputMessageTypeMessage,
		}}
	}
	for _, h := range t.History {
		role := responses.EasyInputMessageRoleUser
		if h.Role == "assistant" {
			role = responses.EasyInputMessageRoleAssistant
		}
		items = append(items, msg(role, h.Text))
	}
	for _, text := range t.Input {
		items = append(items, msg(responses.EasyInputMessageRoleUser, text))
	}
	return items
}

func toolParams(tools []ai.Tool) []responses.ToolUnionParam {
	if len(tools) == 0 {
		return nil
	}
	out := make([]responses.ToolUnionParam, 0, len(tools))
	for _, t := range tools {
		params := t.Parameters
		if params == nil {
			params = map[string]any{"type": "object", "properties": map[string]any{}}
		}
		fn := &responses.FunctionToolParam{Name: t.Name, Parameters: params, Strict: openai.Bool(false)}
		if t.Description != "" {
			fn.Description = openai.String(t.Description)
		}
		out = append(out, responses.ToolUnionParam{OfFunction: fn})
	}
	return out
}

// truncate cuts s to at most n runes, marking the cut.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
