package authapi

import (
	"bytes"
	"crypto/subtle"
	"errors"
	"fmt"
	"html/template"
	"strings"

	"github.com/valyala/fasthttp"

	"github.com/humd/humd/storage"
	"github.com/humd/humd/transport/httpapi"
)

// HTML is a text/html answer (the sign-in pages).
type HTML string

// ContentType implements httpapi.ContentTyper.
func (HTML) ContentType() string { return "text/html; charset=utf-8" }

// page is the one template of the sign-in pages: the login form (with a
// single sign-on button when OIDC is on) or the sign-in link's button.
// The console's own pages come from another package; these stay minimal,
// labelled for screen readers and the browser tests.
var page = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in · humd</title></head>
<body><main>
<h1>Sign in to humd</h1>
{{if .Error}}<p role="alert">{{.Error}}</p>{{end}}
{{if .LinkToken}}
<form method="post" action="/auth/link">
<input type="hidden" name="token" value="{{.LinkToken}}">
<input type="hidden" name="login_csrf" value="{{.LoginCSRF}}">
<button type="submit">Sign in</button>
</form>
{{else}}
<form method="post" action="/auth/login">
<input type="hidden" name="return_to" value="{{.ReturnTo}}">
<input type="hidden" name="login_csrf" value="{{.LoginCSRF}}">
<p><label for="email">Email</label><br><input id="email" name="email" type="email" autocomplete="username" required value="{{.Email}}"></p>
<p><label for="password">Password</label><br><input id="password" name="password" type="password" autocomplete="current-password" required></p>
<p><button type="submit">Sign in</button></p>
</form>
{{if .OIDC}}<p><a href="/auth/oidc/start?return_to={{.ReturnTo}}">Sign in with single sign-on</a></p>{{end}}
{{end}}
</main></body></html>
`))

type pageView struct {
	Error, Email, ReturnTo, LinkToken, LoginCSRF string
	OIDC                                         bool
}

func (a *API) render(c *httpapi.Call, status int, v pageView) error {
	v.OIDC = a.d.OIDC.Issuer != ""
	v.LoginCSRF = a.loginToken(c)
	var buf bytes.Buffer
	if err := page.Execute(&buf, v); err != nil {
		return fmt.Errorf("authapi: render: %w", err)
	}
	securePage(c)
	return httpapi.Text(c, status, HTML(buf.String()))
}

// securePage sets the headers every sign-in page carries: no framing (a
// login form in a frame is clickjacking's favourite), no inline scripts,
// no caching, no referrer (a link page's URL holds its token).
func securePage(c *httpapi.Call) {
	h := &c.Ctx.Response.Header
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
}

func (a *API) loginPage(c *httpapi.Call) error {
	rt, err := ReturnTo(c.Query("return_to"))
	if err != nil {
		return err
	}
	return a.render(c, 200, pageView{ReturnTo: rt})
}

// limitLogin spends a sign-in attempt of the client's address and of the
// account (by email, whether it exists or not).
func (a *API) limitLogin(c *httpapi.Call, email string) error {
	now := a.d.Clock.Now()
	if err := a.address.Check(c, "addr:"+c.Ctx.RemoteIP().String(), now, "too many sign-in attempts from this address"); err != nil {
		return err
	}
	if email == "" {
		return nil
	}
	return a.accounts.Check(c, "acct:"+strings.ToLower(email), now, "too many sign-in attempts for this account")
}

func (a *API) login(c *httpapi.Call) error {
	email, password := strings.TrimSpace(c.Form("email")), c.Form("password")
	rt, err := ReturnTo(c.Form("return_to"))
	if err != nil {
		return err
	}
	if err := a.limitLogin(c, email); err != nil {
		return err
	}
	if err := a.checkLogin(c); err != nil {
		return a.render(c, 403, pageView{Error: errLoginCSRF.Message, Email: email, ReturnTo: rt})
	}
	u, err := a.d.Tenancy.CheckPassword(email, password)
	if errors.Is(err, storage.ErrUnauthorized) {
		return a.render(c, 401, pageView{Error: "Wrong email or password.", Email: email, ReturnTo: rt})
	}
	if err != nil {
		return err
	}
	return a.startSession(c, u.ID, "password", rt)
}

// logout ends the browser's session. It is a change like any other, so it
// needs the session's CSRF token (the form's csrf_token or X-CSRF-Token):
// another site must not be able to sign the user out. Without a live
// session there is nothing to end, and the cookies are cleared anyway.
func (a *API) logout(c *httpapi.Call) error {
	if tok := c.Ctx.Request.Header.Cookie(httpapi.SessionCookie); len(tok) > 0 {
		s, err := a.d.Sessions.Lookup(string(tok), a.d.Clock.Now())
		switch {
		case err == nil:
			given := c.Ctx.Request.Header.Peek(httpapi.CSRFHeader)
			if len(given) == 0 {
				given = c.Ctx.PostArgs().Peek("csrf_token")
			}
			if subtle.ConstantTimeCompare(given, []byte(s.CSRF)) != 1 {
				return &httpapi.StatusError{Status: 403, Code: "csrf_failed", Message: "signing out needs the session's CSRF token"}
			}
			if err := a.d.Sessions.Revoke(s.ID); err != nil {
				return err
			}
		case !errors.Is(err, storage.ErrUnauthorized):
			return err
		}
	}
	a.clearSession(c)
	return redirect(c, fasthttp.StatusSeeOther, "/auth/login")
}

// linkPage shows a one-time link's button. The link is used only by the
// POST: mail scanners and link previews fetch GETs, and must not spend it.
func (a *API) linkPage(c *httpapi.Call) error {
	return a.render(c, 200, pageView{LinkToken: c.Query("token")})
}

func (a *API) useLink(c *httpapi.Call) error {
	if err := a.limitLogin(c, ""); err != nil {
		return err
	}
	if err := a.checkLogin(c); err != nil {
		return a.render(c, 403, pageView{Error: errLoginCSRF.Message, LinkToken: c.Form("token")})
	}
	userID, err := a.d.Sessions.UseLink(c.Form("token"), a.d.Clock.Now())
	if errors.Is(err, storage.ErrUnauthorized) {
		return a.render(c, 401, pageView{Error: "This sign-in link was used already or has expired."})
	}
	if err != nil {
		return err
	}
	return a.startSession(c, userID, "link", "/")
}
