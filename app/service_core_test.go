package app_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/humd/humd/app/apptest"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/tenancy"
)

// TestServiceCore drives the core area through a.Svc, without HTTP: roles
// (a viewer may read the org but not edit it; only a site admin
// provisions), bad inputs named by their wire field, and one happy path
// each for the org, the team and API keys.
func TestServiceCore(t *testing.T) {
	s := apptest.Start(t, apptest.Options{})
	ctx := context.Background()
	svc := s.App.Svc
	org := s.OrgID()
	viewer := &tenancy.Principal{OrgID: org, Role: tenancy.Viewer}
	admin := &tenancy.Principal{OrgID: org, UserID: s.App.Bootstrap.User.ID, Role: tenancy.Admin}
	site := &tenancy.Principal{OrgID: org, UserID: s.App.Bootstrap.User.ID, Role: tenancy.Admin, SiteAdmin: true}
	name := "Acme"

	// The org.
	if _, err := svc.UpdateOrg(ctx, viewer, tenancy.OrgPatch{Name: &name}); !errors.Is(err, storage.ErrForbidden) {
		t.Errorf("viewer edits the org: %v; want forbidden", err)
	}
	zone := "Mars/Olympus"
	_, err := svc.UpdateOrg(ctx, admin, tenancy.OrgPatch{Timezone: &zone})
	wantField(t, "unknown time zone", err, "timezone")
	hours := json.RawMessage(`{"timezone":"America/New_York","weekly":{"mon":[["09:00","17:00"]]}}`)
	if o, err := svc.UpdateOrg(ctx, admin, tenancy.OrgPatch{Name: &name, BusinessHoursJSON: storage.Some(hours)}); err != nil || o.Name != "Acme" {
		t.Fatalf("update org = %+v, %v", o, err)
	}
	// business_hours_json null means no hours (always open), as documented.
	if o, err := svc.UpdateOrg(ctx, admin, tenancy.OrgPatch{BusinessHoursJSON: storage.Opt[json.RawMessage]{Set: true, Null: true}}); err != nil || string(o.BusinessHoursJSON) != "null" {
		t.Errorf("business hours null = %s, %v; want null", o.BusinessHoursJSON, err)
	}
	if o, err := svc.GetOrg(ctx, viewer); err != nil || o.Name != "Acme" {
		t.Errorf("viewer reads the org = %+v, %v", o, err)
	}
	if me, err := svc.GetMe(ctx, admin); err != nil || me.CurrentOrg.ID != org {
		t.Errorf("me = %+v, %v", me, err)
	}

	// Provisioning.
	if _, err := svc.ProvisionOrg(ctx, admin, tenancy.CreateOrgRequest{Name: "B"}); !errors.Is(err, storage.ErrForbidden) {
		t.Errorf("an org admin provisions: %v; want forbidden", err)
	}
	_, err = svc.ProvisionOrg(ctx, site, tenancy.CreateOrgRequest{Name: "B", OwnerEmail: "not an email"})
	wantField(t, "bad owner email", err, "owner_email")
	if c, err := svc.ProvisionOrg(ctx, site, tenancy.CreateOrgRequest{Name: "B", OwnerEmail2: "owner@example.com"}); err != nil || c.OwnerEmail != "owner@example.com" || c.APIKey == "" {
		t.Errorf("provision = %+v, %v", c, err)
	}

	// The team.
	if _, err := svc.InviteMember(ctx, viewer, tenancy.InviteInput{Email: "ops@example.com", Role: tenancy.Operator}); !errors.Is(err, storage.ErrForbidden) {
		t.Errorf("viewer invites: %v; want forbidden", err)
	}
	_, err = svc.InviteMember(ctx, admin, tenancy.InviteInput{Email: "ops@example.com", Role: "root"})
	wantField(t, "unknown role", err, "role")
	inv, err := svc.InviteMember(ctx, admin, tenancy.InviteInput{Email: "ops@example.com", Role: tenancy.Operator})
	if err != nil || inv.Status != "invited" {
		t.Fatalf("invite = %+v, %v", inv, err)
	}
	team, err := svc.ListTeam(ctx, viewer)
	if err != nil || len(team.Invites) != 1 {
		t.Errorf("team = %+v, %v; want the invite", team, err)
	}
	if err := svc.RevokeInvite(ctx, admin, inv.Invite.ID); err != nil {
		t.Errorf("revoke invite: %v", err)
	}
	_, err = svc.ChangeMemberRole(ctx, admin, admin.UserID, tenancy.RoleInput{Role: "root"})
	wantField(t, "unknown role", err, "role")
	var ce *storage.ConflictError
	if _, err := svc.ChangeMemberRole(ctx, admin, admin.UserID, tenancy.RoleInput{Role: tenancy.Viewer}); !errors.As(err, &ce) || ce.Code != "last_admin" {
		t.Errorf("demote the last admin: %v; want last_admin", err)
	}
	if err := svc.RemoveMember(ctx, viewer, admin.UserID); !errors.Is(err, storage.ErrForbidden) {
		t.Errorf("viewer removes a member: %v; want forbidden", err)
	}

	// API keys.
	if _, _, err := svc.ListApiKeys(ctx, viewer, storage.PageRequest{}); !errors.Is(err, storage.ErrForbidden) {
		t.Errorf("viewer lists keys: %v; want forbidden", err)
	}
	_, err = svc.CreateApiKey(ctx, admin, tenancy.KeyInput{Name: "ci", Role: tenancy.Viewer, Scopes: []string{"nope"}})
	wantField(t, "unknown scope", err, "scopes")
	past := s.Clock.Now().Add(-time.Hour)
	_, err = svc.CreateApiKey(ctx, admin, tenancy.KeyInput{Name: "ci", Role: tenancy.Viewer, ExpiresAt: &past})
	wantField(t, "expiry in the past", err, "expires_at")
	_, err = svc.CreateApiKey(ctx, admin, tenancy.KeyInput{Name: "", Role: tenancy.Viewer, Problems: map[string]string{"expires_at": "must be an RFC 3339 time"}})
	wantField(t, "a wire problem", err, "expires_at")
	wantField(t, "a wire problem and an empty name", err, "name")
	k, err := svc.CreateApiKey(ctx, admin, tenancy.KeyInput{Name: "ci", Role: tenancy.Viewer, Scopes: []string{"sms:read"}})
	if err != nil || k.Key == "" {
		t.Fatalf("create key = %+v, %v", k, err)
	}
	if kv, err := svc.RevokeApiKey(ctx, admin, k.ID); err != nil || kv.RevokedAt == nil {
		t.Errorf("revoke key = %+v, %v", kv, err)
	}
	keys, _, err := svc.ListApiKeys(ctx, admin, storage.PageRequest{Limit: 50})
	if err != nil || len(keys) < 2 {
		t.Errorf("keys = %+v, %v", keys, err)
	}
}
