package app_test

import (
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/humd/humd/app"
	"github.com/humd/humd/app/apptest"
	"github.com/humd/humd/storage/tenancy"
)

// consoleThread starts a humd with a password for the admin and one inbound
// text, and answers the thread's id.
func consoleThread(t *testing.T) (*apptest.Server, string) {
	t.Helper()
	s := startWithPassword(t, app.Config{})
	s.AddNumber(ourNumber, 1)
	inbound(t, s, "SM00000000000000000000000000001901", contact, "is anyone there?")
	return s, onlyConversation(t, s)["id"].(string)
}

// A signed-out browser asking for a page is sent to sign in, and back.
func TestConsoleSendsSignedOutToLogin(t *testing.T) {
	s, conv := consoleThread(t)
	b := newBrowser(t, s)
	for _, path := range []string{"/", "/inbox?filter=closed", "/inbox/" + conv, "/calls", "/approvals"} {
		resp, _ := b.do("GET", path, nil, nil)
		want := "/auth/login?return_to=" + url.QueryEscape(path)
		if resp.StatusCode != 303 || resp.Header.Get("Location") != want {
			t.Errorf("GET %s signed out = %d Location %q; want 303 to %s", path, resp.StatusCode, resp.Header.Get("Location"), want)
		}
	}
	// A change without a session changes nothing and also goes to sign in.
	resp, _ := b.do("POST", "/inbox/"+conv+"/update", url.Values{"action": {"close"}}, nil)
	if resp.StatusCode != 303 || !strings.HasPrefix(resp.Header.Get("Location"), "/auth/login") {
		t.Errorf("POST signed out = %d %q; want 303 to sign in", resp.StatusCode, resp.Header.Get("Location"))
	}
	b.mustLogin("admin@localhost", adminPassword)
	if resp, raw := b.do("GET", "/inbox?filter=open", nil, nil); resp.StatusCode != 200 || !strings.Contains(string(raw), "is anyone there?") {
		t.Fatalf("inbox signed in = %d %s", resp.StatusCode, raw)
	}
}

// wantSecureHeaders checks the headers every console and sign-in answer
// carries.
func wantSecureHeaders(t *testing.T, what string, h http.Header) {
	t.Helper()
	csp := h.Get("Content-Security-Policy")
	if strings.Contains(csp, "script-src") && !strings.Contains(csp, "script-src 'self';") {
		t.Errorf("%s: Content-Security-Policy %q allows scripts from elsewhere than humd", what, csp)
	}
	for _, part := range []string{"frame-ancestors 'none'", "default-src 'none'", "base-uri 'none'"} {
		if !strings.Contains(csp, part) {
			t.Errorf("%s: Content-Security-Policy %q lacks %s", what, csp, part)
		}
	}
	if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
		t.Errorf("%s: Content-Security-Policy %q allows inline or eval", what, csp)
	}
	if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("X-Frame-Options") != "DENY" || h.Get("Referrer-Policy") == "" {
		t.Errorf("%s: X-Content-Type-Options %q, X-Frame-Options %q, Referrer-Policy %q", what,
			h.Get("X-Content-Type-Options"), h.Get("X-Frame-Options"), h.Get("Referrer-Policy"))
	}
}

