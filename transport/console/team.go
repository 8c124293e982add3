package console

import (
	"time"

	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/tenancy"
	"github.com/humd/humd/transport/httpapi"
)

// The team page (/team): members with their roles, pending invites, and
// the org's API keys. Everyone in the org sees the members; admins invite,
// change roles, remove, and manage keys (the service refuses the rest). A
// new key's secret is in the answer to the post that made it, never on a
// later page.

type teamView struct {
	formState
	Admin   bool
	Me      string
	Team    *tenancy.Team
	Keys    []tenancy.KeyView
	Members map[string]string
	Roles   []tenancy.Role
	Areas   []string
}

var roles = []tenancy.Role{tenancy.Viewer, tenancy.Operator, tenancy.Admin}

func (a *API) team(c *httpapi.Call, s *session) error { return a.showTeam(c, s, &teamView{}) }

func (a *API) showTeam(c *httpapi.Call, s *session, v *teamView) error {
	t, err := a.d.Svc.ListTeam(c.Ctx, s.P)
	if err != nil {
		return err
	}
	v.Team, v.Admin, v.Me, v.Roles, v.Areas = t, s.can(tenancy.Admin), s.P.UserID, roles, tenancy.ScopeAreas
	v.Members = map[string]string{}
	for _, m := range t.Members {
		v.Members[m.UserID] = m.Email
	}
	if v.Admin {
		if v.Keys, _, err = a.d.Svc.ListApiKeys(c.Ctx, s.P, storage.PageRequest{Limit: 200, Skips: c.Skips()}); err != nil {
			return err
		}
	}
	return a.render(c, v.status(), s, "team", "Team and access", "team", v)
}

// invite adds an existing user or invites an email, with a role.
func (a *API) invite(c *httpapi.Call, s *session) error {
	v := &teamView{}
	res, err := a.d.Svc.InviteMember(c.Ctx, s.P, tenancy.InviteInput{Email: form(c, "email"), Role: tenancy.Role(form(c, "role"))})
	if err != nil {
		if v.invalid(c, "invite", err, "email", "role") {
			return a.showTeam(c, s, v)
		}
		return err
	}
	if res.Status == "added" {
		v.Notice = form(c, "email") + " already had an account and is now a member."
	} else {
		v.Notice = form(c, "email") + " is invited: they join as " + string(res.Invite.Role) + " when they first sign in with that email."
	}
	return a.showTeam(c, s, v)
}

// revokeInvite withdraws a pending invite.
func (a *API) revokeInvite(c *httpapi.Call, s *session) error {
	if err := a.d.Svc.RevokeInvite(c.Ctx, s.P, c.Param("id")); err != nil {
		return err
	}
	return a.showTeam(c, s, &teamView{formState: formState{Notice: "Invite withdrawn."}})
}

// memberAction changes a member's role or removes them (their keys in the
// org are revoked with them).
func (a *API) memberAction(c *httpapi.Call, s *session) error {
	id, v := c.Param("id"), &teamView{}
	switch form(c, "action") {
	case "role":
		m, err := a.d.Svc.ChangeMemberRole(c.Ctx, s.P, id, tenancy.RoleInput{Role: tenancy.Role(form(c, "role"))})
		if err != nil {
			return err
		}
		v.Notice = m.Email + " is now " + string(m.Role) + "."
	case "remove":
		if err := a.d.Svc.RemoveMember(c.Ctx, s.P, id); err != nil {
			return err
		}
		v.Notice = "Member removed; their keys in this org are revoked."
	default:
		return errField("action", "must be role or remove")
	}
	return a.showTeam(c, s, v)
}

// createKey makes an API key and shows its secret, once.
func (a *API) createKey(c *httpapi.Call, s *session) error {
	in := tenancy.KeyInput{Name: form(c, "name"), Role: tenancy.Role(form(c, "role")), Problems: map[string]string{}}
	for _, area := range tenancy.ScopeAreas {
		switch lvl := form(c, "scope_"+area); lvl {
		case "read", "write":
			in.Scopes = append(in.Scopes, area+":"+lvl)
		case "":
		default:
			in.Problems["scopes"] = "each area is none, read or write"
		}
	}
	if d := form(c, "expires_on"); d != "" {
		t, err := time.Parse("2006-01-02", d)
		if err != nil {
			in.Problems["expires_at"] = "must be a date"
		} else {
			in.ExpiresAt = &t
		}
	}
	v := &teamView{}
	res, err := a.d.Svc.CreateApiKey(c.Ctx, s.P, in)
	if err != nil {
		if v.invalid(c, "key", err, "name", "role", "expires_on") {
			return a.showTeam(c, s, v)
		}
		return err
	}
	v.Notice = "API key " + res.Name + " made. Copy it now: humd keeps only its hash and will not show it again."
	v.Secret = &secretShown{What: "The key " + res.Name, Label: "API key secret", Value: res.Key,
		Note: "Send it as Authorization: Bearer <key>."}
	return a.showTeam(c, s, v)
}

// revokeKey stops a key at once.
func (a *API) revokeKey(c *httpapi.Call, s *session) error {
	k, err := a.d.Svc.RevokeApiKey(c.Ctx, s.P, c.Param("id"))
	if err != nil {
		return err
	}
	return a.showTeam(c, s, &teamView{formState: formState{Notice: "Key " + k.Name + " revoked."}})
}
