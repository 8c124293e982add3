package llm

import (
	"context"
	"fmt"

	"github.com/openai/openai-go/v3/responses"

	"github.com/humd/humd/actors/ai"
)

// Streaming event types the tool loop acts on; the rest (created,
// in_progress, output items, content parts, argument deltas) are read and
// skipped, since the terminal event carries the whole response.
const (
	eventTextDelta  = "response.output_text.delta"
	eventCompleted  = "response.completed"
	eventIncomplete = "response.incomplete"
	eventFailed     = "response.failed"
	eventError      = "error"
)

// stream makes one request with stream=true, hands every output text delta
// to onDelta as it arrives, and answers the response object of the
// terminal event, so the tool loop treats it exactly like a plain answer.
//
// Deltas are forwarded as they come, before it is known whether the round
// ends in function calls: text a model writes ahead of a tool call is
// spoken but, as in the plain path, not part of Result.Text.
//
// The stream is read to its end after response.completed so the connection
// goes back to the pool; a cancelled or expired ctx aborts the read at once
// (net/http closes the body) and wins over any other outcome.
func (m *OpenAI) stream(ctx context.Context, params responses.ResponseNewParams, onDelta func(string)) (*responses.Response, error) {
	s := m.client.Responses.NewStreaming(ctx, params)
	defer s.Close()

	var final *responses.Response
	for s.Next() {
		ev := s.Current()
		switch ev.Type {
		case eventTextDelta:
			if d := ev.AsResponseOutputTextDelta().Delta; d != "" {
				onDelta(d)
			}
		case eventCompleted:
			resp := ev.AsResponseCompleted().Response
			final = &resp
		case eventIncomplete:
			// The plain path answers an incomplete response like any other
			// and keeps whatever text it has; so does the stream.
			resp := ev.AsResponseIncomplete().Response
			final = &resp
		case eventFailed:
			resp := ev.AsResponseFailed().Response
			return nil, fmt.Errorf("llm: response %s failed: %s: %s: %w", resp.ID, resp.Error.Code, resp.Error.Message, ai.ErrProvider)
		case eventError:
			e := ev.AsError()
			return nil, fmt.Errorf("llm: openai stream error: %s: %s: %w", e.Code, e.Message, ai.ErrProvider)
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, classify(ctx, err)
	}
	if err := s.Err(); err != nil {
		return nil, classify(ctx, err)
	}
	if final == nil {
		return nil, fmt.Errorf("llm: response stream ended without %s: %w", eventCompleted, ai.ErrMalformed)
	}
	return final, nil
}
