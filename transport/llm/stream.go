package llm

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/packages/ssestream"
	"github.com/openai/openai-go/v3/responses"

	"github.com/humd/humd/actors/ai"
)

// Streaming event types the tool loop acts on; the rest (created,
// in_progress, output items, content parts, argument deltas) are read and
// skipped undecoded, since the terminal event carries the whole response.
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
// openai-go's own stream decodes every event into its event union, and the
// created, in_progress and done events each carry the whole response (its
// instructions and tools echoed back): a voice turn's profile spent a
// quarter of humd's CPU there, for events that are skipped. So the request
// goes through the same client (retries, auth, error mapping) but the
// server-sent events are read with openai-go's decoder and only the ones
// acted on are decoded: a delta's text, and the terminal response, which is
// decoded into responses.Response as before.
//
// The stream is read to its end after response.completed so the connection
// goes back to the pool; a cancelled or expired ctx aborts the read at once
// (net/http closes the body) and wins over any other outcome.
func (m *OpenAI) stream(ctx context.Context, params responses.ResponseNewParams, onDelta func(string)) (*responses.Response, error) {
	var raw *http.Response
	err := m.client.Post(ctx, "responses", params, &raw, option.WithJSONSet("stream", true))
	if err != nil {
		return nil, classify(ctx, err)
	}
	defer raw.Body.Close()
	dec := ssestream.NewDecoder(raw)
	if dec == nil {
		return nil, fmt.Errorf("llm: response stream has no body: %w", ai.ErrMalformed)
	}
	defer dec.Close()

	var final *responses.Response
	for dec.Next() {
		ev := dec.Event()
		if bytes.HasPrefix(ev.Data, []byte("[DONE]")) {
			break
		}
		typ := ev.Type
		if typ == "" || typ == "message" { // no "event:" line: the type is in the data
			var head struct {
				Type string `json:"type"`
			}
			_ = json.Unmarshal(ev.Data, &head)
			typ = head.Type
		}
		switch typ {
		case eventTextDelta:
			var d struct {
				Delta string `json:"delta"`
			}
			if err := json.Unmarshal(ev.Data, &d); err != nil {
				return nil, fmt.Errorf("llm: decode %s: %w: %w", typ, ai.ErrMalformed, err)
			}
			if d.Delta != "" {
				onDelta(d.Delta)
			}
		case eventCompleted, eventIncomplete, eventFailed:
			// The plain path answers an incomplete response like any other
			// and keeps whatever text it has; so does the stream.
			var e struct {
				Response responses.Response `json:"response"`
			}
			if err := json.Unmarshal(ev.Data, &e); err != nil {
				return nil, fmt.Errorf("llm: decode %s: %w: %w", typ, ai.ErrMalformed, err)
			}
			resp := e.Response
			if typ == eventFailed {
				return nil, fmt.Errorf("llm: response %s failed: %s: %s: %w", resp.ID, resp.Error.Code, resp.Error.Message, ai.ErrProvider)
			}
			final = &resp
		case eventError:
			var e responses.ResponseErrorEvent
			if err := json.Unmarshal(ev.Data, &e); err != nil {
				return nil, fmt.Errorf("llm: decode %s: %w: %w", typ, ai.ErrMalformed, err)
			}
			return nil, fmt.Errorf("llm: openai stream error: %s: %s: %w", e.Code, e.Message, ai.ErrProvider)
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, classify(ctx, err)
	}
	if err := dec.Err(); err != nil {
		return nil, classify(ctx, err)
	}
	if final == nil {
		return nil, fmt.Errorf("llm: response stream ended without %s: %w", eventCompleted, ai.ErrMalformed)
	}
	return final, nil
}
