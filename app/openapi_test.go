package app_test

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/humd/humd/app/apptest"
)

// TestMain reports, after a run of the whole package, the operations no
// end-to-end test saw answered: every answer of every test is validated
// against the document (apptest.Start), so those are the operations whose
// document no answer has checked. It reports and does not fail.
func TestMain(m *testing.M) {
	code := m.Run()
	if f := flag.Lookup("test.run"); f != nil && f.Value.String() == "" {
		missing, total := apptest.Unexercised()
		if total > 0 {
			fmt.Printf("openapi coverage: %d of %d operations answered in the end-to-end tests (stream routes not counted)\n", total-len(missing), total)
			for _, op := range missing {
				fmt.Printf("  never exercised: %s\n", op)
			}
		}
	}
	os.Exit(code)
}

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
			responses := op.(map[string]any)["responses"].(map[string]any)
			if _, ok := responses["default"]; ok {
				t.Errorf("%s documents a default response; name its error statuses", key)
			}
			errs := 0
			for st := range responses {
				if n, _ := strconv.Atoi(st); n >= 400 {
					errs++
				}
			}
			if tags, _ := op.(map[string]any)["tags"].([]any); errs == 0 && !(len(tags) == 1 && tags[0] == "System") {
				t.Errorf("%s documents no error response", key) // only health, metrics and this document never fail
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
	real := rec.Body
	rec.Body = []byte(`{"id":42}`)
	if err := v.Check(rec); err == nil {
		t.Errorf("an Org without name/timezone and with a numeric id passed validation")
	}
	var org map[string]any
	if err := json.Unmarshal(real, &org); err != nil {
		t.Fatal(err)
	}
	org["surprise"] = true
	rec.Body, _ = json.Marshal(org)
	if err := v.Check(rec); err == nil || !strings.Contains(err.Error(), "surprise") {
		t.Errorf("an Org with an undeclared key passed validation: %v", err)

	}
	rec.Body = real
	rec.Status = 201
	if err := v.Check(rec); err == nil {
		t.Errorf("an undocumented 201 passed validation")
	}
	rec.Status, rec.Body = 418, []byte(`{"error":{"code":"teapot","message":"no"}}`)
	if err := v.Check(rec); err == nil {
		t.Errorf("an undocumented 418 passed validation")
	}
	rec.Status, rec.Body = 401, []byte(`{"error":{"code":"api_key_required","message":"no key","hint":"x"}}`)
	if err := v.Check(rec); err == nil {
		t.Errorf("an error envelope with an undeclared key passed validation")
	}
	rec.Body = []byte(`{"error":{"code":"api_key_required","message":"no key"}}`)
	if err := v.Check(rec); err != nil {
		t.Errorf("a D-10 401 was rejected: %v", err)
	}
}
