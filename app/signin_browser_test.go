package app_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/humd/humd/app"
	"github.com/humd/humd/app/apptest"
	"github.com/humd/humd/storage/tenancy"
)

const adminPassword = "correct horse battery"

// browser is a cookie-keeping HTTP client that does not follow redirects,
// as a browser would behave toward humd's sign-in pages.
type browser struct {
	t   *testing.T
	s   *apptest.Server
	jar *cookiejar.Jar
	c   *http.Client
}

func newBrowser(t *testing.T, s *apptest.Server) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, s: s, jar: jar, c: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// do sends a form (url.Values), a JSON body (anything else) or nothing.
func (b *browser) do(method, path string, body any, hdr map[string]string) (*http.Response, []byte) {
	b.t.Helper()
	var rd io.Reader
	ct := ""
	switch v := body.(type) {
	case nil:
	case url.Values:
		// The sign-in forms carry a token their page set (login CSRF),
		// as a browser that loaded the page would send.
		if method == "POST" && (path == "/auth/login" || path == "/auth/link") && !v.Has("login_csrf") {
			v.Set("login_csrf", b.loginCSRF())
		}
		rd, ct = strings.NewReader(v.Encode()), "application/x-www-form-urlencoded"
	default:
		raw, _ := json.Marshal(v)
		rd, ct = bytes.NewReader(raw), "application/json"
	}
	target := path
	if strings.HasPrefix(path, "/") {
		target = b.s.URL + path
	}
	req, err := http.NewRequest(method, target, rd)
	if err != nil {
		b.t.Fatal(err)
	}
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp, raw
}

// loginCSRF loads the sign-in page and answers its form's login_csrf.
func (b *browser) loginCSRF() string {
	b.t.Helper()
	_, raw := b.do("GET", "/auth/login", nil, nil)
	m := regexp.MustCompile(`name="login_csrf" value="([^"]+)"`).FindSubmatch(raw)
	if m == nil {
		b.t.Fatalf("the sign-in page has no login_csrf field: %s", raw)
	}
	return string(m[1])
}

// json sends with the session's CSRF token and wants status.
func (b *browser) json(method, path string, body any, want int) map[string]any {
	b.t.Helper()
	resp, raw := b.do(method, path, body, map[string]string{"X-CSRF-Token": b.cookie("humd_csrf")})
	if resp.StatusCode != want {
		b.t.Fatalf("%s %s = %d %s; want %d", method, path, resp.StatusCode, raw, want)
	}
	out := map[string]any{}
	if len(raw) > 0 {
		_ = json.Unmarshal(raw, &out)
	}
	return out
}

func (b *browser) cookie(name string) string {
	u, _ := url.Parse(b.s.URL + "/")
	for _, c := range b.jar.Cookies(u) {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

// login posts the sign-in form and answers the response.
func (b *browser) login(email, password, returnTo string) (*http.Response, []byte) {
	b.t.Helper()
	return b.do("POST", "/auth/login", url.Values{"email": {email}, "password": {password}, "return_to": {returnTo}}, nil)
}

func (b *browser) mustLogin(email, password string) {
	b.t.Helper()
	if resp, raw := b.login(email, password, ""); resp.StatusCode != 303 {
		b.t.Fatalf("login %s = %d %s; want 303", email, resp.StatusCode, raw)
	}
}

func bodyCode(raw []byte) string {
	var e struct {
		Error struct{ Code string } `json:"error"`
	}
	_ = json.Unmarshal(raw, &e)
	return e.Error.Code
}

func startWithPassword(t *testing.T, cfg app.Config) *apptest.Server {
	cfg.AdminPassword = adminPassword
	return apptest.Start(t, apptest.Options{Config: cfg})
}

// addUser makes a user with a password and role in the bootstrap org: a
// new org provisioned for their email creates the user, an invite adds
// them here, and the password is set as a fixture.
func addUser(t *testing.T, s *apptest.Server, email string, role tenancy.Role, password string) string {
	t.Helper()
	created := s.JSON("POST", "/api/admin/orgs", adminKey, map[string]any{"name": "home of " + email, "owner_email": email, "confirm": true}, 201)
	s.JSON("POST", "/api/team/invites", adminKey, map[string]any{"email": email, "role": role, "confirm": true}, 201)
	userID := created["owner_user_id"].(string)
	ten := &tenancy.Repo{Store: s.App.Store}
	if err := ten.SetPassword(userID, password); err != nil {
		t.Fatal(err)
	}
	return userID
}
