package authapi

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"strings"

	"github.com/valyala/fasthttp"

	"github.com/humd/humd/transport/httpapi"
)

// Sign-in forms are posted before there is a session, so the session's
// CSRF token cannot guard them; yet a forged sign-in (login CSRF) would
// put the victim in the attacker's account, where what they type is the
// attacker's to read. The forms carry a signed double-submit token: the
// page sets it in an HTTP-only cookie and in a hidden field, and a POST
// must bring both, equal, with humd's signature. Another site can make a
// browser post, but cannot read the page or the cookie to copy the value.

// loginCookie carries the sign-in forms' token (path /auth).
const loginCookie = "humd_login"

// loginField is the hidden field of the sign-in forms.
const loginField = "login_csrf"

var errLoginCSRF = &httpapi.StatusError{Status: 403, Code: "csrf_failed",
	Message: "this sign-in form has expired or was not sent by humd; reload the page and sign in again"}

func newLoginKey() []byte {
	k := make([]byte, 32)
	_, _ = rand.Read(k)
	return k
}

func (a *API) signLogin(nonce string) string {
	m := hmac.New(sha256.New, a.loginKey)
	m.Write([]byte(nonce))
	return nonce + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func (a *API) validLogin(tok string) bool {
	nonce, _, ok := strings.Cut(tok, ".")
	return ok && nonce != "" && hmac.Equal([]byte(a.signLogin(nonce)), []byte(tok))
}

// loginToken answers the browser's sign-in token, setting a new one when
// it has none (or a stale one from before a restart).
func (a *API) loginToken(c *httpapi.Call) string {
	if tok := string(c.Ctx.Request.Header.Cookie(loginCookie)); a.validLogin(tok) {
		return tok
	}
	b := make([]byte, 18)
	_, _ = rand.Read(b)
	tok := a.signLogin(base64.RawURLEncoding.EncodeToString(b))
	// Strict: only humd's own pages post the sign-in forms.
	a.cookie(c, loginCookie, tok, "/auth", 0, true, fasthttp.CookieSameSiteStrictMode)
	return tok
}

// checkLogin wants the posted form's token to match the cookie's.
func (a *API) checkLogin(c *httpapi.Call) error {
	cookie := string(c.Ctx.Request.Header.Cookie(loginCookie))
	given := c.Form(loginField)
	if !a.validLogin(cookie) || !hmac.Equal([]byte(cookie), []byte(given)) {
		return errLoginCSRF
	}
	return nil
}
