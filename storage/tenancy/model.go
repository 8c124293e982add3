package tenancy

import (
	"encoding/json"
	"time"
)

// Role is an org role. Order matters: a higher role can do everything a lower one can.
type Role string

const (
	Viewer   Role = "viewer"
	Operator Role = "operator"
	Admin    Role = "admin"
)

// Rank orders roles; unknown roles rank 0 and can do nothing.
func (r Role) Rank() int {
	switch r {
	case Viewer:
		return 1
	case Operator:
		return 2
	case Admin:
		return 3
	}
	return 0
}

// Valid reports whether r is one of the three roles.
func (r Role) Valid() bool { return r.Rank() > 0 }

// AtLeast reports whether r grants everything min grants.
func (r Role) AtLeast(min Role) bool { return r.Rank() >= min.Rank() && r.Valid() }

// Lower returns the lower of two roles.
func Lower(a, b Role) Role {
	if a.Rank() <= b.Rank() {
		return a
	}
	return b
}

// Org is a tenant.
type Org struct {
	ID                string          `json:"id"`
	Name              string          `json:"name"`
	Timezone          string          `json:"timezone"`
	BusinessHoursJSON json.RawMessage `json:"business_hours_json"`
	HelpText          string          `json:"help_text"`
	StopText          string          `json:"stop_text"`
	StartText         string          `json:"start_text"`
	// Plan is the site admin's label for the org's plan (provisionOrg); the
	// org's own admins may read it but not change it.
	Plan      string    `json:"plan,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	// AdminNotes are site admins' notes (provisionOrg). Org is also what GET
	// /api/org answers, so they never marshal from here: orgRecord stores them.
	AdminNotes string `json:"-"`
}

// orgRecord is an Org as stored: its fields flat, plus the admin notes its
// own JSON leaves out (the embedded AdminNotes is "-", this one is not).
type orgRecord struct {
	orgFields
	AdminNotes string `json:"admin_notes,omitempty"`
}

type orgFields Org

func (o *Org) record() *orgRecord {
	return &orgRecord{orgFields: orgFields(*o), AdminNotes: o.AdminNotes}
}

func (rec *orgRecord) org() *Org {
	o := Org(rec.orgFields)
	o.AdminNotes = rec.AdminNotes
	return &o
}

// User is a person; users belong to orgs through memberships.
type User struct {
	ID        string    `json:"id"`
	Email     string    `json:"email"`
	Name      string    `json:"name"`
	SiteAdmin bool      `json:"site_admin"`
	CreatedAt time.Time `json:"created_at"`
}

// Membership gives a user a role in an org.
type Membership struct {
	OrgID     string    `json:"org_id"`
	UserID    string    `json:"user_id"`
	Role      Role      `json:"role"`
	CreatedAt time.Time `json:"created_at"`
}

// Invite is a pending membership for an email that has no user yet.
type Invite struct {
	ID        string    `json:"id"`
	OrgID     string    `json:"org_id"`
	Email     string    `json:"email"`
	Role      Role      `json:"role"`
	InvitedBy string    `json:"invited_by"`
	CreatedAt time.Time `json:"created_at"`
}

// APIKey is the stored half of an API key: the secret itself is never stored,
// only its SHA-256 (keys carry 190 bits of randomness, so a fast hash is safe).
type APIKey struct {
	ID          string `json:"id"`
	OrgID       string `json:"org_id"`
	Name        string `json:"name"`
	Role        Role   `json:"role"`
	OwnerUserID string `json:"owner_user_id"`
	SiteAdmin   bool   `json:"site_admin"`
	Prefix      string `json:"prefix"`
	Hash        string `json:"hash"`
	// Scopes narrow what the key may do (see scopes.go); none means
	// everything its role allows, as for keys made before scopes existed.
	Scopes    []string   `json:"scopes,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
}

// Principal is who is calling: resolved from an API key on every request.
type Principal struct {
	OrgID   string
	UserID  string
	KeyID   string
	KeyName string
	// SessionID is set, instead of KeyID, for a browser session
	// (SessionPrincipal).
	SessionID string
	Role      Role // effective: the lower of the key's role and its owner's current role
	SiteAdmin bool // a site:admin key whose owner is still a site admin
	// ExpiresAt is the calling key's expiry, if it has one: keys it makes
	// may not outlive it.
	ExpiresAt *time.Time
	// Scopes are the key's scopes; empty means all its role allows. They
	// narrow Role, never widen it: see Grants.
	Scopes []string
}
