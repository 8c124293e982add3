package authapi

import (
	"errors"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/humd/humd/actors/clock"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/tenancy"
	"github.com/humd/humd/storage/websessions"
	"github.com/humd/humd/transport/httpapi"
)

// OIDC configures single sign-on; an empty Issuer turns it off.
type OIDC struct {
	Issuer       string // HUMD_OIDC_ISSUER
	ClientID     string // HUMD_OIDC_CLIENT_ID
	ClientSecret string // HUMD_OIDC_CLIENT_SECRET
}

// Deps are what sign-in uses.
type Deps struct {
	Tenancy  *tenancy.Repo
	Sessions *websessions.Repo
	Clock    clock.Clock
	// PublicURL is humd's base URL: https makes the cookies Secure, and
	// the OIDC redirect URL is PublicURL + /auth/oidc/callback.
	PublicURL string
	OIDC      OIDC
}

// Sign-in attempt limits: an account gets 5 tries, then one more every 3
// minutes; a client address 20, then one every 30 seconds.
const (
	accountBurst = 5
	accountEvery = 3 * time.Minute
	addressBurst = 20
	addressEvery = 30 * time.Second
)

// CSRFCookie hands the session's CSRF token to the page's scripts (not
// HTTP-only); the server compares X-CSRF-Token with the session's own copy.
const CSRFCookie = "humd_csrf"

// stateCookie binds a started OIDC sign-in to the browser that started it.
const stateCookie = "humd_oidc"

// API serves sign-in and is the edge's session source.
type API struct {
	d                 Deps
	secure            bool
	accounts, address *httpapi.Limits

	// loginKey signs the sign-in forms' CSRF tokens (logincsrf.go); a
	// restart makes open sign-in pages reload once.
	loginKey []byte

	oidcMu sync.Mutex
	oidc   *provider // discovered on first use
}

// New builds the sign-in area.
func New(d Deps) *API {
	if d.Clock == nil {
		d.Clock = clock.Real{}
	}
	return &API{d: d, secure: strings.HasPrefix(d.PublicURL, "https://"), loginKey: newLoginKey(),
		accounts: httpapi.NewLimits(1/accountEvery.Seconds(), accountBurst),
		address:  httpapi.NewLimits(1/addressEvery.Seconds(), addressBurst)}
}

// Session resolves a session cookie for the edge (httpapi.SessionSource).
func (a *API) Session(token string) (*tenancy.Principal, string, error) {
	s, err := a.d.Sessions.Lookup(token, a.d.Clock.Now())
	if err != nil {
		return nil, "", err
	}
	p, err := a.d.Tenancy.SessionPrincipal(s.UserID, s.OrgID, s.ID)
	if err != nil {
		return nil, "", err
	}
	return p, s.CSRF, nil
}

// ReturnTo checks a return_to: empty is "/", and anything else must be a
// path on this server. Absolute and scheme-relative URLs ("//evil",
// "/\evil", which browsers read as "//evil") are refused, so sign-in never
// sends a browser elsewhere.
func ReturnTo(v string) (string, error) {
	if v == "" {
		return "/", nil
	}
	bad := storage.Invalid("return_to", "must be a path on this server, starting with one /")
	if len(v) > 2000 || !strings.HasPrefix(v, "/") || strings.HasPrefix(v, "//") || strings.HasPrefix(v, "/\\") ||
		strings.ContainsAny(v, "\\\r\n\t") {
		return "", bad
	}
	u, err := url.Parse(v)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return "", bad
	}
	return v, nil
}

// setSession sets the session and CSRF cookies.
func (a *API) setSession(c *httpapi.Call, token string, s *websessions.Session) {
	// The cookie may live as long as the session could; the server ends
	// it sooner when it idles.
	maxAge := int(a.d.Sessions.MaxAgeOrDefault().Seconds())
	a.cookie(c, httpapi.SessionCookie, token, "/", maxAge, true, fasthttp.CookieSameSiteLaxMode)
	a.cookie(c, CSRFCookie, s.CSRF, "/", maxAge, false, fasthttp.CookieSameSiteStrictMode)
}

// clearSession expires both cookies.
func (a *API) clearSession(c *httpapi.Call) {
	a.cookie(c, httpapi.SessionCookie, "", "/", -1, true, fasthttp.CookieSameSiteLaxMode)
	a.cookie(c, CSRFCookie, "", "/", -1, false, fasthttp.CookieSameSiteStrictMode)
}

func (a *API) cookie(c *httpapi.Call, name, value, path string, maxAge int, httpOnly bool, site fasthttp.CookieSameSite) {
	ck := fasthttp.AcquireCookie()
	defer fasthttp.ReleaseCookie(ck)
	ck.SetKey(name)
	ck.SetValue(value)
	ck.SetPath(path)
	ck.SetHTTPOnly(httpOnly)
	ck.SetSecure(a.secure)
	ck.SetSameSite(site)
	if maxAge < 0 {
		ck.SetExpire(fasthttp.CookieExpireDelete)
	} else {
		ck.SetMaxAge(maxAge)
	}
	c.Ctx.Response.Header.SetCookie(ck)
}

