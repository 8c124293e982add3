package app_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/humd/humd/app"
	"github.com/humd/humd/app/apptest"
)

func TestSignInPasswordAndLogout(t *testing.T) {
	s := startWithPassword(t, app.Config{})
	b := newBrowser(t, s)
	resp, raw := b.do("GET", "/auth/login", nil, nil)
	if resp.StatusCode != 200 || !strings.Contains(string(raw), `<label for="email">Email</label>`) ||
		!strings.Contains(string(raw), `<label for="password">Password</label>`) || !strings.Contains(string(raw), ">Sign in</button>") {
		t.Fatalf("GET /auth/login = %d %s; want the labelled form", resp.StatusCode, raw)
	}
	if resp, raw := b.login("admin@localhost", "wrong password", ""); resp.StatusCode != 401 || !strings.Contains(string(raw), "Wrong email or password") {
		t.Fatalf("wrong password = %d %s; want 401 with the form again", resp.StatusCode, raw)
	}
	if b.cookie("humd_session") != "" {
		t.Fatalf("a refused sign-in set a session cookie")
	}
	resp, _ = b.login("ADMIN@localhost", adminPassword, "")
	if resp.StatusCode != 303 || resp.Header.Get("Location") != "/" {
		t.Fatalf("login = %d Location %q; want 303 to /", resp.StatusCode, resp.Header.Get("Location"))
	}
	var session *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == "humd_session" {
			session = c
		}
	}
	if session == nil || !session.HttpOnly || session.SameSite != http.SameSiteLaxMode || session.Secure || session.Path != "/" {
		t.Fatalf("session cookie = %+v; want HttpOnly, SameSite=Lax, not Secure over http, Path=/", session)
	}
	me := b.json("GET", "/api/me", nil, 200)
	if dig(me, "user", "email") != "admin@localhost" || dig(me, "current_org", "role") != "admin" {
		t.Fatalf("GET /api/me with the session = %v", me)
	}
	// Sign-out needs the CSRF token too.
	if resp, raw := b.do("POST", "/auth/logout", nil, nil); resp.StatusCode != 403 || bodyCode(raw) != "csrf_failed" {
		t.Fatalf("logout without the CSRF token = %d %s; want 403 csrf_failed", resp.StatusCode, raw)
	}
	resp, raw = b.do("POST", "/auth/logout", url.Values{"csrf_token": {b.cookie("humd_csrf")}}, nil)
	if resp.StatusCode != 303 || resp.Header.Get("Location") != "/auth/login" {
		t.Fatalf("logout = %d %s; want 303 to /auth/login", resp.StatusCode, raw)
	}
	// The server forgot the session: the old cookie no longer works even if kept.
	old := newBrowser(t, s)
	u, _ := url.Parse(s.URL + "/")
	old.jar.SetCookies(u, []*http.Cookie{{Name: "humd_session", Value: session.Value}})
	if resp, _ := old.do("GET", "/api/me", nil, nil); resp.StatusCode != 401 {
		t.Fatalf("GET /api/me after logout = %d; want 401", resp.StatusCode)
	}
}

