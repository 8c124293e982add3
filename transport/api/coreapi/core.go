package coreapi

import (
	"encoding/json"
	"time"

	"github.com/humd/humd/actors/service"
	"github.com/humd/humd/storage/tenancy"
	"github.com/humd/humd/transport/httpapi"
	"github.com/humd/humd/transport/wire"
)

// Deps are what the core routes use.
type Deps struct {
	// Svc is the front door (actors/service): handlers call its typed
	// operations rather than storage writers or actor doors.
	Svc *service.Service
}

// API serves the core routes.
type API struct{ d Deps }

// New builds the core area.
func New(d Deps) *API { return &API{d: d} }

func init() {
	httpapi.Extend[tenancy.Role](func(s httpapi.Schema) { s["enum"] = []string{"viewer", "operator", "admin"} })
	httpapi.Extend[tenancy.KeyRef](func(s httpapi.Schema) { httpapi.Describe(s, "scopes", scopesDoc) })
	httpapi.Component[tenancy.Org]("Org", func(s httpapi.Schema) { httpapi.SetProp(s, "business_hours_json", httpapi.BusinessHours()) })
	httpapi.Component[tenancy.KeyView]("KeyView", func(s httpapi.Schema) { httpapi.Describe(s, "scopes", scopesDoc) })
	httpapi.Extend[tenancy.CreatedKey](func(s httpapi.Schema) { httpapi.Describe(s, "scopes", scopesDoc) })
	httpapi.Component[tenancy.Member]("Member", nil)
	httpapi.Component[tenancy.Invite]("Invite", nil)
	httpapi.Extend[tenancy.InviteResult](func(s httpapi.Schema) { httpapi.SetEnum(s, "status", "added", "invited") })
}

const scopesDoc = "empty: everything the role allows"

// Request bodies as documented; the handlers decode them into the tenancy
// inputs (tenancy.OrgPatch, CreateOrgRequest, InviteInput, RoleInput,
// KeyInput).
type (
	updateOrgRequest struct {
		Name              string          `json:"name,omitempty" jsonschema:"minLength=1,maxLength=120"`
		Timezone          string          `json:"timezone,omitempty"`
		BusinessHoursJSON json.RawMessage `json:"business_hours_json,omitempty"`
		HelpText          string          `json:"help_text,omitempty" jsonschema:"minLength=1,maxLength=1600"`
		StopText          string          `json:"stop_text,omitempty" jsonschema:"minLength=1,maxLength=1600"`
		StartText         string          `json:"start_text,omitempty" jsonschema:"minLength=1,maxLength=1600"`
	}
	provisionOrgRequest struct {
		Name       string `json:"name" jsonschema:"minLength=1,maxLength=120"`
		OwnerEmail string `json:"owner_email,omitempty"`
		// OwnerEmailCamel is the seed's spelling of owner_email.
		OwnerEmailCamel string `json:"ownerEmail,omitempty"`
		Plan            string `json:"plan,omitempty" jsonschema:"minLength=0,maxLength=60"`
		AdminNotes      string `json:"adminNotes,omitempty" jsonschema:"minLength=0,maxLength=2000"`
		Confirm         bool   `json:"confirm,omitempty"`
	}
	inviteRequest struct {
		Email string       `json:"email"`
		Role  tenancy.Role `json:"role"`
	}
	roleRequest struct {
		Role tenancy.Role `json:"role"`
	}
	createKeyRequest struct {
		Name      string       `json:"name" jsonschema:"minLength=1,maxLength=100"`
		Role      tenancy.Role `json:"role"`
		Scopes    []string     `json:"scopes,omitempty" doc:"<area>:read (GET, HEAD) or <area>:write (all methods) of a tag's area, or *; none means everything the role allows"`
		ExpiresAt *time.Time   `json:"expires_at,omitempty" jsonschema:"nullable"`
	}
)

func (updateOrgRequest) JSONSchemaExtend(s httpapi.Schema) {
	httpapi.SetProp(s, "business_hours_json", httpapi.BusinessHours())
}

func (createKeyRequest) JSONSchemaExtend(s httpapi.Schema) {
	httpapi.Prop(s, "scopes")["items"] = httpapi.Enum(tenancy.ScopeVocabulary()...)
}

