package httpapi

import (
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
