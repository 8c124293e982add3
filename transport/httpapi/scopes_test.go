package httpapi

import (
	"errors"
	"slices"
	"testing"

	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/tenancy"
)

// The scope vocabulary (tenancy.ScopeAreas) and the route table's tags stay in
// step: every route that needs a key has an area a scope can name, and every
// area names some route. A new tag fails here until its area is added.
func TestScopeAreasMatchRouteTags(t *testing.T) {
	s := New(Config{}, Deps{})
	used := map[string]bool{}
	for _, r := range s.Routes() {
		if r.Auth == Public || scopeFree[r.Path] {
			continue
		}
		area := tenancy.ScopeArea(r.Tag)
		used[area] = true
		if !slices.Contains(tenancy.ScopeAreas, area) {
			t.Errorf("%s %s: tag %q has area %q, which tenancy.ScopeAreas lacks", r.Method, r.Path, r.Tag, area)
		}
	}
	for _, a := range tenancy.ScopeAreas {
		if !used[a] {
			t.Errorf("scope area %q names no route that needs a key", a)
		}
	}
}

func TestScopeAllows(t *testing.T) {
	listSMS := &Route{Method: "GET", Path: "/api/sms/conversations", Tag: "SMS", Auth: ViewerUp}
	sendSMS := &Route{Method: "POST", Path: "/api/sms/conversations/{id}/messages", Tag: "SMS", Auth: OperatorUp}
	listCalls := &Route{Method: "GET", Path: "/api/calls", Tag: "Calls", Auth: ViewerUp}
	createKey := &Route{Method: "POST", Path: "/api/api-keys", Tag: "API keys", Auth: AdminUp}
	mcp := &Route{Method: "POST", Path: "/mcp", Tag: "MCP", Auth: ViewerUp}
	health := &Route{Method: "GET", Path: "/api/health", Tag: "System", Auth: Public}
	cases := []struct {
		scopes []string
		route  *Route
		ok     bool
	}{
		{nil, sendSMS, true},
		{[]string{"*"}, listCalls, true},
		{[]string{"sms:read"}, listSMS, true},
		{[]string{"sms:read"}, sendSMS, false},
		{[]string{"sms:read"}, listCalls, false},
		{[]string{"sms:write"}, sendSMS, true},
		{[]string{"sms:write"}, listSMS, true},
		{[]string{"api-keys:read"}, createKey, false},
		{[]string{"api-keys:write"}, createKey, true},
		{[]string{"sms:read"}, mcp, true},
		{[]string{"sms:read"}, health, true},
	}
	for _, c := range cases {
		err := scopeAllows(c.route, &tenancy.Principal{KeyID: "key_1", Role: tenancy.Admin, Scopes: c.scopes})
		if c.ok && err != nil || !c.ok && !errors.Is(err, storage.ErrForbidden) {
			t.Errorf("scopeAllows(%s %s, %q) = %v; want ok=%v", c.route.Method, c.route.Path, c.scopes, err, c.ok)
		}
		if status, ae := classify(err); !c.ok && (status != 403 || ae.Code != "insufficient_scope") {
			t.Errorf("scope denial answers %d %s; want 403 insufficient_scope", status, ae.Code)
		}
	}
}
