package authapi

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/valyala/fasthttp"
	"golang.org/x/oauth2"

	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/websessions"
	"github.com/humd/humd/transport/httpapi"
)

// providerTimeout bounds each call to the identity provider.
const providerTimeout = 10 * time.Second

// provider is the discovered identity provider.
type provider struct {
	conf     oauth2.Config
	verifier *oidc.IDTokenVerifier
}

var (
	errOIDCOff     = fmt.Errorf("single sign-on is not configured: %w", storage.ErrNotFound)
	errOIDCDown    = &httpapi.StatusError{Status: 503, Code: "sso_unavailable", Message: "the identity provider did not answer; retry"}
	errOIDCState   = &httpapi.StatusError{Status: 403, Code: "oidc_state_invalid", Message: "this sign-in was not started here, was used already or took too long; start again"}
	errOIDCRefused = &httpapi.StatusError{Status: 403, Code: "oidc_refused", Message: "the identity provider did not sign you in"}
	errUnverified  = &httpapi.StatusError{Status: 403, Code: "email_not_verified", Message: "the identity provider has not verified your email address"}
	errNoAccount   = &httpapi.StatusError{Status: 403, Code: "no_account", Message: "no humd account or invite has this email address; ask an org admin to invite you"}
)

// httpClient talks to the identity provider. The issuer is the operator's
// own setting, not a tenant's, so it is not held to the egress policy
// (which would refuse an IdP on the private network).
var httpClient = &http.Client{Timeout: providerTimeout}

// provider discovers the identity provider on first use and keeps it; a
// failed discovery is retried by the next sign-in, so humd starts while
// the provider is down.
func (a *API) provider(ctx context.Context) (*provider, error) {
	if a.d.OIDC.Issuer == "" {
		return nil, errOIDCOff
	}
	a.oidcMu.Lock()
	defer a.oidcMu.Unlock()
	if a.oidc != nil {
		return a.oidc, nil
	}
	p, err := oidc.NewProvider(oidc.ClientContext(ctx, httpClient), a.d.OIDC.Issuer)
	if err != nil {
		return nil, fmt.Errorf("oidc discovery %s: %v: %w", a.d.OIDC.Issuer, err, errOIDCDown)
	}
	a.oidc = &provider{
		conf: oauth2.Config{ClientID: a.d.OIDC.ClientID, ClientSecret: a.d.OIDC.ClientSecret, Endpoint: p.Endpoint(),
			RedirectURL: a.d.PublicURL + "/auth/oidc/callback", Scopes: []string{oidc.ScopeOpenID, "email", "profile"}},
		verifier: p.Verifier(&oidc.Config{ClientID: a.d.OIDC.ClientID, Now: a.d.Clock.Now}),
	}
	return a.oidc, nil
}

// oidcStart sends the browser to the provider: a fresh state (kept server
// side and in a cookie of this browser), a nonce the ID token must carry,
// and a PKCE challenge whose verifier only humd knows.
func (a *API) oidcStart(c *httpapi.Call) error {
	rt, err := ReturnTo(c.Query("return_to"))
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), providerTimeout)
	defer cancel()
	p, err := a.provider(ctx)
	if err != nil {
		return err
	}
	if err := a.limitLogin(c, ""); err != nil {
		return err
	}
	state, nonce, verifier := websessions.NewToken(), websessions.NewToken(), oauth2.GenerateVerifier()
	if err := a.d.Sessions.PutState(state, websessions.OIDCState{Nonce: nonce, Verifier: verifier, ReturnTo: rt}, a.d.Clock.Now()); err != nil {
		return err
	}
	a.cookie(c, stateCookie, state, "/auth/oidc", int(websessions.StateTTL.Seconds()), true, fasthttp.CookieSameSiteLaxMode)
	return redirect(c, fasthttp.StatusFound, p.conf.AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier)))
}

// idClaims are the ID token claims sign-in reads.
type idClaims struct {
	Email         string `json:"email"`
	EmailVerified bool   `json:"email_verified"`
	Name          string `json:"name"`
}

// oidcCallback finishes a sign-in: the state must be this browser's and
// unused, the code is exchanged with the PKCE verifier, the ID token's
// signature, audience, expiry and nonce are checked, and the user is found
// by the verified email (pending invites become memberships).
func (a *API) oidcCallback(c *httpapi.Call) error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*providerTimeout)
	defer cancel()
	p, err := a.provider(ctx)
	if err != nil {
		return err
	}
	state := c.Query("state")
	a.cookie(c, stateCookie, "", "/auth/oidc", -1, true, fasthttp.CookieSameSiteLaxMode)
	bound := c.Ctx.Request.Header.Cookie(stateCookie)
	if state == "" || subtle.ConstantTimeCompare(bound, []byte(state)) != 1 {
		return fmt.Errorf("state is not this browser's: %w", errOIDCState)
	}
	st, err := a.d.Sessions.TakeState(state, a.d.Clock.Now())
	if errors.Is(err, storage.ErrUnauthorized) {
		return fmt.Errorf("%v: %w", err, errOIDCState)
	}
	if err != nil {
		return err
	}
	if e := c.Query("error"); e != "" {
		return fmt.Errorf("provider answered %q: %w", e, errOIDCRefused)
	}
	cctx := oidc.ClientContext(ctx, httpClient)
	tok, err := p.conf.Exchange(cctx, c.Query("code"), oauth2.VerifierOption(st.Verifier))
	if err != nil {
		return fmt.Errorf("code exchange: %v: %w", err, errOIDCRefused)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return fmt.Errorf("no id_token: %w", errOIDCRefused)
	}
	idt, err := p.verifier.Verify(cctx, raw)
	if err != nil {
		return fmt.Errorf("id token: %v: %w", err, errOIDCRefused)
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(st.Nonce)) != 1 {
		return fmt.Errorf("id token nonce mismatch: %w", errOIDCRefused)
	}
	var cl idClaims
	if err := idt.Claims(&cl); err != nil {
		return fmt.Errorf("id token claims: %v: %w", err, errOIDCRefused)
	}
	if cl.Email == "" || !cl.EmailVerified {
		return errUnverified
	}
	u, err := a.d.Tenancy.SignInVerified(cl.Email, cl.Name)
	if err != nil {
		if errors.Is(err, storage.ErrForbidden) {
			return fmt.Errorf("%v: %w", err, errNoAccount)
		}
		return err
	}
	return a.startSession(c, u.ID, "oidc", st.ReturnTo)
}
