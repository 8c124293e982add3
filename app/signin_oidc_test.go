package app_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/oauth2-proxy/mockoidc"

	"github.com/humd/humd/app"
	"github.com/humd/humd/app/apptest"
)

// startOIDC runs humd against mockoidc, a real OpenID provider on
// loopback, whose tokens follow humd's fake clock.
func startOIDC(t *testing.T) (*apptest.Server, *mockoidc.MockOIDC) {
	m, err := mockoidc.Run()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Shutdown() })
	cfg := m.Config()
	s := apptest.Start(t, apptest.Options{Config: app.Config{AdminPassword: adminPassword,
		OIDCIssuer: cfg.Issuer, OIDCClientID: cfg.ClientID, OIDCClientSecret: cfg.ClientSecret}})
	prev := mockoidc.NowFunc
	mockoidc.NowFunc = s.Clock.Now
	t.Cleanup(func() { mockoidc.NowFunc = prev })
	return s, m
}

// startSSO begins a sign-in and answers the provider's authorization URL.
func (b *browser) startSSO(returnTo string) *url.URL {
	b.t.Helper()
	resp, raw := b.do("GET", "/auth/oidc/start?return_to="+url.QueryEscape(returnTo), nil, nil)
	if resp.StatusCode != 302 {
		b.t.Fatalf("GET /auth/oidc/start = %d %s; want 302", resp.StatusCode, raw)
	}
	u, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		b.t.Fatal(err)
	}
	return u
}

// authorize visits the provider and answers the callback's query, which
// the provider addresses to humd's public URL.
func (b *browser) authorize(auth *url.URL) url.Values {
	b.t.Helper()
	resp, raw := b.do("GET", auth.String(), nil, nil)
	if resp.StatusCode != 302 {
		b.t.Fatalf("provider authorize = %d %s; want 302", resp.StatusCode, raw)
	}
	back, _ := url.Parse(resp.Header.Get("Location"))
	if back.Path != "/auth/oidc/callback" {
		b.t.Fatalf("provider sent the browser to %s", back)
	}
	return back.Query()
}

func (b *browser) callback(q url.Values) (*http.Response, []byte) {
	b.t.Helper()
	return b.do("GET", "/auth/oidc/callback?"+q.Encode(), nil, nil)
}

func TestOIDCSignInTurnsInviteIntoMembership(t *testing.T) {
	s, m := startOIDC(t)
	s.JSON("POST", "/api/team/invites", adminKey, map[string]any{"email": "jane@example.com", "role": "operator", "confirm": true}, 201)
	m.QueueUser(&mockoidc.MockUser{Subject: "jane-1", Email: "jane@example.com", EmailVerified: true})
	b := newBrowser(t, s)
	auth := b.startSSO("/inbox")
	q := auth.Query()
	if q.Get("code_challenge") == "" || q.Get("code_challenge_method") != "S256" || q.Get("nonce") == "" || q.Get("state") == "" {
		t.Fatalf("authorization request %v; want PKCE S256, a nonce and a state", q)
	}
	back := b.authorize(auth)
	// A state that is not the one this browser started is refused.
	forged := url.Values{"code": back["code"], "state": {"forged-" + back.Get("state")}}
	if resp, raw := b.callback(forged); resp.StatusCode != 403 || bodyCode(raw) != "oidc_state_invalid" {
		t.Fatalf("callback with a wrong state = %d %s; want 403 oidc_state_invalid", resp.StatusCode, raw)
	}
	// The refused callback cleared the browser's state cookie: start again.
	b = newBrowser(t, s)
	m.QueueUser(&mockoidc.MockUser{Subject: "jane-1", Email: "jane@example.com", EmailVerified: true})
	back = b.authorize(b.startSSO("/inbox"))
	// Another browser may not finish this browser's sign-in (login CSRF:
	// an attacker's code and state handed to a victim).
	if resp, raw := newBrowser(t, s).callback(back); resp.StatusCode != 403 || bodyCode(raw) != "oidc_state_invalid" {
		t.Fatalf("callback from another browser = %d %s; want 403 oidc_state_invalid", resp.StatusCode, raw)
	}
	resp, raw := b.callback(back)
	if resp.StatusCode != 303 || resp.Header.Get("Location") != "/inbox" {
		t.Fatalf("callback = %d %s Location %q; want 303 to /inbox", resp.StatusCode, raw, resp.Header.Get("Location"))
	}
	me := b.json("GET", "/api/me", nil, 200)
	if dig(me, "user", "email") != "jane@example.com" || dig(me, "current_org", "role") != "operator" {
		t.Fatalf("GET /api/me after SSO = %v", me)
	}
	team := s.JSON("GET", "/api/team", adminKey, nil, 200)
	if inv, _ := team["invites"].([]any); len(inv) != 0 {
		t.Errorf("the invite is still pending after the first sign-in: %v", team)
	}
	// The same answer again (a replay) is refused: the state was used.
	replay := newBrowser(t, s)
	u, _ := url.Parse(s.URL + "/auth/oidc")
	replay.jar.SetCookies(u, []*http.Cookie{{Name: "humd_oidc", Value: back.Get("state"), Path: "/auth/oidc"}})
	if resp, raw := replay.callback(back); resp.StatusCode != 403 || bodyCode(raw) != "oidc_state_invalid" {
		t.Fatalf("replayed callback = %d %s; want 403 oidc_state_invalid", resp.StatusCode, raw)
	}
}