func TestSignInReturnTo(t *testing.T) {
	s := startWithPassword(t, app.Config{})
	b := newBrowser(t, s)
	resp, _ := b.login("admin@localhost", adminPassword, "/inbox?filter=mine")
	if resp.StatusCode != 303 || resp.Header.Get("Location") != "/inbox?filter=mine" {
		t.Fatalf("login with return_to = %d Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	for _, bad := range []string{"https://evil.example/", "//evil.example/x", "/\\evil.example", "evil", "javascript:alert(1)", "http:/evil"} {
		b := newBrowser(t, s)
		resp, raw := b.login("admin@localhost", adminPassword, bad)
		if resp.StatusCode != 422 || resp.Header.Get("Location") != "" || b.cookie("humd_session") != "" {
			t.Errorf("login return_to=%q = %d %s Location %q; want 422 and no session", bad, resp.StatusCode, raw, resp.Header.Get("Location"))
		}
		if resp, _ := b.do("GET", "/auth/login?return_to="+url.QueryEscape(bad), nil, nil); resp.StatusCode != 422 {
			t.Errorf("GET /auth/login?return_to=%q = %d; want 422", bad, resp.StatusCode)
		}
	}
}

func TestSignInRateLimit(t *testing.T) {
	s := startWithPassword(t, app.Config{})
	b := newBrowser(t, s)
	for i := 0; i < 5; i++ {
		if resp, _ := b.login("admin@localhost", "wrong password", ""); resp.StatusCode != 401 {
			t.Fatalf("attempt %d = %d; want 401", i+1, resp.StatusCode)
		}
	}
	// The account is out of attempts, even with the right password.
	resp, raw := b.login("admin@localhost", adminPassword, "")
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") == "" || bodyCode(raw) != "rate_limited" {
		t.Fatalf("6th attempt = %d %s Retry-After %q; want 429 rate_limited with Retry-After", resp.StatusCode, raw, resp.Header.Get("Retry-After"))
	}
	s.Clock.Advance(3 * time.Minute)
	b.mustLogin("admin@localhost", adminPassword)
	// The address has 20 attempts whatever the account.
	s2 := startWithPassword(t, app.Config{})
	b2 := newBrowser(t, s2)
	for i := 0; i < 20; i++ {
		if resp, _ := b2.login("nobody"+string(rune('a'+i))+"@example.com", "whatever1", ""); resp.StatusCode != 401 {
			t.Fatalf("address attempt %d = %d; want 401", i+1, resp.StatusCode)
		}
	}
	if resp, _ := b2.login("admin@localhost", adminPassword, ""); resp.StatusCode != 429 {
		t.Fatalf("21st attempt from one address = %d; want 429", resp.StatusCode)
	}
}

func TestSessionCSRF(t *testing.T) {
	s := startWithPassword(t, app.Config{})
	b := newBrowser(t, s)
	b.mustLogin("admin@localhost", adminPassword)
	patch := map[string]any{"name": "Renamed by the console"}
	resp, raw := b.do("PATCH", "/api/org", patch, nil)
	if resp.StatusCode != 403 || bodyCode(raw) != "csrf_failed" {
		t.Fatalf("PATCH /api/org without X-CSRF-Token = %d %s; want 403 csrf_failed", resp.StatusCode, raw)
	}
	if resp, raw := b.do("PATCH", "/api/org", patch, map[string]string{"X-CSRF-Token": "not-the-token"}); resp.StatusCode != 403 || bodyCode(raw) != "csrf_failed" {
		t.Fatalf("PATCH /api/org with a wrong token = %d %s; want 403 csrf_failed", resp.StatusCode, raw)
	}
	if got := s.JSON("GET", "/api/org", adminKey, nil, 200)["name"]; got == patch["name"] {
		t.Fatalf("a refused request changed the org")
	}
	// GET /auth/session hands the token to pages that do not read cookies.
	sess := b.json("GET", "/auth/session", nil, 200)
	if sess["csrf_token"] != b.cookie("humd_csrf") || sess["method"] != "password" {
		t.Fatalf("GET /auth/session = %v", sess)
	}
	if got := b.json("PATCH", "/api/org", patch, 200)["name"]; got != patch["name"] {
		t.Fatalf("PATCH /api/org with the token answered name %v", got)
	}
	// API keys need no CSRF token, with or without a cookie beside them.
	resp, raw = b.do("PATCH", "/api/org", map[string]any{"name": "By key"}, map[string]string{"Authorization": "Bearer " + adminKey})
	if resp.StatusCode != 200 {
		t.Fatalf("PATCH /api/org with a key = %d %s; want 200", resp.StatusCode, raw)
	}
}

func TestSessionViewerCannotSend(t *testing.T) {
	s := startWithPassword(t, app.Config{})
	org := s.JSON("GET", "/api/org", adminKey, nil, 200)["id"].(string)
	addUser(t, s, "viewer@example.com", "viewer", "viewer password")
	addUser(t, s, "operator@example.com", "operator", "operator password")
	viewerKey, _ := newKey(t, s, map[string]any{"name": "v", "role": "viewer"})
	body := map[string]any{"body": "hello"}
	byKey := s.JSON("POST", sendPath, viewerKey, body, 403)

	viewer := newBrowser(t, s)
	viewer.mustLogin("viewer@example.com", "viewer password")
	if me := viewer.json("POST", "/api/me/current-org", map[string]any{"org_id": org}, 200); dig(me, "current_org", "role") != "viewer" {
		t.Fatalf("switch to the bootstrap org = %v", me)
	}
	bySession := viewer.json("POST", sendPath, body, 403)
	if dig(bySession, "error", "code") != dig(byKey, "error", "code") {
		t.Fatalf("viewer session send = %v; viewer key = %v; want the same refusal", bySession, byKey)
	}
	viewer.json("GET", "/api/sms/conversations", nil, 200)

	operator := newBrowser(t, s)
	operator.mustLogin("operator@example.com", "operator password")
	operator.json("POST", "/api/me/current-org", map[string]any{"org_id": org}, 200)
	operator.json("POST", sendPath, body, 404) // past the role check; the thread does not exist
	// A session cannot switch into an org its user does not belong to.
	other := s.JSON("POST", "/api/admin/orgs", adminKey, map[string]any{"name": "Elsewhere", "confirm": true}, 201)["org_id"]
	if res := operator.json("POST", "/api/me/current-org", map[string]any{"org_id": other}, 422); dig(res, "error", "code") != "validation_failed" {
		t.Fatalf("switch to a foreign org = %v", res)
	}
}