// Routes lists the core routes.
func (a *API) Routes() []*httpapi.Route {
	return []*httpapi.Route{
		{Method: "GET", Path: "/api/me", OpID: "getMe", Summary: "The caller, its org and role", Tag: "User", Auth: httpapi.ViewerUp,
			Responses: httpapi.Answer[tenancy.Me](200), Handle: a.getMe},
		{Method: "GET", Path: "/api/org", OpID: "getOrg", Summary: "The current org", Tag: "Organizations", Auth: httpapi.ViewerUp,
			Responses: httpapi.Answer[tenancy.Org](200), Handle: a.getOrg},
		{Method: "PATCH", Path: "/api/org", OpID: "updateOrg", Summary: "Edit name, timezone, business hours, system replies", Tag: "Organizations", Auth: httpapi.AdminUp,
			Request: httpapi.Type[updateOrgRequest](), Responses: httpapi.Answer[tenancy.Org](200), Handle: a.updateOrg},
		{Method: "POST", Path: "/api/admin/orgs", OpID: "provisionOrg", Summary: "Create an org with an admin key (site:admin)", Tag: "Organizations", Auth: httpapi.SiteAdmin,
			Request: httpapi.Type[provisionOrgRequest](), Responses: httpapi.Answer[tenancy.CreatedOrg](201), Handle: a.provisionOrg},
		{Method: "GET", Path: "/api/team", OpID: "listTeam", Summary: "Members and pending invites", Tag: "Team", Auth: httpapi.ViewerUp,
			Responses: httpapi.Answer[tenancy.Team](200), Handle: a.listTeam},
		{Method: "POST", Path: "/api/team/invites", OpID: "inviteMember", Summary: "Add an existing user or invite an email", Tag: "Team", Auth: httpapi.AdminUp,
			Request: httpapi.Type[inviteRequest](), Responses: httpapi.Answer[tenancy.InviteResult](201), Handle: a.inviteMember},
		{Method: "DELETE", Path: "/api/team/invites/{id}", OpID: "revokeInvite", Summary: "Revoke a pending invite", Tag: "Team", Auth: httpapi.AdminUp,
			Responses: httpapi.NoBody(204), Handle: a.revokeInvite},
		{Method: "PATCH", Path: "/api/team/{userId}", OpID: "changeMemberRole", Summary: "Change a member's role", Tag: "Team", Auth: httpapi.AdminUp,
			Request: httpapi.Type[roleRequest](), Responses: httpapi.Answer[tenancy.Member](200), Handle: a.changeMemberRole},
		{Method: "DELETE", Path: "/api/team/{userId}", OpID: "removeMember", Summary: "Remove a member", Tag: "Team", Auth: httpapi.AdminUp,
			Responses: httpapi.NoBody(204), Handle: a.removeMember},
		{Method: "GET", Path: "/api/api-keys", OpID: "listApiKeys", Summary: "List API keys (never the secrets)", Tag: "API keys", Auth: httpapi.AdminUp,
			Responses: httpapi.Answer[httpapi.Page[tenancy.KeyView]](200), Handle: a.listAPIKeys},
		{Method: "POST", Path: "/api/api-keys", OpID: "createApiKey", Summary: "Create a key; the secret is answered once", Tag: "API keys", Auth: httpapi.AdminUp,
			Request: httpapi.Type[createKeyRequest](), Responses: httpapi.Answer[tenancy.CreatedKey](201), Handle: a.createAPIKey},
		{Method: "DELETE", Path: "/api/api-keys/{id}", OpID: "revokeApiKey", Summary: "Revoke a key", Tag: "API keys", Auth: httpapi.AdminUp,
			Responses: httpapi.Answer[tenancy.KeyView](200), Handle: a.revokeAPIKey},
	}
}

func (a *API) getMe(c *httpapi.Call) error {
	me, err := a.d.Svc.GetMe(c.Ctx, c.Principal)
	if err != nil {
		return err
	}
	return c.JSON(200, me)
}

