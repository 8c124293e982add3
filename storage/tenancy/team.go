package tenancy

import (
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"github.com/humd/humd/storage"
)

// Member is one row of GET /api/team.
type Member struct {
	UserID    string    `json:"user_id"`
	Email     string    `json:"email"`
	Name      string    `json:"name"`
	Role      Role      `json:"role"`
	Status    string    `json:"status"` // active
	CreatedAt time.Time `json:"created_at"`
}

// Team is GET /api/team: members and pending invites.
type Team struct {
	Members []Member  `json:"members"`
	Invites []*Invite `json:"invites"`
}

// Team lists the org's members and pending invites.
func (r *Repo) Team(orgID string) (*Team, error) {
	t := &Team{Members: []Member{}, Invites: []*Invite{}}
	err := r.Store.Scan(prefixMembers(orgID), storage.ScanOptions{}, func(_, v []byte) (bool, error) {
		var m Membership
		if err := storage.DecodeJSON(v, &m); err != nil {
			return false, err
		}
		u, err := r.user(m.UserID)
		if err != nil {
			return false, err
		}
		t.Members = append(t.Members, Member{UserID: u.ID, Email: u.Email, Name: u.Name, Role: m.Role, Status: "active", CreatedAt: m.CreatedAt})
		return true, nil
	})
	if err != nil {
		return nil, err
	}
	err = r.Store.Scan(prefixInvites(orgID), storage.ScanOptions{}, func(_, v []byte) (bool, error) {
		var inv Invite
		if err := storage.DecodeJSON(v, &inv); err != nil {
			return false, err
		}
		t.Invites = append(t.Invites, &inv)
		return true, nil
	})
	return t, err
}

// InviteResult answers POST /api/team/invites: a user who already exists
// joins at once; anyone else gets a pending invite that turns into a
// membership when a user with that email is created.
type InviteResult struct {
	Status string  `json:"status"` // "added" or "invited"
	Member *Member `json:"member,omitempty"`
	Invite *Invite `json:"invite,omitempty"`
}

// InviteInput is the input of POST /api/team/invites.
type InviteInput struct {
	Email string `json:"email"`
	Role  Role   `json:"role"`
}

