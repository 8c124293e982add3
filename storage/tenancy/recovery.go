package tenancy

import (
	"errors"
	"fmt"
	"strings"

	"github.com/humd/humd/storage"
)

// RecoveryKey makes a key for someone locked out of a stopped humd (humd
// admin create-key): a new user named for the recovery joins the org with
// role, and owns the key, so the team page shows who got in and when.
// siteAdmin makes both the user and the key site admins. org is an org id
// or its exact name.
func (r *Repo) RecoveryKey(org string, role Role, siteAdmin bool) (*CreatedKey, *Org, error) {
	if !role.Valid() {
		return nil, nil, storage.Invalid("role", "must be viewer, operator or admin")
	}
	o, err := r.findOrg(org)
	if err != nil {
		return nil, nil, err
	}
	now := r.now()
	u := &User{ID: storage.NewID("user"), Name: "Recovery " + now.UTC().Format("2006-01-02 15:04"), SiteAdmin: siteAdmin, CreatedAt: now}
	u.Email = "recovery-" + strings.ToLower(u.ID) + "@localhost"
	secret := NewSecret()
	k := &APIKey{ID: storage.NewID("key"), OrgID: o.ID, Name: "recovery (humd admin create-key)", Role: role, OwnerUserID: u.ID,
		SiteAdmin: siteAdmin, Prefix: displayPrefix(secret), Hash: HashKey(secret), CreatedAt: now}
	b := r.Store.NewBatch()
	putUser(b, u)
	putMember(b, &Membership{OrgID: o.ID, UserID: u.ID, Role: role, CreatedAt: now})
	putKey(b, k)
	if err := b.Commit(storage.Sync); err != nil {
		return nil, nil, fmt.Errorf("tenancy: recovery key: %w", err)
	}
	return &CreatedKey{KeyView: view(k), Key: secret}, o, nil
}

// findOrg answers the org with this id, else the one org with this name.
func (r *Repo) findOrg(idOrName string) (*Org, error) {
	if o, err := r.Org(idOrName); err == nil {
		return o, nil
	} else if !errors.Is(err, storage.ErrNotFound) {
		return nil, err
	}
	var found []*Org
	err := r.Store.Scan(storage.Prefix("org"), storage.ScanOptions{}, func(_, v []byte) (bool, error) {
		var rec orgRecord
		if err := storage.DecodeJSON(v, &rec); err != nil {
			return false, err
		}
		if rec.Name == idOrName {
			found = append(found, rec.org())
		}
		return true, nil
	})
	switch {
	case err != nil:
		return nil, err
	case len(found) == 0:
		return nil, fmt.Errorf("tenancy: no org with id or name %q: %w", idOrName, storage.ErrNotFound)
	case len(found) > 1:
		return nil, fmt.Errorf("tenancy: %d orgs are named %q; give the id: %w", len(found), idOrName, storage.ErrConflict)
	}
	return found[0], nil
}

// ResetPassword sets a new console password for the user with email on a
// stopped humd (humd admin reset-password). The caller signs the user out
// of every browser session.
func (r *Repo) ResetPassword(email, password string) (*User, error) {
	u, err := r.userByEmail(email)
	if err != nil {
		return nil, err
	}
	if err := r.SetPassword(u.ID, password); err != nil {
		return nil, err
	}
	return u, nil
}
