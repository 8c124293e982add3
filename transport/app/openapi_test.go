package app_test

import (
	"sort"
	"strings"
	"testing"

	"github.com/humd/humd/transport/app/apptest"
)

// TestOpenAPIMatchesRouter keeps /openapi.json true: every served route is
// documented with a unique operationId, and nothing undocumented is served.
func TestOpenAPIMatchesRouter(t *testing.T) {
	s := apptest.Start(t, apptest.Options{})
	doc := s.JSON("GET", "/openapi.json", "", nil, 200)
	documented := map[string]bool{}
	ops := map[string]string{}
	for path, item := range doc["paths"].(map[string]any) {
		for method, op := range item.(map[string]any) {
			key := strings.ToUpper(method) + " " + path
			documented[key] = true
			id, _ := op.(map[string]any)["operationId"].(string)
			if id == "" {
				t.Errorf("%s has no operationId", key)
			}
			if prev, dup := ops[id]; dup {
				t.Errorf("operationId %q used by %s and %s", id, prev, key)
			}
			ops[id] = key
			if _, ok := op.(map[string]any)["responses"].(map[string]any)["default"]; !ok {
				t.Errorf("%s documents no error response", key)
			}
		}
	}
	served := map[string]bool{}
	for method, paths := range s.App.HTTP.Router().List() {
		for _, p := range paths {
			served[method+" "+p] = true
		}
	}
	for k := range served {
		if !documented[k] {
			t.Errorf("served but not documented: %s", k)
		}
	}
	for k := range documented {
		if !served[k] {
			t.Errorf("documented but not served: %s", k)
		}
	}
	if len(served) < 10 {
		keys := make([]string, 0, len(served))
		for k := range served {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		t.Errorf("router lists only %v", keys)
	}
}

// TestOpenAPIValidatorCatchesDrift proves the response check is not vacuous:
// an answer that breaks its schema is reported.
func TestOpenAPIValidatorCatchesDrift(t *testing.T) {
	s := apptest.Start(t, apptest.Options{})
	s.JSON("GET", "/api/org", adminKey, nil, 200)
	v, err := apptest.NewValidator(s.App.HTTP)
	if err != nil {
		t.Fatal(err)
	}
	var rec apptest.Response
	for _, r := range s.Responses() {
		if r.Route.Path == "/api/org" {
			rec = r
		}
	}
	if err := v.Check(rec); err != nil {
		t.Fatalf("real answer rejected: %v", err)
	}
	rec.Body = []byte(`{"id":42}`)
	if err := v.Check(rec); err == nil {
		t.Errorf("an Org without name/timezone and with a numeric id passed validation")
	}
	rec.Status = 201
	if err := v.Check(rec); err == nil {
		t.Errorf("an undocumented 201 passed validation")
	}
}
