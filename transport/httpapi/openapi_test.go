package httpapi

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// ambiguous is Redocly's no-ambiguous-paths rule: two templates of the same
// length whose literal segments agree wherever both are literal, with as many
// parameters each, can both match one request path (/a/in/{token} and
// /a/{id}/rotate both take /a/in/rotate). Templates that differ only in
// parameter names (no-identical-paths) are the same path twice.
func ambiguous(a, b string) bool {
	pa, pb := strings.Split(a, "/"), strings.Split(b, "/")
	if len(pa) != len(pb) {
		return false
	}
	varsA, varsB := 0, 0
	for i := range pa {
		va, vb := isParam(pa[i]), isParam(pb[i])
		if va {
			varsA++
		}
		if vb {
			varsB++
		}
		if !va && !vb && pa[i] != pb[i] {
			return false
		}
	}
	return varsA == varsB
}

func isParam(seg string) bool { return strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") }

// TestNoAmbiguousPaths keeps the route table free of path templates a
// linter (and a generated client's router) cannot tell apart.
func TestNoAmbiguousPaths(t *testing.T) {
	paths := map[string]bool{}
	for _, r := range New(Config{}, Deps{}).Routes() {
		paths[r.Path] = true
	}
	list := sortedKeys(paths)
	for i, a := range list {
		for _, b := range list[i+1:] {
			if ambiguous(a, b) {
				t.Errorf("ambiguous paths %s and %s", a, b)
			}
		}
	}
}

func TestAmbiguous(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"/api/triggers/in/{token}", "/api/triggers/{id}/rotate-token", true},
		{"/api/contacts/backfill-lookup/{id}", "/api/contacts/{id}/lookup", true},
		{"/pets/{id}", "/pets/{name}", true},
		{"/api/knowledge/search", "/api/knowledge/{id}", false}, // a literal wins (OpenAPI path matching)
		{"/api/triggers/in/{token}", "/api/triggers/{id}/token/rotate", false},
		{"/api/numbers/{id}", "/api/flows/{id}", false},
	} {
		if got := ambiguous(tc.a, tc.b); got != tc.want {
			t.Errorf("ambiguous(%s, %s) = %v; want %v", tc.a, tc.b, got, tc.want)
		}
	}
}

// TestErrorStatusesNameRealOperations keeps each route's Fails to error
// statuses the edge does not derive already, and every documented error on
// the shared Error schema.
func TestErrorStatusesNameRealOperations(t *testing.T) {
	s := New(Config{}, Deps{})
	ops := map[string]*Route{}
	for _, r := range s.Routes() {
		ops[r.OpID] = r
		derived := errorStatuses(&Route{Method: r.Method, Path: r.Path, Tag: r.Tag, Auth: r.Auth, Request: r.Request,
			RequestSchema: r.RequestSchema, Idempotent: r.Idempotent}, isList(responseSchemas(newReflector(), r)[200]))
		for _, st := range r.Fails {
			if st < 400 || st > 599 {
				t.Errorf("%s Fails with %d, which is not an error status", r.OpID, st)
			}
			if slices.Contains(derived, st) {
				t.Errorf("%s Fails with %d, which the edge documents for it anyway", r.OpID, st)
			}
		}
	}
	doc := s.OpenAPI()
	for path, item := range doc.Paths {
		for method, op := range item.(map[string]any) {
			r := ops[op.(map[string]any)["operationId"].(string)]
			for status, resp := range op.(map[string]any)["responses"].(map[string]any) {
				if status == "default" {
					t.Errorf("%s %s documents a default response", method, path)
				}
				if status < "400" || r.Errors != CoreStyle {
					continue
				}
				if n, _ := strconv.Atoi(status); r.Responses[n] != nil || r.Schemas[n] != nil {
					continue
				}
				if ref, _ := resp.(map[string]any)["$ref"].(string); !strings.HasPrefix(ref, "#/components/responses/") {
					t.Errorf("%s %s %s is not the shared error response: %v", method, path, status, resp)
				}
			}
		}
	}
}

// TestNoBareObjects: an object schema says what it holds, either its
// properties or, for keys the caller chooses, additionalProperties. A bare
// {"type":"object"} types as an empty object in generated clients.
func TestNoBareObjects(t *testing.T) {
	raw, err := json.Marshal(New(Config{}, Deps{}).OpenAPI())
	if err != nil {
		t.Fatal(err)
	}
	var doc any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	var walk func(n any, at string)
	walk = func(n any, at string) {
		switch n := n.(type) {
		case map[string]any:
			_, props := n["properties"]
			_, extra := n["additionalProperties"]
			if isObjectType(n["type"]) && !props && !extra {
				t.Errorf("%s is a bare object", at)
			}
			for k, v := range n {
				walk(v, at+"/"+k)
			}
		case []any:
			for i, v := range n {
				walk(v, at+"/"+strconv.Itoa(i))
			}
		}
	}
	walk(doc, "#")
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