// Invite adds or invites a person to the caller's org.
func (r *Repo) Invite(p *Principal, req InviteInput) (*InviteResult, error) {
	v := &storage.ValidationError{}
	req.Email = strings.TrimSpace(req.Email)
	if a, err := mail.ParseAddress(req.Email); err != nil || a.Address != req.Email || len(req.Email) > 254 {
		v.Add("email", "must be a plain email address")
	}
	if !req.Role.Valid() {
		v.Add("role", "must be viewer, operator or admin")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	defer r.lockOrg(p.OrgID)()
	now := r.now()
	u, err := r.userByEmail(req.Email)
	switch {
	case err == nil:
		if _, err := r.membership(p.OrgID, u.ID); err == nil {
			return nil, storage.Conflict("already_member", req.Email+" is already a member")
		}
		m := &Membership{OrgID: p.OrgID, UserID: u.ID, Role: req.Role, CreatedAt: now}
		b := r.Store.NewBatch()
		putMember(b, m)
		if err := b.Commit(storage.Sync); err != nil {
			return nil, err
		}
		return &InviteResult{Status: "added", Member: &Member{UserID: u.ID, Email: u.Email, Name: u.Name, Role: m.Role, Status: "active", CreatedAt: now}}, nil
	case !errors.Is(err, storage.ErrNotFound):
		return nil, err
	}
	dup := false
	err = r.Store.Scan(prefixInvites(p.OrgID), storage.ScanOptions{}, func(_, v []byte) (bool, error) {
		var inv Invite
		if err := storage.DecodeJSON(v, &inv); err != nil {
			return false, err
		}
		dup = strings.EqualFold(inv.Email, req.Email)
		return !dup, nil
	})
	if err != nil {
		return nil, err
	}
	if dup {
		return nil, storage.Conflict("already_invited", req.Email+" already has a pending invite")
	}
	inv := &Invite{ID: storage.NewID("inv"), OrgID: p.OrgID, Email: req.Email, Role: req.Role, InvitedBy: p.UserID, CreatedAt: now}
	b := r.Store.NewBatch()
	b.SetJSON(keyInvite(p.OrgID, inv.ID), inv)
	if err := b.Commit(storage.Sync); err != nil {
		return nil, err
	}
	return &InviteResult{Status: "invited", Invite: inv}, nil
}

// RevokeInvite deletes a pending invite.
func (r *Repo) RevokeInvite(orgID, inviteID string) error {
	if ok, err := r.Store.Has(keyInvite(orgID, inviteID)); err != nil || !ok {
		if err == nil {
			err = storage.ErrNotFound
		}
		return fmt.Errorf("tenancy: invite %s: %w", inviteID, err)
	}
	b := r.Store.NewBatch()
	b.Delete(keyInvite(orgID, inviteID))
	return b.Commit(storage.Sync)
}

// adminCount counts the org's admins.
func (r *Repo) adminCount(orgID string) (int, error) {
	n := 0
	err := r.Store.Scan(prefixMembers(orgID), storage.ScanOptions{}, func(_, v []byte) (bool, error) {
		var m Membership
		if err := storage.DecodeJSON(v, &m); err != nil {
			return false, err
		}
		if m.Role == Admin {
			n++
		}
		return true, nil
	})
	return n, err
}

// RoleInput is the input of PATCH /api/team/{userId}.
type RoleInput struct {
	Role Role `json:"role"`
}

// ChangeRole sets a member's role; the org's last admin cannot be demoted.
func (r *Repo) ChangeRole(orgID, userID string, req RoleInput) (*Member, error) {
	defer r.lockOrg(orgID)()
	m, err := r.membership(orgID, userID)
	if err != nil {
		return nil, err
	}
	if !req.Role.Valid() {
		return nil, storage.Invalid("role", "must be viewer, operator or admin")
	}
	if m.Role == Admin && req.Role != Admin {
		if err := r.ensureNotLastAdmin(orgID); err != nil {
			return nil, err
		}
	}
	m.Role = req.Role
	b := r.Store.NewBatch()
	putMember(b, m)
	if err := b.Commit(storage.Sync); err != nil {
		return nil, err
	}
	u, err := r.user(userID)
	if err != nil {
		return nil, err
	}
	return &Member{UserID: u.ID, Email: u.Email, Name: u.Name, Role: m.Role, Status: "active", CreatedAt: m.CreatedAt}, nil
}

func (r *Repo) ensureNotLastAdmin(orgID string) error {
	n, err := r.adminCount(orgID)
	if err != nil {
		return err
	}
	if n <= 1 {
		return storage.Conflict("last_admin", "the org's last admin cannot be removed or demoted")
	}
	return nil
}

// RemoveMember takes a user out of the org and revokes their keys in it, in
// the same batch. Ownership alone would stop the keys only while the user is
// away: adding them back must not bring old, possibly leaked, keys back.
func (r *Repo) RemoveMember(orgID, userID string) error {
	defer r.lockOrg(orgID)()
	m, err := r.membership(orgID, userID)
	if err != nil {
		return err
	}
	if m.Role == Admin {
		if err := r.ensureNotLastAdmin(orgID); err != nil {
			return err
		}
	}
	b := r.Store.NewBatch()
	now := r.now()
	err = r.Store.Scan(prefixAPIKeys(orgID), storage.ScanOptions{}, func(_, v []byte) (bool, error) {
		var k APIKey
		if err := storage.DecodeJSON(v, &k); err != nil {
			return false, err
		}
		if k.OwnerUserID == userID && k.RevokedAt == nil {
			revoke(b, &k, now)
		}
		return true, nil
	})
	if err != nil {
		b.Discard()
		return fmt.Errorf("tenancy: revoke keys of %s: %w", userID, err)
	}
	b.Delete(keyMember(orgID, userID))
	b.Delete(keyUserOrg(userID, orgID))
	return b.Commit(storage.Sync)
}