// Every console route (pages, actions, assets, the stream), signed in or
// out, and the sign-in page carry the CSP and the usual headers.
func TestConsoleSecurityHeadersOnEveryPage(t *testing.T) {
	s, conv := consoleThread(t)
	out := newBrowser(t, s)
	in := newBrowser(t, s)
	in.mustLogin("admin@localhost", adminPassword)
	resp, _ := out.do("GET", "/auth/login", nil, nil)
	wantSecureHeaders(t, "GET /auth/login", resp.Header)
	n := 0
	for _, r := range s.App.HTTP.Routes() {
		if r.Tag != "Console" {
			continue
		}
		n++
		path := strings.ReplaceAll(r.Path, "{id}", conv)
		path = strings.ReplaceAll(path, "{name}", "htmx.min.js")
		for who, b := range map[string]*browser{"signed out": out, "signed in": in} {
			var body any
			if r.Method == "POST" {
				body = url.Values{}
			}
			if r.Stream {
				req, _ := http.NewRequest("GET", s.URL+path, nil)
				resp, err := b.c.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				wantSecureHeaders(t, who+" "+r.Method+" "+path, resp.Header)
				resp.Body.Close()
				continue
			}
			resp, _ := b.do(r.Method, path, body, nil)
			wantSecureHeaders(t, who+" "+r.Method+" "+path, resp.Header)
		}
	}
	if n < 15 {
		t.Fatalf("found %d console routes; want them all", n)
	}
	// A missing page and a missing asset too.
	resp, _ = in.do("GET", "/inbox/conv_nope", nil, nil)
	if resp.StatusCode != 404 {
		t.Errorf("a missing thread = %d; want 404", resp.StatusCode)
	}
	wantSecureHeaders(t, "missing thread", resp.Header)
	resp, _ = in.do("GET", "/console/js/nope.js", nil, nil)
	wantSecureHeaders(t, "missing asset", resp.Header)
}

// consoleCSRF reads the session's CSRF token off a page, as htmx sends it.
func consoleCSRF(t *testing.T, b *browser, path string) string {
	t.Helper()
	_, raw := b.do("GET", path, nil, nil)
	m := regexp.MustCompile(`name="csrf_token" value="([^"]+)"`).FindSubmatch(raw)
	if m == nil {
		t.Fatalf("%s has no csrf_token: %s", path, raw)
	}
	return string(m[1])
}

// A console change without the session's CSRF token changes nothing.
func TestConsoleChangesNeedCSRF(t *testing.T) {
	s, conv := consoleThread(t)
	b := newBrowser(t, s)
	b.mustLogin("admin@localhost", adminPassword)
	status := func() string {
		return s.JSON("GET", "/api/sms/conversations/"+conv, adminKey, nil, 200)["status"].(string)
	}
	for name, hdr := range map[string]map[string]string{"no token": nil, "a wrong token": {"X-CSRF-Token": "forged"}} {
		resp, raw := b.do("POST", "/inbox/"+conv+"/update", url.Values{"action": {"close"}}, hdr)
		if resp.StatusCode != 403 || !strings.Contains(string(raw), "reload it") {
			t.Errorf("close with %s = %d %s; want 403", name, resp.StatusCode, raw)
		}
	}
	if got := status(); got != "open" {
		t.Fatalf("a refused close left the thread %s", got)
	}
	tok := consoleCSRF(t, b, "/inbox/"+conv)
	if resp, raw := b.do("POST", "/inbox/"+conv+"/update", url.Values{"action": {"close"}, "csrf_token": {tok}}, nil); resp.StatusCode != 200 {
		t.Fatalf("close with the form's token = %d %s", resp.StatusCode, raw)
	}
	if got := status(); got != "closed" {
		t.Fatalf("thread = %s after close; want closed", got)
	}
	if resp, raw := b.do("POST", "/inbox/"+conv+"/update", url.Values{"action": {"reopen"}}, map[string]string{"X-CSRF-Token": tok}); resp.StatusCode != 200 {
		t.Fatalf("reopen with htmx's header = %d %s", resp.StatusCode, raw)
	}
	if got := status(); got != "open" {
		t.Fatalf("thread = %s after reopen; want open", got)
	}
}

