package httpapi

import (
	"errors"
	"testing"

	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/tenancy"
)

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