func (a *API) getOrg(c *httpapi.Call) error {
	o, err := a.d.Svc.GetOrg(c.Ctx, c.Principal)
	if err != nil {
		return err
	}
	return c.JSON(200, o)
}

func (a *API) updateOrg(c *httpapi.Call) error {
	var in tenancy.OrgPatch
	if err := wire.DecodeStrict(c.Body(), &in); err != nil {
		return err
	}
	o, err := a.d.Svc.UpdateOrg(c.Ctx, c.Principal, in)
	if err != nil {
		return err
	}
	return c.JSON(200, o)
}

func (a *API) provisionOrg(c *httpapi.Call) error {
	var in tenancy.CreateOrgRequest
	if err := wire.DecodeStrict(c.Body(), &in); err != nil {
		return err
	}
	res, err := a.d.Svc.ProvisionOrg(c.Ctx, c.Principal, in)
	if err != nil {
		return err
	}
	return c.JSON(201, res)
}

func (a *API) listTeam(c *httpapi.Call) error {
	t, err := a.d.Svc.ListTeam(c.Ctx, c.Principal)
	if err != nil {
		return err
	}
	return c.JSON(200, t)
}

func (a *API) inviteMember(c *httpapi.Call) error {
	var in tenancy.InviteInput
	if err := wire.DecodeStrict(c.Body(), &in); err != nil {
		return err
	}
	res, err := a.d.Svc.InviteMember(c.Ctx, c.Principal, in)
	if err != nil {
		return err
	}
	return c.JSON(201, res)
}

func (a *API) revokeInvite(c *httpapi.Call) error {
	if err := a.d.Svc.RevokeInvite(c.Ctx, c.Principal, c.Param("id")); err != nil {
		return err
	}
	return c.NoContent()
}

func (a *API) changeMemberRole(c *httpapi.Call) error {
	var in tenancy.RoleInput
	if err := wire.DecodeStrict(c.Body(), &in); err != nil {
		return err
	}
	m, err := a.d.Svc.ChangeMemberRole(c.Ctx, c.Principal, c.Param("userId"), in)
	if err != nil {
		return err
	}
	return c.JSON(200, m)
}

func (a *API) removeMember(c *httpapi.Call) error {
	if err := a.d.Svc.RemoveMember(c.Ctx, c.Principal, c.Param("userId")); err != nil {
		return err
	}
	return c.NoContent()
}

func (a *API) listAPIKeys(c *httpapi.Call) error {
	page, err := c.Page()
	if err != nil {
		return err
	}
	keys, next, err := a.d.Svc.ListApiKeys(c.Ctx, c.Principal, page)
	if err != nil {
		return err
	}
	return httpapi.List(c, keys, next)
}

func (a *API) createAPIKey(c *httpapi.Call) error {
	in, err := decodeKey(c.Body())
	if err != nil {
		return err
	}
	k, err := a.d.Svc.CreateApiKey(c.Ctx, c.Principal, in)
	if err != nil {
		return err
	}
	return c.JSON(201, k)
}

// keyWire is createApiKey's body as sent: expires_at is read by hand so
// that a string that is no RFC 3339 time is named with the body's other
// problems.
type keyWire struct {
	Name      string       `json:"name"`
	Role      tenancy.Role `json:"role"`
	Scopes    []string     `json:"scopes"`
	ExpiresAt *string      `json:"expires_at"`
}

func decodeKey(body []byte) (tenancy.KeyInput, error) {
	var w keyWire
	if err := wire.DecodeStrict(body, &w); err != nil {
		return tenancy.KeyInput{}, err
	}
	in := tenancy.KeyInput{Name: w.Name, Role: w.Role, Scopes: w.Scopes}
	if w.ExpiresAt != nil {
		t, err := time.Parse(time.RFC3339, *w.ExpiresAt)
		if err != nil {
			in.Problems = map[string]string{"expires_at": "must be an RFC 3339 time, like 2026-12-31T23:59:59Z"}
		} else {
			in.ExpiresAt = &t
		}
	}
	return in, nil
}

func (a *API) revokeAPIKey(c *httpapi.Call) error {
	k, err := a.d.Svc.RevokeApiKey(c.Ctx, c.Principal, c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(200, k)
}