// A viewer's page has no composer and no thread actions, and the service
// refuses a viewer's send even when the form is posted by hand.
func TestConsoleViewerSeesNoComposer(t *testing.T) {
	s, conv := consoleThread(t)
	addUser(t, s, "viewer@example.com", tenancy.Viewer, "viewer password")
	org := s.OrgID()
	v := newBrowser(t, s)
	v.mustLogin("viewer@example.com", "viewer password")
	tok := consoleCSRF(t, v, "/")
	if resp, raw := v.do("POST", "/console/org", url.Values{"org_id": {org}, "csrf_token": {tok}}, nil); resp.StatusCode != 303 {
		t.Fatalf("switch org = %d %s", resp.StatusCode, raw)
	}
	_, raw := v.do("GET", "/inbox/"+conv, nil, nil)
	page := string(raw)
	if !strings.Contains(page, "is anyone there?") {
		t.Fatalf("viewer's thread page lacks the text: %s", page)
	}
	for _, hidden := range []string{`id="composer-body"`, `value="close"`, `value="assign_me"`, `value="pause_ai"`} {
		if strings.Contains(page, hidden) {
			t.Errorf("viewer's thread page shows %s", hidden)
		}
	}
	resp, raw := v.do("POST", "/inbox/"+conv+"/send", url.Values{"body": {"from a viewer"}, "action": {"send"}, "csrf_token": {tok}}, nil)
	if resp.StatusCode != 403 {
		t.Fatalf("viewer send = %d %s; want 403", resp.StatusCode, raw)
	}
	for _, m := range s.Messages(conv) {
		if m["body"] == "from a viewer" {
			t.Fatalf("a viewer's send was stored: %v", m)
		}
	}
	// The admin's page has them.
	a := newBrowser(t, s)
	a.mustLogin("admin@localhost", adminPassword)
	if _, raw := a.do("GET", "/inbox/"+conv, nil, nil); !strings.Contains(string(raw), `id="composer-body"`) {
		t.Errorf("admin's thread page has no composer")
	}
}

// The sign-in forms need their page's token: a forged sign-in from another
// site (login CSRF) starts no session.
func TestLoginFormNeedsItsToken(t *testing.T) {
	s := startWithPassword(t, app.Config{})
	form := url.Values{"email": {"admin@localhost"}, "password": {adminPassword}, "login_csrf": {""}}
	b := newBrowser(t, s)
	resp, raw := b.do("POST", "/auth/login", form, nil)
	if resp.StatusCode != 403 || b.cookie("humd_session") != "" {
		t.Fatalf("sign-in without the form's token = %d (session %q) %s; want 403 and no session", resp.StatusCode, b.cookie("humd_session"), raw)
	}
	// Another browser's token (the attacker's own page) does not fit this
	// browser's cookie.
	form.Set("login_csrf", newBrowser(t, s).loginCSRF())
	if resp, _ := b.do("POST", "/auth/login", form, nil); resp.StatusCode != 403 || b.cookie("humd_session") != "" {
		t.Fatalf("sign-in with another browser's token = %d; want 403", resp.StatusCode)
	}
	// A forged signature is refused even when cookie and field agree.
	forged := "AAAA.BBBB"
	jar := b.jar
	u, _ := url.Parse(s.URL + "/auth")
	jar.SetCookies(u, []*http.Cookie{{Name: "humd_login", Value: forged, Path: "/auth"}})
	form.Set("login_csrf", forged)
	if resp, _ := b.do("POST", "/auth/login", form, nil); resp.StatusCode != 403 {
		t.Fatalf("sign-in with a forged token = %d; want 403", resp.StatusCode)
	}
	form.Del("login_csrf")
	b.mustLogin("admin@localhost", adminPassword)
}

// The sign-in limit per address counts the TCP peer: a client that sends
// a new X-Forwarded-For with every try is still one address (humd has no
// trusted-proxy setting, so it believes no such header).
func TestSignInLimitIgnoresForwardedFor(t *testing.T) {
	s := startWithPassword(t, app.Config{})
	b := newBrowser(t, s)
	for i := 0; i < 20; i++ {
		form := url.Values{"email": {fmt.Sprintf("nobody%d@example.com", i)}, "password": {"whatever1"}}
		hdr := map[string]string{"X-Forwarded-For": fmt.Sprintf("203.0.113.%d", i+1), "X-Real-IP": fmt.Sprintf("198.51.100.%d", i+1)}
		if resp, _ := b.do("POST", "/auth/login", form, hdr); resp.StatusCode != 401 {
			t.Fatalf("attempt %d = %d; want 401", i+1, resp.StatusCode)
		}
	}
	form := url.Values{"email": {"admin@localhost"}, "password": {adminPassword}}
	if resp, _ := b.do("POST", "/auth/login", form, map[string]string{"X-Forwarded-For": "192.0.2.77"}); resp.StatusCode != 429 {
		t.Fatalf("21st attempt from one peer with a new X-Forwarded-For = %d; want 429", resp.StatusCode)
	}
}