// startSession signs userID in: a new session (never the one the browser
// may already carry, which ends), its cookies, and a 303 to returnTo.
func (a *API) startSession(c *httpapi.Call, userID, method, returnTo string) error {
	org, err := a.d.Tenancy.DefaultOrg(userID)
	if errors.Is(err, tenancy.ErrNoOrg) {
		return errNoOrg
	}
	if err != nil {
		return err
	}
	if old := c.Ctx.Request.Header.Cookie(httpapi.SessionCookie); len(old) > 0 {
		if err := a.d.Sessions.Revoke(websessions.Hash(string(old))); err != nil {
			return err
		}
	}
	token, s, err := a.d.Sessions.Create(userID, org, method, a.d.Clock.Now())
	if err != nil {
		return err
	}
	a.setSession(c, token, s)
	return redirect(c, fasthttp.StatusSeeOther, returnTo)
}

// redirect answers status with Location and no body. Location stays
// relative for our own paths: a Host header never decides where it points.
func redirect(c *httpapi.Call, status int, location string) error {
	c.Ctx.Response.Header.Set("Location", location)
	c.Ctx.Response.Header.Set("Cache-Control", "no-store")
	c.Ctx.SetStatusCode(status)
	c.Ctx.Response.ResetBody()
	return nil
}

// Routes lists the sign-in routes.
func (a *API) Routes() []*httpapi.Route {
	html := httpapi.Type[HTML]()
	return []*httpapi.Route{
		{Method: "GET", Path: "/auth/login", OpID: "loginPage", Summary: "The sign-in page (HTML)", Tag: "Sign-in", Auth: httpapi.Public,
			Responses: map[int]reflect.Type{200: html}, Fails: []int{422}, Handle: a.loginPage},
		{Method: "POST", Path: "/auth/login", OpID: "login", Summary: "Sign in with email and password (form); 303 to return_to", Tag: "Sign-in", Auth: httpapi.Public,
			Responses: map[int]reflect.Type{303: nil, 401: html, 403: html}, Fails: []int{422, 429}, Handle: a.login},
		{Method: "POST", Path: "/auth/logout", OpID: "logout", Summary: "Sign out (form with csrf_token, or X-CSRF-Token); 303 to the sign-in page", Tag: "Sign-in", Auth: httpapi.Public,
			Responses: httpapi.NoBody(303), Fails: []int{403}, Handle: a.logout},
		{Method: "GET", Path: "/auth/link", OpID: "signInLinkPage", Summary: "A one-time sign-in link's page (HTML)", Tag: "Sign-in", Auth: httpapi.Public,
			Responses: map[int]reflect.Type{200: html}, Handle: a.linkPage},
		{Method: "POST", Path: "/auth/link", OpID: "signInWithLink", Summary: "Use a one-time sign-in link (form); 303 to /", Tag: "Sign-in", Auth: httpapi.Public,
			Responses: map[int]reflect.Type{303: nil, 401: html, 403: html}, Fails: []int{429}, Handle: a.useLink},
		{Method: "GET", Path: "/auth/oidc/start", OpID: "oidcStart", Summary: "Start single sign-on; 302 to the identity provider", Tag: "Sign-in", Auth: httpapi.Public,
			Responses: httpapi.NoBody(302), Fails: []int{404, 422, 429}, Handle: a.oidcStart},
		{Method: "GET", Path: "/auth/oidc/callback", OpID: "oidcCallback", Summary: "The identity provider's answer; 303 to return_to", Tag: "Sign-in", Auth: httpapi.Public,
			Responses: httpapi.NoBody(303), Fails: []int{403, 404, 422}, Handle: a.oidcCallback},
		{Method: "GET", Path: "/auth/session", OpID: "getSession", Summary: "The browser session: user, org, CSRF token, expiry", Tag: "User", Auth: httpapi.ViewerUp,
			Responses: httpapi.Answer[SessionView](200), Fails: []int{404}, Handle: a.getSession},
		{Method: "POST", Path: "/api/me/current-org", OpID: "switchOrg", Summary: "Switch the browser session's org", Tag: "User", Auth: httpapi.ViewerUp,
			Request: httpapi.Type[switchOrgRequest](), Responses: httpapi.Answer[tenancy.Me](200), Fails: []int{404}, Handle: a.switchOrg},
		{Method: "POST", Path: "/api/me/password", OpID: "changePassword", Summary: "Set your password; signs out every browser session of yours", Tag: "User", Auth: httpapi.ViewerUp,
			Request: httpapi.Type[passwordRequest](), Responses: httpapi.NoBody(204), Handle: a.changePassword},
		{Method: "POST", Path: "/api/orgs", OpID: "createOrg", Summary: "Start an org of your own (signed-in users); you become its admin", Tag: "Organizations", Auth: httpapi.ViewerUp,
			Request: httpapi.Type[createOrgRequest](), Responses: httpapi.Answer[tenancy.Org](201), Handle: a.createOrg},
	}
}
