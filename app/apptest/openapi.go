package apptest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
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
	closeObjects(doc)
	return &Validator{doc: doc, components: doc["components"], compiled: map[string]*jsonschema.Schema{}}, nil
}

// schemaFor finds the response schema of (route, status); a status the
// operation does not list is an error, as is a JSON answer where the
// document promises none. The schema is nil for non-JSON answers.
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
		return nil, "", fmt.Errorf("%s %s answered %d, which the document does not list", r.Method, r.Path, status)
	}
	if ref, ok := resp["$ref"].(string); ok {
		resp = v.responseRef(ref)
		if resp == nil {
			return nil, "", fmt.Errorf("%s %s %d: unresolved %s", r.Method, r.Path, status, ref)
		}
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

// responseRef resolves "#/components/responses/Name".
func (v *Validator) responseRef(ref string) map[string]any {
	name, ok := strings.CutPrefix(ref, "#/components/responses/")
	if !ok {
		return nil
	}
	comps, _ := v.components.(map[string]any)
	responses, _ := comps["responses"].(map[string]any)
	out, _ := responses[name].(map[string]any)
	return out
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
		if len(rec.Body) > 0 && strings.HasPrefix(rec.ContentType, "application/json") {
			return fmt.Errorf("%s %s %d: answered a JSON body where the document has none", rec.Route.Method, rec.Route.Path, rec.Status)
		}
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

// closeObjects makes every object schema in the document refuse keys it
// does not declare, unless it says additionalProperties itself (free-form
// JSON the user supplied). The published document stays open so a new field
// is not a breaking change; the tests hold the server to it exactly.
func closeObjects(node any) {
	switch n := node.(type) {
	case map[string]any:
		if isObjectType(n["type"]) {
			if _, ok := n["additionalProperties"]; !ok {
				n["additionalProperties"] = false
			}
		}
		for _, v := range n {
			closeObjects(v)
		}
	case []any:
		for _, v := range n {
			closeObjects(v)
		}
	}
}

func isObjectType(t any) bool {
	switch t := t.(type) {
	case string:
		return t == "object"
	case []any:
		for _, x := range t {
			if x == "object" {
				return true
			}
		}
	}
	return false
}

func truncate(b []byte) string {
	if len(b) > 300 {
		return string(b[:300]) + "..."
	}
	return string(b)
}

// CheckAll validates every answer the server recorded; Start runs it when
// the test ends, so an answer that breaks the document fails the test that
// caused it.
func (s *Server) CheckAll() {
	s.T.Helper()
	v, err := NewValidator(s.App.HTTP)
	if err != nil {
		s.T.Fatalf("openapi: %v", err)
	}
	recs := s.Responses()
	coverage.add(s.App.HTTP.Routes(), recs)
	for _, rec := range recs {
		if err := v.Check(rec); err != nil {
			s.T.Errorf("openapi: %v", err)
		}
	}
}

// coverage is which operations the tests of this process saw answered.
var coverage = &opCoverage{ops: map[string]bool{}, seen: map[string]map[int]bool{}}

type opCoverage struct {
	mu   sync.Mutex
	ops  map[string]bool // "METHOD /path" -> streams (never recorded)
	seen map[string]map[int]bool
}

func (c *opCoverage) add(routes []*httpapi.Route, recs []Response) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, r := range routes {
		c.ops[r.Method+" "+r.Path] = r.Stream
	}
	for _, rec := range recs {
		if rec.Route == nil || rec.Route.Path == "(unmatched)" {
			continue
		}
		k := rec.Route.Method + " " + rec.Route.Path
		if c.seen[k] == nil {
			c.seen[k] = map[int]bool{}
		}
		c.seen[k][rec.Status] = true
	}
}

// Unexercised lists the operations no test of this process saw answered
// (stream routes are not recorded and are left out), and how many there are
// in all.
func Unexercised() (missing []string, total int) {
	c := coverage
	c.mu.Lock()
	defer c.mu.Unlock()
	for op, stream := range c.ops {
		if stream {
			continue
		}
		total++
		if len(c.seen[op]) == 0 {
			missing = append(missing, op)
		}
	}
	sort.Strings(missing)
	return missing, total
}