// /mcp takes API keys only: a signed-in browser, CSRF token and all, cannot
// drive the MCP tools.
func TestMCPRefusesBrowserSessions(t *testing.T) {
	s := startWithPassword(t, app.Config{})
	b := newBrowser(t, s)
	b.mustLogin("admin@localhost", adminPassword)
	init := map[string]any{"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": map[string]any{
		"protocolVersion": "2025-06-18", "capabilities": map[string]any{}, "clientInfo": map[string]any{"name": "t", "version": "1"}}}
	hdr := map[string]string{"X-CSRF-Token": b.cookie("humd_csrf"), "Accept": "application/json, text/event-stream"}
	resp, raw := b.do("POST", "/mcp", init, hdr)
	if resp.StatusCode != 401 || bodyCode(raw) != "api_key_required" {
		t.Fatalf("POST /mcp with a session = %d %s; want 401 api_key_required", resp.StatusCode, raw)
	}
	hdr["Authorization"] = "Bearer " + adminKey
	if resp, raw := b.do("POST", "/mcp", init, hdr); resp.StatusCode != 200 {
		t.Fatalf("POST /mcp with a key = %d %s; want 200", resp.StatusCode, raw)
	}
}

// Every console route, signed in, with garbage forms and queries, answers
// below 500 (rule 3 for the pages).
func TestConsoleBadInputIsNever5xx(t *testing.T) {
	s, conv := consoleThread(t)
	b := newBrowser(t, s)
	b.mustLogin("admin@localhost", adminPassword)
	tok := consoleCSRF(t, b, "/")
	forms := []url.Values{{}, {"action": {"nope"}, "body": {strings.Repeat("x", 2000)}, "send_at": {"never"}, "snooze_for": {"-1h"},
		"assignee_user_id": {"user_nope"}, "decision": {"maybe"}, "tag": {strings.Repeat("t", 300)}, "org_id": {"org_nope"},
		"from": {""}, "to": {"x"}}, {"action": {"schedule"}, "send_at": {"2020-01-01T00:00"}, "body": {"hi"}},
		{"action": {"snooze"}, "snooze_for": {"1h"}}, {"action": {"assign"}, "assignee_user_id": {"\x00"}}}
	n := 0
	for _, r := range s.App.HTTP.Routes() {
		if r.Tag != "Console" || r.Stream {
			continue
		}
		for _, id := range []string{conv, "x_1", "%00"} {
			path := strings.NewReplacer("{id}", id, "{name}", "x.js").Replace(r.Path)
			for _, q := range []string{"", "?filter=bogus&cursor=%25ZZ&q=%00&direction=up&from=x&to=y"} {
				if r.Method == "GET" {
					resp, raw := b.do("GET", path+q, nil, nil)
					n++
					if resp.StatusCode >= 500 {
						t.Errorf("GET %s%s = %d %.200s", path, q, resp.StatusCode, raw)
					}
					continue
				}
				for _, f := range forms {
					f = url.Values(maps.Clone(f))
					f.Set("csrf_token", tok)
					resp, raw := b.do("POST", path+q, f, nil)
					n++
					if resp.StatusCode >= 500 {
						t.Errorf("POST %s%s %v = %d %.200s", path, q, f, resp.StatusCode, raw)
					}
				}
			}
		}
	}
	if n < 100 {
		t.Fatalf("only %d requests", n)
	}
}