// A text sent from a browser session is the signed-in user's: the author
// names the user (a session has no API key), and the per-thread send cap
// counts the user's sends.
func TestSessionSendNamesTheUser(t *testing.T) {
	s := startWithPassword(t, app.Config{})
	org := s.JSON("GET", "/api/org", adminKey, nil, 200)["id"].(string)
	n := s.AddNumber(ourNumber, 10)
	addUser(t, s, "operator@example.com", "operator", "operator password")
	operator := newBrowser(t, s)
	operator.mustLogin("operator@example.com", "operator password")
	operator.json("POST", "/api/me/current-org", map[string]any{"org_id": org}, 200)
	user := dig(operator.json("GET", "/api/me", nil, 200), "user", "id")
	conv := operator.json("POST", "/api/sms/conversations", map[string]any{"twilio_number_id": n.ID, "contact_e164": contact}, 201)["id"].(string)
	sent := operator.json("POST", "/api/sms/conversations/"+conv+"/messages", map[string]any{"body": "hello from the console"}, 201)
	if a := dig(sent, "message", "author"); a == nil || dig(sent, "message", "author", "type") != "user" || dig(sent, "message", "author", "id") != user || user == nil {
		t.Fatalf("author of a session's text = %v; want the user %v", a, user)
	}
}

func TestSessionIdleExpiry(t *testing.T) {
	s := startWithPassword(t, app.Config{SessionIdle: time.Hour, SessionMaxAge: 4 * time.Hour})
	b := newBrowser(t, s)
	b.mustLogin("admin@localhost", adminPassword)
	for i := 0; i < 3; i++ { // each use keeps it alive
		s.Clock.Advance(50 * time.Minute)
		b.json("GET", "/api/me", nil, 200)
	}
	s.Clock.Advance(61 * time.Minute)
	if resp, _ := b.do("GET", "/api/me", nil, nil); resp.StatusCode != 401 {
		t.Fatalf("GET /api/me after 61 idle minutes = %d; want 401", resp.StatusCode)
	}
	// In use or not, a session ends at its maximum age.
	b2 := newBrowser(t, s)
	b2.mustLogin("admin@localhost", adminPassword)
	for i := 0; i < 4; i++ {
		s.Clock.Advance(50 * time.Minute)
		b2.json("GET", "/api/me", nil, 200)
	}
	s.Clock.Advance(41 * time.Minute)
	if resp, _ := b2.do("GET", "/api/me", nil, nil); resp.StatusCode != 401 {
		t.Fatalf("GET /api/me past the maximum age = %d; want 401", resp.StatusCode)
	}
}

func TestSessionsRevokedOnPasswordChange(t *testing.T) {
	s := startWithPassword(t, app.Config{})
	laptop, phone := newBrowser(t, s), newBrowser(t, s)
	laptop.mustLogin("admin@localhost", adminPassword)
	phone.mustLogin("admin@localhost", adminPassword)
	res := laptop.json("POST", "/api/me/password", map[string]any{"current_password": "not it", "new_password": "a new long secret"}, 422)
	if dig(res, "error", "details", "fields", "current_password") == nil {
		t.Fatalf("wrong current password = %v", res)
	}
	laptop.json("POST", "/api/me/password", map[string]any{"current_password": adminPassword, "new_password": "a new long secret"}, 204)
	if resp, _ := phone.do("GET", "/api/me", nil, nil); resp.StatusCode != 401 {
		t.Fatalf("the other browser after a password change = %d; want 401", resp.StatusCode)
	}
	laptop.json("GET", "/api/me", nil, 200) // the browser that changed it got a new session
	if resp, _ := newBrowser(t, s).login("admin@localhost", adminPassword, ""); resp.StatusCode != 401 {
		t.Fatalf("the old password = %d; want 401", resp.StatusCode)
	}
	newBrowser(t, s).mustLogin("admin@localhost", "a new long secret")
}

