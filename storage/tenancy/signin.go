package tenancy

import (
	"errors"
	"fmt"
	"net/mail"
	"strings"

	"github.com/humd/humd/storage"
)

// ErrNoAccount is a verified sign-in for an email humd has no user or
// pending invite for.
var ErrNoAccount = fmt.Errorf("tenancy: no account or invite for this email: %w", storage.ErrForbidden)

// ErrNoOrg is a user who belongs to no org, so a session has nothing to act in.
var ErrNoOrg = fmt.Errorf("tenancy: the user belongs to no org: %w", storage.ErrForbidden)

// User loads a user.
func (r *Repo) User(id string) (*User, error) { return r.user(id) }

// SessionPrincipal is the principal of a browser session of userID acting
// in orgID: the user's current role in that org, no scopes, and site admin
// when the user is one. It is the session's counterpart of Authenticate,
// and like it answers storage.ErrUnauthorized when the user left the org.
func (r *Repo) SessionPrincipal(userID, orgID, sessionID string) (*Principal, error) {
	m, err := r.membership(orgID, userID)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, fmt.Errorf("tenancy: session user left org %s: %w", orgID, storage.ErrUnauthorized)
	}
	if err != nil {
		return nil, err
	}
	u, err := r.user(userID)
	if err != nil {
		return nil, err
	}
	return &Principal{OrgID: orgID, UserID: userID, SessionID: sessionID, KeyName: "browser session", Role: m.Role, SiteAdmin: u.SiteAdmin}, nil
}

// DefaultOrg is the org a new session starts in: the first of the user's
// orgs by id, or ErrNoOrg.
func (r *Repo) DefaultOrg(userID string) (string, error) {
	org := ""
	err := r.Store.Scan(prefixUserOrgs(userID), storage.ScanOptions{}, func(k, _ []byte) (bool, error) {
		org = string(k[len(prefixUserOrgs(userID)):])
		return false, nil
	})
	if err != nil {
		return "", err
	}
	if org == "" {
		return "", ErrNoOrg
	}
	return org, nil
}

// SignInVerified is a sign-in by an identity provider that vouched for
// email: the user with that email, created when pending invites name it.
// Every pending invite for the email becomes a membership (an invite
// records a person who had no user yet; this is their first sign-in), all
// in one batch. Without a user or an invite it answers ErrNoAccount.
func (r *Repo) SignInVerified(email, name string) (*User, error) {
	email = strings.TrimSpace(email)
	if a, err := mail.ParseAddress(email); err != nil || a.Address != email || len(email) > 254 {
		return nil, storage.Invalid("email", "the identity provider sent no plain email address")
	}
	var invites []Invite
	err := r.Store.Scan(storage.Prefix("invite"), storage.ScanOptions{}, func(_, v []byte) (bool, error) {
		var inv Invite
		if err := storage.DecodeJSON(v, &inv); err != nil {
			return true, nil // an unreadable invite is skipped, not a refused sign-in
		}
		if strings.EqualFold(inv.Email, email) {
			invites = append(invites, inv)
		}
		return true, nil
	})
	if err != nil {
		return nil, err
	}
	now := r.now()
	u, err := r.userByEmail(email)
	b := r.Store.NewBatch()
	switch {
	case errors.Is(err, storage.ErrNotFound) && len(invites) == 0:
		b.Discard()
		return nil, ErrNoAccount
	case errors.Is(err, storage.ErrNotFound):
		if name = strings.TrimSpace(name); name == "" || len(name) > 120 {
			name = strings.Split(email, "@")[0]
		}
		u = &User{ID: storage.NewID("user"), Email: email, Name: name, CreatedAt: now}
		putUser(b, u)
	case err != nil:
		b.Discard()
		return nil, err
	}
	for _, inv := range invites {
		unlock := r.lockOrg(inv.OrgID)
		_, err := r.membership(inv.OrgID, u.ID)
		unlock()
		if errors.Is(err, storage.ErrNotFound) {
			putMember(b, &Membership{OrgID: inv.OrgID, UserID: u.ID, Role: inv.Role, CreatedAt: now})
		}
		b.Delete(keyInvite(inv.OrgID, inv.ID))
	}
	if b.Empty() {
		b.Discard()
		return u, nil
	}
	if err := b.Commit(storage.Sync); err != nil {
		return nil, fmt.Errorf("tenancy: sign in %s: %w", email, err)
	}
	return u, nil
}

// NewOrgInput is a self-service org.
type NewOrgInput struct {
	Name string
}

// CreateOrg makes an org whose only member, an admin, is userID (POST
// /api/orgs: any signed-in user may start an org of their own).
func (r *Repo) CreateOrg(userID string, in NewOrgInput) (*Org, error) {
	name := strings.TrimSpace(in.Name)
	v := &storage.ValidationError{}
	checkText(v, "name", name, 1, 120)
	if err := v.Err(); err != nil {
		return nil, err
	}
	if _, err := r.user(userID); err != nil {
		return nil, err
	}
	now := r.now()
	org := newOrg(name, now)
	b := r.Store.NewBatch()
	putOrg(b, org)
	putMember(b, &Membership{OrgID: org.ID, UserID: userID, Role: Admin, CreatedAt: now})
	if err := b.Commit(storage.Sync); err != nil {
		return nil, fmt.Errorf("tenancy: create org: %w", err)
	}
	return org, nil
}
