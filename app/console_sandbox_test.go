package app_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/humd/humd/storage/tenancy"
)

// The sandbox phone's calls need the operator role: a viewer's page has no
// call form, and the forms posted by hand with the CSRF token are refused
// (403) and place no call.
func TestConsoleSandboxCallRefusesViewer(t *testing.T) {
	s, _ := consoleThread(t)
	addUser(t, s, "viewer@example.com", tenancy.Viewer, "viewer password")
	v := newBrowser(t, s)
	v.mustLogin("viewer@example.com", "viewer password")
	tok := consoleCSRF(t, v, "/")
	if resp, raw := v.do("POST", "/console/org", url.Values{"org_id": {s.OrgID()}, "csrf_token": {tok}}, nil); resp.StatusCode != 303 {
		t.Fatalf("switch org = %d %s", resp.StatusCode, raw)
	}
	resp, raw := v.do("GET", "/sandbox", nil, nil)
	if resp.StatusCode != 200 || strings.Contains(string(raw), `hx-post="/sandbox/call"`) {
		t.Fatalf("viewer's sandbox page = %d, with a call form: %s", resp.StatusCode, raw)
	}
	for _, path := range []string{"/sandbox/call", "/sandbox/calls/call_x/say", "/sandbox/calls/call_x/hangup"} {
		resp, raw := v.do("POST", path, url.Values{"from": {"+15555550100"}, "to": {ourNumber}, "text": {"hello"}, "csrf_token": {tok}}, nil)
		if resp.StatusCode != 403 {
			t.Errorf("viewer POST %s = %d %.300s; want 403", path, resp.StatusCode, raw)
		}
	}
	if list := s.JSON("GET", "/api/calls", adminKey, nil, 200)["data"].([]any); len(list) != 0 {
		t.Fatalf("calls after a viewer's refused call = %v", list)
	}
}

// An injected text (smssvc.InjectText) reaches only the caller's own org's
// numbers: org B injecting to org A's number is a 422 on "to" and stores
// nothing; to its own number it is a 201.
func TestSandboxInjectTextOwnNumbersOnly(t *testing.T) {
	o := startTwoSandboxOrgs(t)
	s := o.s
	before := len(s.JSON("GET", "/api/sms/conversations", adminKey, nil, 200)["data"].([]any))
	res := s.JSON("POST", "/api/sandbox/inbound", o.bKey, map[string]any{"from": "+13175550123", "to": ourNumber, "body": "from B"}, 422)
	if f := fieldOf(t, res); f != "to" {
		t.Fatalf("org B's injection to A's number failed on %q; want to", f)
	}
	if after := len(s.JSON("GET", "/api/sms/conversations", adminKey, nil, 200)["data"].([]any)); after != before {
		t.Fatalf("org A's threads went from %d to %d", before, after)
	}
	s.JSON("POST", "/api/sandbox/inbound", o.bKey, map[string]any{"from": "+13175550123", "to": o.bNumber, "body": "to B"}, 201)
}
