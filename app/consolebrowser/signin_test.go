package consolebrowser_test

import (
	"net/url"
	"testing"

	"github.com/oauth2-proxy/mockoidc"

	"github.com/humd/humd/app"
)

// A signed-out browser asking for a page signs in with a password and
// lands on that page.
func TestBrowserPasswordSignIn(t *testing.T) {
	s := serve(t, app.Config{})
	u := newUser(t, s)
	u.open("/inbox?filter=closed")
	u.waitText("//h1", "Sign in")
	if loc := pathOf(s, u.location()); loc != "/auth/login?return_to="+url.QueryEscape("/inbox?filter=closed") {
		t.Fatalf("signed out, the inbox sent the browser to %s", loc)
	}
	u.signIn(adminEmail, "not the password")
	u.waitText(`//*[@role="alert"]`, "Wrong email or password")
	u.signIn(adminEmail, adminPassword)
	u.waitText("//h1", "Inbox")
	if loc := pathOf(s, u.location()); loc != "/inbox?filter=closed" {
		t.Fatalf("after sign-in the browser is at %s; want the page it asked for", loc)
	}
	u.click(button, "Sign out")
	u.waitText("//h1", "Sign in")
	u.open("/")
	u.waitText("//h1", "Sign in")
}

// Single sign-on through a real OpenID provider on loopback (mockoidc):
// an invited person signs in with the provider and sees the org's console.
func TestBrowserOIDCSignIn(t *testing.T) {
	m, err := mockoidc.Run()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Shutdown() })
	cfg := m.Config()
	s := serve(t, app.Config{OIDCIssuer: cfg.Issuer, OIDCClientID: cfg.ClientID, OIDCClientSecret: cfg.ClientSecret})
	prev := mockoidc.NowFunc
	mockoidc.NowFunc = s.Clock.Now
	t.Cleanup(func() { mockoidc.NowFunc = prev })
	s.JSON("POST", "/api/team/invites", adminKey, map[string]any{"email": "jane@example.com", "role": "operator", "confirm": true}, 201)
	m.QueueUser(&mockoidc.MockUser{Subject: "jane-1", Email: "jane@example.com", EmailVerified: true})

	u := newUser(t, s)
	u.open("/approvals")
	u.click(link, "Sign in with single sign-on")
	u.waitText("//h1", "Approvals")
	if loc := pathOf(s, u.location()); loc != "/approvals" {
		t.Fatalf("after single sign-on the browser is at %s; want /approvals", loc)
	}
	u.waitText("//header", "jane@example.com")
	u.waitText("//header", "operator")
}
