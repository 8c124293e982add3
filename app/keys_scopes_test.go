package app_test

import (
	"strings"
	"testing"
	"time"

	"github.com/humd/humd/app/apptest"
)

// newKey creates a key in the bootstrap org and answers its secret and view.
func newKey(t *testing.T, s *apptest.Server, body map[string]any) (string, map[string]any) {
	t.Helper()
	created := s.JSON("POST", "/api/api-keys", adminKey, body, 201)
	return created["key"].(string), created
}

func wantCode(t *testing.T, s *apptest.Server, method, path, key string, body any, status int, code string) {
	t.Helper()
	res := s.JSON(method, path, key, body, status)
	if e, _ := res["error"].(map[string]any); e == nil || e["code"] != code {
		t.Errorf("%s %s = %v; want error.code %q", method, path, res, code)
	}
}

const sendPath = "/api/sms/conversations/conv_nope/messages"

func TestKeyScopesNarrowRoutes(t *testing.T) {
	s := apptest.Start(t, apptest.Options{})
	smsRead, view := newKey(t, s, map[string]any{"name": "inbox reader", "role": "operator", "scopes": []string{"sms:read"}})
	if got := view["scopes"].([]any); len(got) != 1 || got[0] != "sms:read" {
		t.Errorf("created key scopes = %v; want [sms:read]", view["scopes"])
	}
	s.JSON("GET", "/api/sms/conversations", smsRead, nil, 200)
	wantCode(t, s, "POST", sendPath, smsRead, map[string]any{"body": "hi"}, 403, "insufficient_scope")
	wantCode(t, s, "GET", "/api/calls", smsRead, nil, 403, "insufficient_scope")

	// sms:write covers the send (which then fails on the missing thread, not
	// on scope) and the reads of the area.
	smsWrite, _ := newKey(t, s, map[string]any{"name": "sender", "role": "operator", "scopes": []string{"sms:write"}})
	s.JSON("GET", "/api/sms/conversations", smsWrite, nil, 200)
	if status, body := s.Do("POST", sendPath, smsWrite, map[string]any{"body": "hi"}); status == 403 {
		t.Errorf("send with sms:write = %d %s; want past the scope check", status, body)
	}

	// "*" and no scopes at all behave as keys always have.
	all, _ := newKey(t, s, map[string]any{"name": "all", "role": "operator", "scopes": []string{"*"}})
	none, view := newKey(t, s, map[string]any{"name": "none", "role": "operator"})
	if got, ok := view["scopes"].([]any); !ok || len(got) != 0 {
		t.Errorf("key without scopes lists scopes %v; want []", view["scopes"])
	}
	for _, key := range []string{all, none} {
		s.JSON("GET", "/api/calls", key, nil, 200)
		s.JSON("GET", "/api/me", key, nil, 200)
		if status, body := s.Do("POST", sendPath, key, map[string]any{"body": "hi"}); status == 403 {
			t.Errorf("send with an unscoped operator key = %d %s", status, body)
		}
	}

	// Scopes never widen the role: a viewer's sms:write still sends nothing.
	viewer, _ := newKey(t, s, map[string]any{"name": "viewer", "role": "viewer", "scopes": []string{"sms:write"}})
	s.JSON("GET", "/api/sms/conversations", viewer, nil, 200)
	wantCode(t, s, "POST", sendPath, viewer, map[string]any{"body": "hi"}, 403, "insufficient_scope")

	// The list shows each key's scopes.
	for _, k := range s.JSON("GET", "/api/api-keys", adminKey, nil, 200)["data"].([]any) {
		k := k.(map[string]any)
		if k["name"] == "inbox reader" && (len(k["scopes"].([]any)) != 1 || k["scopes"].([]any)[0] != "sms:read") {
			t.Errorf("listed inbox reader = %v; want scopes [sms:read]", k)
		}
	}
}

func TestKeyScopeValidation(t *testing.T) {
	s := apptest.Start(t, apptest.Options{})
	for _, scopes := range [][]any{{"sms:admin"}, {"sms"}, {"*", "everything"}, {"SMS:read"}, {1}} {
		status, body := s.Do("POST", "/api/api-keys", adminKey, map[string]any{"name": "x", "role": "viewer", "scopes": scopes})
		if status != 422 || !strings.Contains(string(body), "validation_failed") {
			t.Errorf("scopes %v = %d %s; want 422", scopes, status, body)
		}
	}
	res := s.JSON("POST", "/api/api-keys", adminKey, map[string]any{"name": "x", "role": "viewer", "scopes": []string{"sms:admin"}}, 422)
	msg := res["error"].(map[string]any)["details"].(map[string]any)["fields"].(map[string]any)["scopes"].(string)
	for _, want := range []string{"sms:admin", "allowed:", "sms:read", "calls:write", "*"} {
		if !strings.Contains(msg, want) {
			t.Errorf("unknown scope message %q lacks %q", msg, want)
		}
	}
}

