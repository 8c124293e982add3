package llmtest

import (
	"encoding/json"
	"strings"
)

// wireRequest is the subset of the Responses create body the fake reads.
type wireRequest struct {
	Model             string            `json:"model"`
	Instructions      string            `json:"instructions"`
	Input             json.RawMessage   `json:"input"`
	Tools             []json.RawMessage `json:"tools"`
	ParallelToolCalls *bool             `json:"parallel_tool_calls"`
	Store             *bool             `json:"store"`
	ToolChoice        json.RawMessage   `json:"tool_choice"`
	Stream            bool              `json:"stream"`
}

type wireItem struct {
	Type      string          `json:"type"`
	Role      string          `json:"role"`
	Content   json.RawMessage `json:"content"`
	ID        string          `json:"id"`
	CallID    string          `json:"call_id"`
	Name      string          `json:"name"`
	Arguments string          `json:"arguments"`
	Output    json.RawMessage `json:"output"`
}

type wireTool struct {
	Type        string         `json:"type"`
	Name        string         `json:"name"`
	Description string         `json:"description"`
	Strict      *bool          `json:"strict"`
	Parameters  map[string]any `json:"parameters"`
}

func decodeRequest(body []byte) (Request, error) {
	var w wireRequest
	if err := json.Unmarshal(body, &w); err != nil {
		return Request{}, err
	}
	req := Request{Model: w.Model, Instructions: w.Instructions, ParallelToolCalls: w.ParallelToolCalls,
		Store: w.Store, Stream: w.Stream, Raw: body}
	if len(w.ToolChoice) > 0 {
		var mode string
		if json.Unmarshal(w.ToolChoice, &mode) == nil {
			req.ToolChoice = mode
		} else {
			req.ToolChoice = string(w.ToolChoice)
		}
	}
	for _, raw := range w.Tools {
		var t wireTool
		if err := json.Unmarshal(raw, &t); err != nil {
			return Request{}, err
		}
		req.Tools = append(req.Tools, Tool(t))
	}
	items, err := decodeInput(w.Input)
	if err != nil {
		return Request{}, err
	}
	req.Input = items
	return req, nil
}

// decodeInput accepts both input shapes: a bare string (one user message)
// and a list of items.
func decodeInput(raw json.RawMessage) ([]InputItem, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	var text string
	if json.Unmarshal(raw, &text) == nil {
		return []InputItem{{Type: "message", Role: "user", Content: text}}, nil
	}
	var wire []wireItem
	if err := json.Unmarshal(raw, &wire); err != nil {
		return nil, err
	}
	items := make([]InputItem, 0, len(wire))
	for _, w := range wire {
		typ := w.Type
		if typ == "" && w.Role != "" {
			typ = "message" // EasyInputMessage may leave type out
		}
		items = append(items, InputItem{Type: typ, Role: w.Role, Content: flatten(w.Content), ID: w.ID,
			CallID: w.CallID, Name: w.Name, Arguments: w.Arguments, Output: flatten(w.Output)})
	}
	return items, nil
}

// flatten answers a string field as is, or the text parts of a content list
// joined.
func flatten(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var parts []struct {
		Text string `json:"text"`
	}
	if json.Unmarshal(raw, &parts) != nil {
		return string(raw)
	}
	var b strings.Builder
	for _, p := range parts {
		b.WriteString(p.Text)
	}
	return b.String()
}
