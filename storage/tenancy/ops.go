package tenancy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/humd/humd/storage"
)

// OrgPatch is the input of PATCH /api/org (transport decodes the body into
// it). Absent fields, and null text fields, stay as they are; a
// business_hours_json of null means no business hours (always open).
type OrgPatch struct {
	Name              *string                      `json:"name"`
	Timezone          *string                      `json:"timezone"`
	BusinessHoursJSON storage.Opt[json.RawMessage] `json:"business_hours_json"`
	HelpText          *string                      `json:"help_text"`
	StopText          *string                      `json:"stop_text"`
	StartText         *string                      `json:"start_text"`
}

func checkText(v *storage.ValidationError, field, s string, min, max int) {
	n := utf8.RuneCountInString(s)
	if n < min || n > max {
		v.Addf(field, "must be %d to %d characters", min, max)
	}
}

// PatchOrg applies a PATCH /api/org input.
func (r *Repo) PatchOrg(orgID string, p OrgPatch) (*Org, error) {
	defer r.lockOrg(orgID)()
	o, err := r.Org(orgID)
	if err != nil {
		return nil, err
	}
	v := &storage.ValidationError{}
	if p.Name != nil {
		checkText(v, "name", strings.TrimSpace(*p.Name), 1, 120)
		o.Name = strings.TrimSpace(*p.Name)
	}
	if p.Timezone != nil {
		if _, err := time.LoadLocation(*p.Timezone); err != nil || *p.Timezone == "" || *p.Timezone == "Local" {
			v.Add("timezone", "unknown IANA time zone")
		}
		o.Timezone = *p.Timezone
	}
	if p.BusinessHoursJSON.Set {
		raw := p.BusinessHoursJSON.V
		if p.BusinessHoursJSON.Null || len(bytes.TrimSpace(raw)) == 0 {
			raw = json.RawMessage("null")
		}
		if r.ValidateHours != nil {
			if err := r.ValidateHours(raw); err != nil {
				var ve *storage.ValidationError
				if !errors.As(err, &ve) {
					return nil, err
				}
				for f, m := range ve.Fields {
					v.Add(f, m)
				}
			}
		}
		o.BusinessHoursJSON = raw
	}
	for _, t := range []struct {
		field string
		in    *string
		out   *string
	}{{"help_text", p.HelpText, &o.HelpText}, {"stop_text", p.StopText, &o.StopText}, {"start_text", p.StartText, &o.StartText}} {
		if t.in != nil {
			checkText(v, t.field, *t.in, 1, 1600)
			*t.out = *t.in
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	o.UpdatedAt = r.now()
	b := r.Store.NewBatch()
	putOrg(b, o)
	if err := b.Commit(storage.Sync); err != nil {
		return nil, err
	}
	r.forgetOrg(o.ID)
	return o, nil
}

// OrgRole is one entry of Me.Orgs.
type OrgRole struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Role Role   `json:"role"`
}

// Me is GET /api/me.
type Me struct {
	User       UserView  `json:"user"`
	CurrentOrg OrgRole   `json:"current_org"`
	Orgs       []OrgRole `json:"orgs"`
	APIKey     KeyRef    `json:"api_key"`
}

// UserView is the public part of a user.
type UserView struct {
	ID        string `json:"id"`
	Email     string `json:"email"`
	Name      string `json:"name"`
	SiteAdmin bool   `json:"site_admin"`
}

// KeyRef names the key a request used.
type KeyRef struct {
	ID     string   `json:"id"`
	Name   string   `json:"name"`
	Role   Role     `json:"role"`
	Scopes []string `json:"scopes"` // [] means all the role allows
}

// Me answers GET /api/me for p.
func (r *Repo) Me(p *Principal) (*Me, error) {
	u, err := r.user(p.UserID)
	if err != nil {
		return nil, err
	}
	org, err := r.Org(p.OrgID)
	if err != nil {
		return nil, err
	}
	me := &Me{User: UserView{ID: u.ID, Email: u.Email, Name: u.Name, SiteAdmin: u.SiteAdmin},
		CurrentOrg: OrgRole{ID: org.ID, Name: org.Name, Role: p.Role},
		APIKey:     KeyRef{ID: p.KeyID, Name: p.KeyName, Role: p.Role, Scopes: scopesOut(p.Scopes)}, Orgs: []OrgRole{}}
	err = r.Store.Scan(prefixUserOrgs(u.ID), storage.ScanOptions{}, func(k, v []byte) (bool, error) {
		orgID := string(k[len(prefixUserOrgs(u.ID)):])
		o, err := r.Org(orgID)
		if err != nil {
			return false, err
		}
		me.Orgs = append(me.Orgs, OrgRole{ID: o.ID, Name: o.Name, Role: Role(v)})
		return true, nil
	})
	return me, err
}

// CreateOrgRequest is the input of POST /api/admin/orgs (transport decodes
// the body into it). OwnerEmail2 is the seed's spelling, ownerEmail.
type CreateOrgRequest struct {
	Name        string `json:"name"`
	OwnerEmail  string `json:"owner_email"`
	OwnerEmail2 string `json:"ownerEmail"`
	Plan        string `json:"plan"`
	AdminNotes  string `json:"adminNotes"`
	Confirm     *bool  `json:"confirm"`
}

// CreatedOrg answers POST /api/admin/orgs. Only a site admin sees it, so it
// is the one answer that carries the admin notes.
type CreatedOrg struct {
	OrgID      string `json:"org_id"`
	Name       string `json:"name"`
	OwnerEmail string `json:"owner_email,omitempty"`
	OwnerID    string `json:"owner_user_id"`
	APIKeyID   string `json:"api_key_id"`
	APIKey     string `json:"api_key"`
	Plan       string `json:"plan,omitempty"`
	AdminNotes string `json:"admin_notes,omitempty"`
}

// ProvisionOrg creates an org for a site admin: the owner (found or created by
// email, else the caller) becomes its admin, and an admin key owned by them is
// answered once. The plan and admin notes are stored on the org.
func (r *Repo) ProvisionOrg(p *Principal, req CreateOrgRequest) (*CreatedOrg, error) {
	if !p.SiteAdmin {
		return nil, fmt.Errorf("tenancy: provision org needs a site:admin key: %w", storage.ErrForbidden)
	}
	if req.OwnerEmail == "" {
		req.OwnerEmail = req.OwnerEmail2
	}
	v := &storage.ValidationError{}
	req.Name = strings.TrimSpace(req.Name)
	req.Plan = strings.TrimSpace(req.Plan)
	req.AdminNotes = strings.TrimSpace(req.AdminNotes)
	checkText(v, "name", req.Name, 1, 120)
	if req.OwnerEmail != "" {
		if a, err := mail.ParseAddress(req.OwnerEmail); err != nil || a.Address != req.OwnerEmail || len(req.OwnerEmail) > 254 {
			v.Add("owner_email", "must be a plain email address")
		}
	}
	checkText(v, "plan", req.Plan, 0, 60)
	checkText(v, "adminNotes", req.AdminNotes, 0, 2000)
	if err := v.Err(); err != nil {
		return nil, err
	}
	now := r.now()
	b := r.Store.NewBatch()
	ownerID := p.UserID
	if req.OwnerEmail != "" {
		u, err := r.userByEmail(req.OwnerEmail)
		switch {
		case errors.Is(err, storage.ErrNotFound):
			u = &User{ID: storage.NewID("user"), Email: req.OwnerEmail, Name: strings.Split(req.OwnerEmail, "@")[0], CreatedAt: now}
			putUser(b, u)
		case err != nil:
			b.Discard()
			return nil, err
		}
		ownerID = u.ID
	}
	org := newOrg(req.Name, now)
	org.Plan, org.AdminNotes = req.Plan, req.AdminNotes
	putOrg(b, org)
	putMember(b, &Membership{OrgID: org.ID, UserID: ownerID, Role: Admin, CreatedAt: now})
	secret := NewSecret()
	k := &APIKey{ID: storage.NewID("key"), OrgID: org.ID, Name: "provisioned admin", Role: Admin, OwnerUserID: ownerID,
		Prefix: displayPrefix(secret), Hash: HashKey(secret), CreatedAt: now}
	putKey(b, k)
	if err := b.Commit(storage.Sync); err != nil {
		return nil, err
	}
	return &CreatedOrg{OrgID: org.ID, Name: org.Name, OwnerEmail: req.OwnerEmail, OwnerID: ownerID, APIKeyID: k.ID, APIKey: secret,
		Plan: org.Plan, AdminNotes: org.AdminNotes}, nil
}

// KeyView is an API key as listed (never the secret).
type KeyView struct {
	ID          string     `json:"id"`
	Name        string     `json:"name"`
	Role        Role       `json:"role"`
	Prefix      string     `json:"prefix"`
	OwnerUserID string     `json:"owner_user_id"`
	SiteAdmin   bool       `json:"site_admin"`
	Scopes      []string   `json:"scopes"` // [] means all the role allows
	CreatedAt   time.Time  `json:"created_at"`
	ExpiresAt   *time.Time `json:"expires_at"`
	RevokedAt   *time.Time `json:"revoked_at"`
}

// CreatedKey answers POST /api/api-keys: the only time the secret is shown.
type CreatedKey struct {
	KeyView
	Key string `json:"key"`
}

func view(k *APIKey) KeyView {
	return KeyView{ID: k.ID, Name: k.Name, Role: k.Role, Prefix: k.Prefix, OwnerUserID: k.OwnerUserID,
		SiteAdmin: k.SiteAdmin, Scopes: scopesOut(k.Scopes), CreatedAt: k.CreatedAt, ExpiresAt: k.ExpiresAt, RevokedAt: k.RevokedAt}
}

// scopesOut answers [] rather than null for a key without scopes.
func scopesOut(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// KeyInput is the input of POST /api/api-keys. Problems are the fields the
// wire decoder could not read (an expires_at that is no RFC 3339 time),
// answered with the others in one validation error.
type KeyInput struct {
	Name      string            `json:"name"`
	Role      Role              `json:"role"`
	Scopes    []string          `json:"scopes"`
	ExpiresAt *time.Time        `json:"expires_at"`
	Problems  map[string]string `json:"-"`
}

// CreateKey makes a key owned by the caller's user, with a role no higher
// than the caller's own, optional scopes (scopes.go) and an optional expiry,
// which must be in the future.
func (r *Repo) CreateKey(p *Principal, req KeyInput) (*CreatedKey, error) {
	now := r.now()
	v := &storage.ValidationError{}
	for field, msg := range req.Problems {
		v.Add(field, msg)
	}
	req.Name = strings.TrimSpace(req.Name)
	checkText(v, "name", req.Name, 1, 100)
	switch {
	case !req.Role.Valid():
		v.Add("role", "must be viewer, operator or admin")
	case !p.Role.AtLeast(req.Role):
		v.Add("role", "cannot be higher than your own role ("+string(p.Role)+")")
	}
	scopes := checkScopes(v, req.Scopes)
	narrowerThanCaller(v, p, scopes)
	var expires *time.Time
	if req.ExpiresAt != nil {
		if t := *req.ExpiresAt; !t.After(now) {
			v.Add("expires_at", "must be in the future")
		} else {
			t = t.UTC()
			expires = &t
		}
	}
	if p.ExpiresAt != nil && (expires == nil || expires.After(*p.ExpiresAt)) && v.Fields["expires_at"] == "" {
		v.Add("expires_at", "a key that expires may only make keys that expire by "+p.ExpiresAt.Format(time.RFC3339))
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	secret := NewSecret()
	k := &APIKey{ID: storage.NewID("key"), OrgID: p.OrgID, Name: req.Name, Role: req.Role, OwnerUserID: p.UserID,
		Prefix: displayPrefix(secret), Hash: HashKey(secret), Scopes: scopes, CreatedAt: now, ExpiresAt: expires}
	b := r.Store.NewBatch()
	putKey(b, k)
	if err := b.Commit(storage.Sync); err != nil {
		return nil, err
	}
	return &CreatedKey{KeyView: view(k), Key: secret}, nil
}

// ListKeys pages the org's keys, oldest first.
func (r *Repo) ListKeys(orgID string, page storage.PageRequest) ([]KeyView, string, error) {
	return storage.ListPage(r.Store, prefixAPIKeys(orgID), page, func(_, v []byte) (KeyView, bool, error) {
		var k APIKey
		if err := storage.DecodeJSON(v, &k); err != nil {
			return KeyView{}, false, err
		}
		return view(&k), true, nil
	})
}

// RevokeKey marks a key revoked and drops its lookup entry, so it stops
// working at once. Revoking a revoked key is a no-op.
func (r *Repo) RevokeKey(orgID, keyID string) (*KeyView, error) {
	var k APIKey
	if err := storage.GetJSON(r.Store, keyAPIKey(orgID, keyID), &k); err != nil {
		return nil, fmt.Errorf("tenancy: api key %s: %w", keyID, err)
	}
	if k.RevokedAt == nil {
		b := r.Store.NewBatch()
		revoke(b, &k, r.now())
		if err := b.Commit(storage.Sync); err != nil {
			return nil, err
		}
	}
	kv := view(&k)
	return &kv, nil
}

// revoke marks k revoked at now and drops its lookup entry, in b.
func revoke(b *storage.Batch, k *APIKey, now time.Time) {
	k.RevokedAt = &now
	b.SetJSON(keyAPIKey(k.OrgID, k.ID), k)
	b.Delete(keyAPIKeyHash(k.Hash))
}