func TestCreateOrgSelfService(t *testing.T) {
	s := startWithPassword(t, app.Config{})
	b := newBrowser(t, s)
	b.mustLogin("admin@localhost", adminPassword)
	created := b.json("POST", "/api/orgs", map[string]any{"name": "Side project"}, 201)
	me := b.json("POST", "/api/me/current-org", map[string]any{"org_id": created["id"]}, 200)
	if dig(me, "current_org", "name") != "Side project" || dig(me, "current_org", "role") != "admin" || len(me["orgs"].([]any)) != 2 {
		t.Fatalf("after creating and switching = %v", me)
	}
	if got := b.json("GET", "/api/org", nil, 200)["id"]; got != created["id"] {
		t.Fatalf("the session did not remember its org: GET /api/org = %v", got)
	}
	wantCode(t, s, "POST", "/api/orgs", adminKey, map[string]any{"name": "By key"}, 403, "session_required")
	b.json("POST", "/api/orgs", map[string]any{"name": ""}, 422)
}

func TestBootstrapSignInLink(t *testing.T) {
	s := apptest.Start(t, apptest.Options{})
	link := s.App.SignInURL
	if !strings.HasPrefix(link, s.PublicURL+"/auth/link?token=") {
		t.Fatalf("SignInURL = %q; want a one-time link", link)
	}
	path := strings.TrimPrefix(link, s.PublicURL)
	token, _ := url.ParseQuery(path[strings.Index(path, "?")+1:])
	b := newBrowser(t, s)
	// Fetching the link (a mail scanner, a preview) does not spend it.
	for i := 0; i < 2; i++ {
		if resp, raw := b.do("GET", path, nil, nil); resp.StatusCode != 200 || !strings.Contains(string(raw), ">Sign in</button>") {
			t.Fatalf("GET the link = %d %s", resp.StatusCode, raw)
		}
	}
	resp, raw := b.do("POST", "/auth/link", url.Values{"token": token["token"]}, nil)
	if resp.StatusCode != 303 {
		t.Fatalf("POST /auth/link = %d %s; want 303", resp.StatusCode, raw)
	}
	if me := b.json("GET", "/api/me", nil, 200); dig(me, "user", "email") != "admin@localhost" {
		t.Fatalf("GET /api/me through the link's session = %v", me)
	}
	again := newBrowser(t, s)
	if resp, _ := again.do("POST", "/auth/link", url.Values{"token": token["token"]}, nil); resp.StatusCode != 401 || again.cookie("humd_session") != "" {
		t.Fatalf("a used link = %d; want 401 and no session", resp.StatusCode)
	}
	// The admin has no password yet: password sign-in fails until one is set.
	if resp, _ := newBrowser(t, s).login("admin@localhost", "anything at all", ""); resp.StatusCode != 401 {
		t.Fatalf("password sign-in without a password = %d; want 401", resp.StatusCode)
	}
	b.json("POST", "/api/me/password", map[string]any{"new_password": "chosen at first sign-in"}, 204)
	newBrowser(t, s).mustLogin("admin@localhost", "chosen at first sign-in")
}

func TestBootstrapPassword(t *testing.T) {
	s := startWithPassword(t, app.Config{})
	if s.App.SignInURL != "" {
		t.Errorf("SignInURL = %q with HUMD_ADMIN_PASSWORD set; want none", s.App.SignInURL)
	}
	newBrowser(t, s).mustLogin("admin@localhost", adminPassword)
}

func TestBootstrapLinkExpires(t *testing.T) {
	s := apptest.Start(t, apptest.Options{})
	path := strings.TrimPrefix(s.App.SignInURL, s.PublicURL)
	token, _ := url.ParseQuery(path[strings.Index(path, "?")+1:])
	s.Clock.Advance(25 * time.Hour)
	if resp, _ := newBrowser(t, s).do("POST", "/auth/link", url.Values{"token": token["token"]}, nil); resp.StatusCode != 401 {
		t.Fatalf("a link a day old = %d; want 401", resp.StatusCode)
	}
}