func TestOIDCRefusals(t *testing.T) {
	s, m := startOIDC(t)
	signIn := func(u *mockoidc.MockUser) (int, string) {
		m.QueueUser(u)
		b := newBrowser(t, s)
		resp, raw := b.callback(b.authorize(b.startSSO("/")))
		if b.cookie("humd_session") != "" {
			t.Errorf("%s got a session", u.Email)
		}
		return resp.StatusCode, bodyCode(raw)
	}
	s.JSON("POST", "/api/team/invites", adminKey, map[string]any{"email": "unverified@example.com", "role": "viewer", "confirm": true}, 201)
	if st, code := signIn(&mockoidc.MockUser{Subject: "u1", Email: "unverified@example.com", EmailVerified: false}); st != 403 || code != "email_not_verified" {
		t.Errorf("unverified email = %d %s; want 403 email_not_verified", st, code)
	}
	if st, code := signIn(&mockoidc.MockUser{Subject: "u2", Email: "stranger@example.com", EmailVerified: true}); st != 403 || code != "no_account" {
		t.Errorf("uninvited email = %d %s; want 403 no_account", st, code)
	}
	// The existing admin signs in by verified email without an invite.
	m.QueueUser(&mockoidc.MockUser{Subject: "adm", Email: "admin@localhost", EmailVerified: true})
	b := newBrowser(t, s)
	if resp, raw := b.callback(b.authorize(b.startSSO("/"))); resp.StatusCode != 303 {
		t.Fatalf("admin by SSO = %d %s", resp.StatusCode, raw)
	}
}

// TestOIDCNonceChecked sends back an ID token minted for another sign-in's
// nonce: the PKCE challenge is this sign-in's, so the code exchange
// succeeds, and only the nonce check stands between the token and a
// session.
func TestOIDCNonceChecked(t *testing.T) {
	s, m := startOIDC(t)
	b := newBrowser(t, s)
	first := b.startSSO("/")
	second := b.startSSO("/") // the browser's state cookie is now the second's
	mixed := *first
	q := first.Query()
	q.Set("state", second.Query().Get("state"))
	q.Set("code_challenge", second.Query().Get("code_challenge"))
	mixed.RawQuery = q.Encode()
	m.QueueUser(&mockoidc.MockUser{Subject: "adm", Email: "admin@localhost", EmailVerified: true})
	resp, raw := b.callback(b.authorize(&mixed))
	if resp.StatusCode != 403 || bodyCode(raw) != "oidc_refused" || b.cookie("humd_session") != "" {
		t.Fatalf("ID token with another sign-in's nonce = %d %s; want 403 oidc_refused", resp.StatusCode, raw)
	}
}

func TestOIDCOffAnswers404(t *testing.T) {
	s := startWithPassword(t, app.Config{})
	b := newBrowser(t, s)
	if resp, _ := b.do("GET", "/auth/oidc/start", nil, nil); resp.StatusCode != 404 {
		t.Fatalf("GET /auth/oidc/start without OIDC = %d; want 404", resp.StatusCode)
	}
	if _, raw := b.do("GET", "/auth/login", nil, nil); strings.Contains(string(raw), "single sign-on") {
		t.Fatalf("the login page offers single sign-on when none is configured")
	}
}
