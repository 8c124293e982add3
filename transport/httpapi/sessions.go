package httpapi

import (
	"crypto/subtle"
	"fmt"

	"github.com/valyala/fasthttp"

	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/tenancy"
)

// SessionCookie is the browser session's cookie (HTTP-only, SameSite=Lax).
const SessionCookie = "humd_session"

// CSRFHeader must carry the session's CSRF token on every state-changing
// request a session cookie authenticates.
const CSRFHeader = "X-CSRF-Token"

// SessionSource resolves a browser session's cookie token to the principal
// it acts as and the session's CSRF token. An Area that implements it is
// the edge's session source (transport/api/authapi), so the console's
// sign-in plugs in like any other area.
type SessionSource interface {
	Session(token string) (p *tenancy.Principal, csrf string, err error)
}

var errCSRF = &StatusError{403, "csrf_failed", "a signed-in browser must send the session's CSRF token in X-CSRF-Token with every change"}

// authenticate finds the caller: an API key when one is sent (keys never
// need a CSRF token: a browser does not send them by itself), else the
// session cookie, whose state-changing requests must echo the session's
// CSRF token. The principals themselves are built in storage/tenancy
// (Authenticate, SessionPrincipal).
func (s *Server) authenticate(ctx *fasthttp.RequestCtx) (*tenancy.Principal, error) {
	if s.cfg.Keys == nil {
		return nil, storage.ErrUnauthorized
	}
	key := apiKey(ctx)
	cookie := ctx.Request.Header.Cookie(SessionCookie)
	if key != "" || s.sessions == nil || len(cookie) == 0 {
		return s.cfg.Keys.Authenticate(key)
	}
	p, csrf, err := s.sessions.Session(string(cookie))
	if err != nil {
		return nil, err
	}
	if safeMethod(ctx) {
		return p, nil
	}
	if got := ctx.Request.Header.Peek(CSRFHeader); csrf == "" || subtle.ConstantTimeCompare(got, []byte(csrf)) != 1 {
		return nil, fmt.Errorf("session %s: %w", p.SessionID, errCSRF)
	}
	return p, nil
}

// safeMethod is a request that changes nothing (RFC 9110 9.2.1).
func safeMethod(ctx *fasthttp.RequestCtx) bool {
	return ctx.IsGet() || ctx.IsHead() || ctx.IsOptions()
}

// limitID is whose request budget a call spends: its API key's, or its
// browser session's.
func limitID(p *tenancy.Principal) string {
	switch {
	case p == nil:
		return ""
	case p.KeyID != "":
		return p.KeyID
	case p.SessionID != "":
		return "session:" + p.SessionID
	}
	return ""
}
