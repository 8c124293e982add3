package authapi

import (
	"errors"
	"fmt"
	"time"

	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/tenancy"
	"github.com/humd/humd/storage/websessions"
	"github.com/humd/humd/transport/httpapi"
	"github.com/humd/humd/transport/wire"
)

type (
	switchOrgRequest struct {
		OrgID string `json:"org_id" jsonschema:"minLength=1"`
	}
	passwordRequest struct {
		// CurrentPassword is needed when the user has one.
		CurrentPassword string `json:"current_password,omitempty"`
		NewPassword     string `json:"new_password" jsonschema:"minLength=8,maxLength=256"`
	}
	createOrgRequest struct {
		Name string `json:"name" jsonschema:"minLength=1,maxLength=120"`
	}
)

// SessionView answers GET /auth/session: what the console's pages need to
// act for the signed-in browser.
type SessionView struct {
	UserID    string `json:"user_id"`
	OrgID     string `json:"org_id"`
	Role      string `json:"role"`
	CSRFToken string `json:"csrf_token" doc:"send it as X-CSRF-Token with every POST, PUT, PATCH and DELETE"`
	Method    string `json:"method"`
	// ExpiresAt is when the session ends unless used again.
	ExpiresAt time.Time `json:"expires_at"`
}

// JSONSchemaExtend names the sign-in methods.
func (SessionView) JSONSchemaExtend(s httpapi.Schema) {
	httpapi.SetEnum(s, "method", "password", "link", "oidc")
}

var (
	errNotSession = fmt.Errorf("not a browser session (API keys are bound to their org): %w", storage.ErrNotFound)
	errNoOrg      = &httpapi.StatusError{Status: 403, Code: "no_org", Message: "you belong to no org yet; ask an org admin to invite you"}
)

// session is the calling browser session, or errNotSession for a key.
func (a *API) session(c *httpapi.Call) (*websessions.Session, string, error) {
	tok := string(c.Ctx.Request.Header.Cookie(httpapi.SessionCookie))
	if c.Principal.SessionID == "" || tok == "" || websessions.Hash(tok) != c.Principal.SessionID {
		return nil, "", errNotSession
	}
	s, err := a.d.Sessions.Lookup(tok, a.d.Clock.Now())
	return s, tok, err
}

func (a *API) getSession(c *httpapi.Call) error {
	s, _, err := a.session(c)
	if err != nil {
		return err
	}
	return c.JSON(200, &SessionView{UserID: s.UserID, OrgID: s.OrgID, Role: string(c.Principal.Role), CSRFToken: s.CSRF,
		Method: s.Method, ExpiresAt: a.d.Sessions.Expiry(s)})
}

// switchOrg moves the session to another org of its user; the answer is
// GET /api/me as the session now sees it.
func (a *API) switchOrg(c *httpapi.Call) error {
	var req switchOrgRequest
	if err := wire.DecodeStrict(c.Body(), &req); err != nil {
		return err
	}
	if _, _, err := a.session(c); err != nil {
		return err
	}
	me, err := a.SwitchOrg(string(c.Ctx.Request.Header.Cookie(httpapi.SessionCookie)), c.Principal, req.OrgID)
	if err != nil {
		return err
	}
	return c.JSON(200, me)
}

// SwitchOrg moves the browser session of token (acting as p) to another
// org of its user (POST /api/me/current-org and the console's switcher).
func (a *API) SwitchOrg(token string, p *tenancy.Principal, orgID string) (*tenancy.Me, error) {
	if p == nil || p.SessionID == "" || token == "" || websessions.Hash(token) != p.SessionID {
		return nil, errNotSession
	}
	s, err := a.d.Sessions.Lookup(token, a.d.Clock.Now())
	if err != nil {
		return nil, err
	}
	np, err := a.d.Tenancy.SessionPrincipal(s.UserID, orgID, s.ID)
	if errors.Is(err, storage.ErrUnauthorized) {
		return nil, storage.Invalid("org_id", "you are not a member of this org")
	}
	if err != nil {
		return nil, err
	}
	if err := a.d.Sessions.SetOrg(s.ID, orgID); err != nil {
		return nil, err
	}
	return a.d.Tenancy.Me(np)
}

// changePassword sets the caller's password (with the current one, when
// there is one) and ends every browser session of the user; a browser that
// changed it gets a new session at once.
func (a *API) changePassword(c *httpapi.Call) error {
	var req passwordRequest
	if err := wire.DecodeStrict(c.Body(), &req); err != nil {
		return err
	}
	if err := tenancy.CheckPasswordRules("new_password", req.NewPassword); err != nil {
		return err
	}
	u, err := a.d.Tenancy.User(c.Principal.UserID)
	if err != nil {
		return err
	}
	if has, err := a.d.Tenancy.HasPassword(u.ID); err != nil {
		return err
	} else if has {
		if _, err := a.d.Tenancy.CheckPassword(u.Email, req.CurrentPassword); err != nil {
			if errors.Is(err, storage.ErrUnauthorized) {
				return storage.Invalid("current_password", "is not your current password")
			}
			return err
		}
	}
	if err := a.d.Tenancy.SetPassword(u.ID, req.NewPassword); err != nil {
		return err
	}
	if _, err := a.d.Sessions.RevokeUser(u.ID); err != nil {
		return err
	}
	if c.Principal.SessionID != "" {
		token, s, err := a.d.Sessions.Create(u.ID, c.Principal.OrgID, "password", a.d.Clock.Now())
		if err != nil {
			return err
		}
		a.setSession(c, token, s)
	}
	return c.NoContent()
}

// createOrg starts an org whose admin is the signed-in user. API keys
// belong to one org and cannot start others (site admins provision orgs
// through POST /api/admin/orgs).
func (a *API) createOrg(c *httpapi.Call) error {
	var req createOrgRequest
	if err := wire.DecodeStrict(c.Body(), &req); err != nil {
		return err
	}
	if c.Principal.SessionID == "" {
		return &httpapi.StatusError{Status: 403, Code: "session_required", Message: "only a signed-in user starts an org; site admins provision orgs with POST /api/admin/orgs"}
	}
	o, err := a.d.Tenancy.CreateOrg(c.Principal.UserID, tenancy.NewOrgInput{Name: req.Name})
	if err != nil {
		return err
	}
	return c.JSON(201, o)
}
