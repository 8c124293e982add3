package llmtest

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"time"

	"github.com/humd/humd/transport/llm"
)

// errGone ends a stream whose client went away or whose server is closing.
var errGone = errors.New("llmtest: stream abandoned")

// events writes one server-sent event stream in the Responses API's wire
// format: "event: <type>\ndata: <json>\n\n", each event flushed, each
// carrying its type and a sequence number counted from 0.
type events struct {
	w     http.ResponseWriter
	rc    *http.ResponseController
	r     *http.Request
	quit  <-chan struct{}
	delay time.Duration // before each delta event
	seq   int
}

// newEvents starts the stream: status 200, text/event-stream.
func (s *Server) newEvents(w http.ResponseWriter, r *http.Request, delay time.Duration) *events {
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	return &events{w: w, rc: http.NewResponseController(w), r: r, quit: s.quit, delay: delay}
}

func (e *events) send(typ string, fields map[string]any) error {
	fields["type"] = typ
	fields["sequence_number"] = e.seq
	e.seq++
	b, err := json.Marshal(fields)
	if err != nil {
		return err
	}
	if _, err := fmt.Fprintf(e.w, "event: %s\ndata: %s\n\n", typ, b); err != nil {
		return err
	}
	return e.rc.Flush()
}

// delta sends one delta event after the chunk delay.
func (e *events) delta(typ string, fields map[string]any) error {
	if e.delay > 0 {
		t := time.NewTimer(e.delay)
		select {
		case <-t.C:
		case <-e.r.Context().Done():
			t.Stop()
			return errGone
		case <-e.quit:
			t.Stop()
			return errGone
		}
	}
	return e.send(typ, fields)
}

// stream answers a stream request with the events the real API sends for
// resp's output, ending with response.completed carrying resp itself. It
// stops quietly when the client goes away. u is billed once the stream
// reaches response.completed (the event that carries usage), before it is
// written, so a client that has read it finds it in Usage.
func (s *Server) stream(w http.ResponseWriter, r *http.Request, delay time.Duration, resp map[string]any, u Usage) {
	e := s.newEvents(w, r, delay)
	if err := e.send("response.created", map[string]any{"response": inProgress(resp)}); err != nil {
		return
	}
	if err := e.send("response.in_progress", map[string]any{"response": inProgress(resp)}); err != nil {
		return
	}
	output, _ := resp["output"].([]any)
	for i, it := range output {
		item, _ := it.(map[string]any)
		var err error
		switch item["type"] {
		case "message":
			err = e.message(i, item)
		case "function_call":
			err = e.functionCall(i, item)
		}
		if err != nil {
			return
		}
	}
	s.bill(u)
	_ = e.send("response.completed", map[string]any{"response": resp})
}

// message streams one assistant message: its text as one delta per word.
func (e *events) message(index int, item map[string]any) error {
	id := item["id"]
	var text string
	if parts, ok := item["content"].([]any); ok && len(parts) > 0 {
		if p, ok := parts[0].(map[string]any); ok {
			text, _ = p["text"].(string)
		}
	}
	added := maps.Clone(item)
	added["status"] = "in_progress"
	added["content"] = []any{}
	part := func(text string) map[string]any {
		return map[string]any{"type": "output_text", "text": text, "annotations": []any{}}
	}
	at := func(fields map[string]any) map[string]any {
		fields["item_id"], fields["output_index"], fields["content_index"] = id, index, 0
		return fields
	}
	if err := e.send("response.output_item.added", map[string]any{"output_index": index, "item": added}); err != nil {
		return err
	}
	if err := e.send("response.content_part.added", at(map[string]any{"part": part("")})); err != nil {
		return err
	}
	for _, w := range llm.Words(text) {
		if err := e.delta("response.output_text.delta", at(map[string]any{"delta": w, "logprobs": []any{}})); err != nil {
			return err
		}
	}
	if err := e.send("response.output_text.done", at(map[string]any{"text": text, "logprobs": []any{}})); err != nil {
		return err
	}
	if err := e.send("response.content_part.done", at(map[string]any{"part": part(text)})); err != nil {
		return err
	}
	return e.send("response.output_item.done", map[string]any{"output_index": index, "item": item})
}

// functionCall streams one function call: its arguments as one delta per
// space-separated piece.
func (e *events) functionCall(index int, item map[string]any) error {
	id := item["id"]
	args, _ := item["arguments"].(string)
	added := maps.Clone(item)
	added["status"] = "in_progress"
	added["arguments"] = ""
	if err := e.send("response.output_item.added", map[string]any{"output_index": index, "item": added}); err != nil {
		return err
	}
	for _, w := range llm.Words(args) {
		if err := e.delta("response.function_call_arguments.delta",
			map[string]any{"item_id": id, "output_index": index, "delta": w}); err != nil {
			return err
		}
	}
	if err := e.send("response.function_call_arguments.done",
		map[string]any{"item_id": id, "output_index": index, "name": item["name"], "arguments": args}); err != nil {
		return err
	}
	return e.send("response.output_item.done", map[string]any{"output_index": index, "item": item})
}

// inProgress is resp as response.created and response.in_progress carry
// it: no output and no usage yet.
func inProgress(resp map[string]any) map[string]any {
	c := maps.Clone(resp)
	c["status"] = "in_progress"
	c["output"] = []any{}
	c["usage"] = nil
	return c
}
