package consolebrowser_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/humd/humd/app"
	"github.com/humd/humd/app/apptest"
	"github.com/humd/humd/storage/tenancy"
)

// addMember invites email with role and has them accept with a password,
// as a first sign-in would.
func addMember(t *testing.T, s *apptest.Server, email, name, password string, role tenancy.Role) {
	t.Helper()
	s.JSON("POST", "/api/team/invites", adminKey, map[string]any{"email": email, "role": role}, 201)
	ten := &tenancy.Repo{Store: s.App.Store}
	u, err := ten.SignInVerified(email, name)
	if err != nil {
		t.Fatal(err)
	}
	if err := ten.SetPassword(u.ID, password); err != nil {
		t.Fatal(err)
	}
}

// An admin invites someone with a role, changes a member's role, and makes
// a scoped API key whose secret is shown once: it works within its scope
// and not beyond, a reload no longer shows it, and revoking it stops it.
func TestBrowserTeamInviteAndScopedKey(t *testing.T) {
	s := serve(t, app.Config{})
	addMember(t, s, "omar@example.com", "Omar", "omar's password", tenancy.Viewer)
	u := newUser(t, s)
	u.open("/team")
	u.signIn(adminEmail, adminPassword)
	u.waitText("//h1", "Team and access")

	u.typeInto("Email to invite", "nina@example.com")
	u.do("pick the role", chromedpSetSelect("inv-role", "operator"))
	u.click(button, "Invite")
	u.waitText(`//table[@aria-label="Invites"]`, "nina@example.com")
	team := s.JSON("GET", "/api/team", adminKey, nil, 200)
	if inv := team["invites"].([]any); len(inv) != 1 || inv[0].(map[string]any)["role"] != "operator" {
		t.Fatalf("invites = %v; want nina as operator", inv)
	}

	u.do("pick Omar's role", chromedpSetSelect("role-"+memberID(t, s, "omar@example.com"), "operator"))
	u.click(button, "Change role of omar@example.com")
	u.waitText(`//p[@role="status"]`, "omar@example.com is now operator")
	if got := memberRole(t, s, "omar@example.com"); got != "operator" {
		t.Fatalf("omar's role = %s; want operator", got)
	}

	u.typeInto("Key name", "Inbox reader")
	u.do("pick the key's role", chromedpSetSelect("key-role", "operator"))
	u.do("scope sms read", chromedpSetSelect("scope-sms", "read"))
	u.click(button, "Make key")
	u.waitText(`//section[@aria-label="Shown once"]`, "The key Inbox reader")
	key := eval[string](u, `document.getElementById("secret-once").value`)
	if key == "" {
		t.Fatal("no key shown")
	}
	u.waitText(`//table[@aria-label="API keys"]`, "sms:read")
	if code, body := s.Do("GET", "/api/sms/conversations", key, nil); code != 200 {
		t.Fatalf("the key reading SMS = %d %s", code, body)
	}
	if code, _ := s.Do("GET", "/api/calls", key, nil); code != 403 {
		t.Fatalf("the sms:read key reading calls = %d; want 403", code)
	}

	u.open("/team")
	u.waitText(`//table[@aria-label="API keys"]`, "Inbox reader")
	if eval[bool](u, fmt.Sprintf(`document.documentElement.outerHTML.includes(%q)`, key)) {
		t.Fatal("the key's secret is on the page after a reload")
	}
	u.absent("textbox", "API key secret")
	u.screenshot("team")

	u.click(button, "Revoke Inbox reader")
	u.waitText(`//p[@role="status"]`, "Key Inbox reader revoked")
	if code, _ := s.Do("GET", "/api/sms/conversations", key, nil); code != 401 {
		t.Fatalf("the revoked key = %d; want 401", code)
	}
}

