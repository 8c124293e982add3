package apptest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/humd/humd/transport/httpapi"
)

// Validator checks answers against the OpenAPI document the server publishes.
type Validator struct {
	doc        map[string]any
	components any
	mu         sync.Mutex
	compiled   map[string]*jsonschema.Schema
}

// NewValidator reads the document from the server itself.
func NewValidator(h *httpapi.Server) (*Validator, error) {
	raw, err := json.Marshal(h.OpenAPI())
	if err != nil {
		return nil, err
	}
	doc := map[string]any{}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, err
	}
	return &Validator{doc: doc, components: doc["components"], compiled: map[string]*jsonschema.Schema{}}, nil
}

// schemaFor finds the response schema of (route, status), falling back to
// "default"; ok is false when the answer has no JSON body to check.
func (v *Validator) schemaFor(r *httpapi.Route, status int) (any, string, error) {
	paths, _ := v.doc["paths"].(map[string]any)
	item, _ := paths[r.Path].(map[string]any)
	op, _ := item[strings.ToLower(r.Method)].(map[string]any)
	if op == nil {
		return nil, "", fmt.Errorf("%s %s is not in the OpenAPI document", r.Method, r.Path)
	}
	responses, _ := op["responses"].(map[string]any)
	key := strconv.Itoa(status)
	resp, ok := responses[key].(map[string]any)
	if !ok {
		if status < 400 {
			return nil, "", fmt.Errorf("%s %s answered %d, which the document does not list", r.Method, r.Path, status)
		}
		key = "default"
		resp = responses["default"].(map[string]any)
	}
	content, _ := resp["content"].(map[string]any)
	if content == nil {
		return nil, key, nil
	}
	media, ok := content["application/json"].(map[string]any)
	if !ok {
		return nil, key, nil // text answers (metrics, TwiML) are not JSON-checked
	}
	return media["schema"], key, nil
}

// Check validates one recorded answer.
func (v *Validator) Check(rec Response) error {
	if rec.Route == nil || rec.Route.Path == "(unmatched)" {
		return nil
	}
	schema, key, err := v.schemaFor(rec.Route, rec.Status)
	if err != nil {
		return err
	}
	if schema == nil {
		return nil
	}
	id := rec.Route.Method + " " + rec.Route.Path + " " + key
	v.mu.Lock()
	sch, ok := v.compiled[id]
	if !ok {
		c := jsonschema.NewCompiler()
		res := map[string]any{"allOf": []any{schema}, "components": v.components}
		raw, _ := json.Marshal(res)
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
		if err == nil {
			err = c.AddResource("mem://schema.json", doc)
		}
		if err == nil {
			sch, err = c.Compile("mem://schema.json")
		}
		if err != nil {
			v.mu.Unlock()
			return fmt.Errorf("%s: compile schema: %w", id, err)
		}
		v.compiled[id] = sch
	}
	v.mu.Unlock()
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(rec.Body))
	if err != nil {
		return fmt.Errorf("%s: answer is not JSON: %q", id, truncate(rec.Body))
	}
	if err := sch.Validate(inst); err != nil {
		return fmt.Errorf("%s: answer %s does not match the document: %v", id, truncate(rec.Body), err)
	}
	return nil
}

func truncate(b []byte) string {
	if len(b) > 300 {
		return string(b[:300]) + "..."
	}
	return string(b)
}

// CheckAll validates every answer the server recorded.
func (s *Server) CheckAll() {
	s.T.Helper()
	v, err := NewValidator(s.App.HTTP)
	if err != nil {
		s.T.Fatalf("openapi: %v", err)
	}
	for _, rec := range s.Responses() {
		if err := v.Check(rec); err != nil {
			s.T.Errorf("openapi: %v", err)
		}
	}
}