func TestKeyExpiresAt(t *testing.T) {
	s := apptest.Start(t, apptest.Options{})
	now := s.Clock.Now()
	for _, at := range []string{now.Add(-time.Minute).Format(time.RFC3339), now.Format(time.RFC3339), "next week", "2026-12-01"} {
		status, body := s.Do("POST", "/api/api-keys", adminKey, map[string]any{"name": "x", "role": "viewer", "expires_at": at})
		if status != 422 || !strings.Contains(string(body), "expires_at") {
			t.Errorf("expires_at %q = %d %s; want 422 on expires_at", at, status, body)
		}
	}
	expires := now.Add(time.Hour)
	key, view := newKey(t, s, map[string]any{"name": "temp", "role": "viewer", "expires_at": expires.Format(time.RFC3339)})
	if got, _ := time.Parse(time.RFC3339, view["expires_at"].(string)); !got.Equal(expires) {
		t.Errorf("expires_at = %v; want %v", view["expires_at"], expires)
	}
	s.JSON("GET", "/api/me", key, nil, 200)
	s.Clock.Advance(time.Hour - time.Second)
	s.JSON("GET", "/api/me", key, nil, 200)
	s.Clock.Advance(time.Second)
	wantCode(t, s, "GET", "/api/me", key, nil, 401, "api_key_required")
	// Keys without an expiry go on working.
	s.JSON("GET", "/api/me", adminKey, nil, 200)
}

// MCP runs each operation through the REST chain with the caller's key, so
// a scoped key gets no further through /mcp than over REST.
func TestMCPKeepsKeyScopes(t *testing.T) {
	s := apptest.Start(t, apptest.Options{})
	key, _ := newKey(t, s, map[string]any{"name": "agent", "role": "operator", "scopes": []string{"sms:read"}})
	cs := mcpSession(t, s, key, "authorization")
	res, out := call(t, cs, "execute_operation", map[string]any{"operation_id": "listConversations"})
	if res.IsError || out["status"] != 200.0 {
		t.Errorf("listConversations through MCP with sms:read = %v %v; want 200", res.IsError, out)
	}
	res, out = call(t, cs, "execute_operation", map[string]any{"operation_id": "listCalls"})
	if !res.IsError || out["status"] != 403.0 || !strings.Contains(text(res), "insufficient_scope") {
		t.Errorf("listCalls through MCP with sms:read = %v %v %q; want 403 insufficient_scope", res.IsError, out, text(res))
	}
	res, out = call(t, cs, "execute_operation", map[string]any{"operation_id": "sendMessage", "confirm": true,
		"path_params": map[string]any{"id": "conv_nope"}, "body": map[string]any{"body": "hi"}})
	if !res.IsError || out["status"] != 403.0 {
		t.Errorf("sendMessage through MCP with sms:read = %v %v %q; want 403", res.IsError, out, text(res))
	}
}

// provisionOrg keeps the plan (the org's admins can read it) and the admin
// notes (only the site admin's answer shows them).
func TestProvisionOrgPlanAndNotes(t *testing.T) {
	s := apptest.Start(t, apptest.Options{})
	res := s.JSON("POST", "/api/admin/orgs", adminKey, map[string]any{"name": "Org P", "ownerEmail": "pat@example.com",
		"plan": "growth", "adminNotes": "pilot; call Pat before renewal", "confirm": true}, 201)
	if res["plan"] != "growth" || res["admin_notes"] != "pilot; call Pat before renewal" {
		t.Errorf("provisionOrg answer = %v; want plan and admin_notes", res)
	}
	keyP := res["api_key"].(string)
	status, raw := s.Do("GET", "/api/org", keyP, nil)
	if status != 200 || !strings.Contains(string(raw), `"plan":"growth"`) || strings.Contains(string(raw), "Pat before renewal") {
		t.Errorf("GET /api/org = %d %s; want the plan without the admin notes", status, raw)
	}
	status, raw = s.Do("PATCH", "/api/org", keyP, map[string]any{"name": "Org P2"})
	if status != 200 || !strings.Contains(string(raw), `"plan":"growth"`) || strings.Contains(string(raw), "Pat before renewal") {
		t.Errorf("PATCH /api/org = %d %s; want the plan kept, no admin notes", status, raw)
	}
	s.JSON("POST", "/api/admin/orgs", adminKey, map[string]any{"name": "Q", "plan": strings.Repeat("p", 61)}, 422)
}