// A viewer sees the settings read only, no team or integration controls;
// and the server refuses their writes, not only the page: each post below
// carries the viewer's own cookie and CSRF token, is answered 403, and
// changes nothing.
func TestBrowserViewerCannotConfigure(t *testing.T) {
	s := serve(t, app.Config{AllowPrivateWebhooks: true})
	addMember(t, s, "vera@example.com", "Vera", "vera's password", tenancy.Viewer)
	before := s.JSON("GET", "/api/org", adminKey, nil, 200)

	v := newUser(t, s)
	v.open("/settings")
	v.signIn("vera@example.com", "vera's password")
	v.waitText("//h1", "Settings")
	v.waitText(`//p[@role="status"]`, "Read only")
	v.absent("button", "Save settings")
	if !eval[bool](v, `Array.from(document.querySelectorAll("form.settings fieldset")).every(f => f.disabled)`) {
		t.Fatal("the viewer's settings form is not read only")
	}
	if got := eval[string](v, `document.getElementById("org-name").value`); got != before["name"] {
		t.Fatalf("org name shown = %q; want %v", got, before["name"])
	}
	v.open("/team")
	v.waitText(`//table[@aria-label="Members"]`, "vera@example.com")
	v.absent("button", "Invite")
	v.absent("button", "Make key")
	v.open("/integrations")
	v.waitText("//h1", "Integrations")
	v.absent("button", "Add endpoint")

	for _, w := range []struct{ path, body string }{
		{"/settings", "name=Taken+over&timezone=UTC&help_text=x&stop_text=x&start_text=x&always_open=on"},
		{"/team/invites", "email=mallory%40example.com&role=admin"},
		{"/team/keys", "name=Backdoor&role=viewer"},
		{"/integrations/webhooks", "url=http%3A%2F%2F127.0.0.1%3A9%2Fx&events=*"},
	} {
		status, text := viewerPost(v, w.path, w.body)
		if status != 403 || !strings.Contains(text, "does not allow") {
			t.Errorf("viewer POST %s = %d; want 403 (role refused)", w.path, status)
		}
	}
	after := s.JSON("GET", "/api/org", adminKey, nil, 200)
	for _, f := range []string{"name", "timezone", "help_text", "business_hours_json"} {
		if fmt.Sprint(after[f]) != fmt.Sprint(before[f]) {
			t.Errorf("org %s changed: %v -> %v", f, before[f], after[f])
		}
	}
	if inv := s.JSON("GET", "/api/team", adminKey, nil, 200)["invites"].([]any); len(inv) != 0 {
		t.Errorf("invites after the viewer's post: %v", inv)
	}
	if keys := s.JSON("GET", "/api/api-keys", adminKey, nil, 200)["data"].([]any); len(keys) != 1 {
		t.Errorf("keys after the viewer's post: %d; want only the admin's", len(keys))
	}
	if hooks := s.JSON("GET", "/api/webhooks", adminKey, nil, 200)["data"].([]any); len(hooks) != 0 {
		t.Errorf("webhooks after the viewer's post: %v", hooks)
	}
	v.open("/billing")
	v.waitText("//main", "does not allow")
}

// viewerPost posts a form from the page, as the page's own forms would:
// the session cookie and the page's CSRF token. It answers the status and
// the answer's text.
func viewerPost(u *user, path, body string) (int, string) {
	u.t.Helper()
	res := eval[[]any](u, fmt.Sprintf(`(() => {
  const token = JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRF-Token"];
  const x = new XMLHttpRequest();
  x.open("POST", %q, false);
  x.setRequestHeader("Content-Type", "application/x-www-form-urlencoded");
  x.send("csrf_token=" + encodeURIComponent(token) + "&" + %q);
  return [x.status, x.responseText];
})()`, path, body))
	return int(res[0].(float64)), res[1].(string)
}

func memberID(t *testing.T, s *apptest.Server, email string) string {
	t.Helper()
	for _, m := range s.JSON("GET", "/api/team", adminKey, nil, 200)["members"].([]any) {
		if mm := m.(map[string]any); mm["email"] == email {
			return mm["user_id"].(string)
		}
	}
	t.Fatalf("no member %s", email)
	return ""
}

func memberRole(t *testing.T, s *apptest.Server, email string) string {
	t.Helper()
	for _, m := range s.JSON("GET", "/api/team", adminKey, nil, 200)["members"].([]any) {
		if mm := m.(map[string]any); mm["email"] == email {
			return mm["role"].(string)
		}
	}
	t.Fatalf("no member %s", email)
	return ""
}
