package app_test

import (
	"strings"
	"testing"

	"github.com/humd/humd/app/apptest"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/tenancy"
)

const adminKey = apptest.AdminKey

func TestBootstrapKeyIsSiteAdmin(t *testing.T) {
	s := apptest.Start(t, apptest.Options{})
	me := s.JSON("GET", "/api/me", adminKey, nil, 200)
	user := me["user"].(map[string]any)
	if user["site_admin"] != true {
		t.Errorf("bootstrap user site_admin = %v; want true", user["site_admin"])
	}
	if role := me["current_org"].(map[string]any)["role"]; role != "admin" {
		t.Errorf("bootstrap role = %v; want admin", role)
	}
	if !s.App.Bootstrap.Created || s.App.Bootstrap.Secret != adminKey {
		t.Errorf("bootstrap = %+v; want created with HUMD_ADMIN_KEY", s.App.Bootstrap)
	}
	// x-api-key works as well as Bearer; a key in the query string does not.
	status, _ := s.Do("GET", "/api/me?api_key="+adminKey, "", nil)
	if status != 401 {
		t.Errorf("key in query string: status %d; want 401", status)
	}
}

func TestAPIKeyShownOnceAndRevoked(t *testing.T) {
	s := apptest.Start(t, apptest.Options{})
	created := s.JSON("POST", "/api/api-keys", adminKey, map[string]any{"name": "ci", "role": "operator"}, 201)
	secret, _ := created["key"].(string)
	if !strings.HasPrefix(secret, "hum_live_") || len(secret) != len("hum_live_")+32 {
		t.Fatalf("created key = %q; want hum_live_ + 32 chars", secret)
	}
	id := created["id"].(string)
	_, listRaw := s.Do("GET", "/api/api-keys", adminKey, nil)
	if strings.Contains(string(listRaw), secret) || strings.Contains(string(listRaw), "\"key\"") {
		t.Errorf("key list leaks the secret: %s", listRaw)
	}
	if me := s.JSON("GET", "/api/me", secret, nil, 200); me["current_org"].(map[string]any)["role"] != "operator" {
		t.Errorf("new key role = %v; want operator", me["current_org"])
	}
	s.JSON("DELETE", "/api/api-keys/"+id, adminKey, nil, 200)
	if status, body := s.Do("GET", "/api/me", secret, nil); status != 401 {
		t.Errorf("revoked key: %d %s; want 401", status, body)
	}
	// Revoking twice is harmless; another org's key id is not found.
	s.JSON("DELETE", "/api/api-keys/"+id, adminKey, nil, 200)
	s.JSON("DELETE", "/api/api-keys/key_nonexistent", adminKey, nil, 404)
}

func TestKeyRoleValidation(t *testing.T) {
	s := apptest.Start(t, apptest.Options{})
	for _, body := range []string{`{"name":"x","role":"owner"}`, `{"name":"","role":"viewer"}`, `{"name":"x"}`, `{"name":"x","role":"viewer","extra":1}`, `{"name":1,"role":"viewer"}`} {
		res := s.JSON("POST", "/api/api-keys", adminKey, body, 422)
		if res["error"].(map[string]any)["code"] != "validation_failed" {
			t.Errorf("POST api-keys %s: %v; want validation_failed", body, res)
		}
	}
}

// provision makes a second org through the site-admin route and answers its
// admin key.
func provision(t *testing.T, s *apptest.Server, name, owner string) (orgID, key string) {
	t.Helper()
	body := map[string]any{"name": name}
	if owner != "" {
		body["owner_email"] = owner
	}
	res := s.JSON("POST", "/api/admin/orgs", adminKey, body, 201)
	return res["org_id"].(string), res["api_key"].(string)
}

func TestProvisionOrgNeedsSiteAdmin(t *testing.T) {
	s := apptest.Start(t, apptest.Options{})
	_, keyB := provision(t, s, "Org B", "carol@example.com")
	if status, _ := s.Do("POST", "/api/admin/orgs", keyB, map[string]any{"name": "C"}); status != 403 {
		t.Errorf("org admin provisioning: %d; want 403", status)
	}
	s.JSON("POST", "/api/admin/orgs", adminKey, map[string]any{}, 422)
	s.JSON("POST", "/api/admin/orgs", adminKey, map[string]any{"name": "x", "owner_email": "not an email"}, 422)
	me := s.JSON("GET", "/api/me", keyB, nil, 200)
	if me["user"].(map[string]any)["email"] != "carol@example.com" || me["current_org"].(map[string]any)["name"] != "Org B" {
		t.Errorf("org B key resolves to %v", me)
	}
}

func TestLastAdminAndEffectiveRole(t *testing.T) {
	s := apptest.Start(t, apptest.Options{})
	_, keyB := provision(t, s, "Org B", "carol@example.com")
	team := s.JSON("GET", "/api/team", keyB, nil, 200)
	members := team["members"].([]any)
	if len(members) != 1 {
		t.Fatalf("team = %v; want one member", team)
	}
	carol := members[0].(map[string]any)["user_id"].(string)
	// The last admin can be neither demoted nor removed.
	s.JSON("PATCH", "/api/team/"+carol, keyB, map[string]any{"role": "viewer"}, 409)
	s.JSON("DELETE", "/api/team/"+carol, keyB, nil, 409)
	// A second admin (an existing user) joins at once.
	added := s.JSON("POST", "/api/team/invites", keyB, map[string]any{"email": "admin@localhost", "role": "admin"}, 201)
	if added["status"] != "added" {
		t.Fatalf("invite existing user = %v; want added", added)
	}
	s.JSON("POST", "/api/team/invites", keyB, map[string]any{"email": "admin@localhost", "role": "admin"}, 409)
	invited := s.JSON("POST", "/api/team/invites", keyB, map[string]any{"email": "dave@example.com", "role": "viewer"}, 201)
	if invited["status"] != "invited" {
		t.Fatalf("invite new email = %v; want invited", invited)
	}
	// Now carol may step down; her key drops to viewer with her.
	s.JSON("PATCH", "/api/team/"+carol, keyB, map[string]any{"role": "viewer"}, 200)
	if me := s.JSON("GET", "/api/me", keyB, nil, 200); me["current_org"].(map[string]any)["role"] != "viewer" {
		t.Errorf("key of demoted owner has role %v; want viewer", me["current_org"])
	}
	s.JSON("PATCH", "/api/org", keyB, map[string]any{"name": "nope"}, 403)
	inviteID := invited["invite"].(map[string]any)["id"].(string)
	s.JSON("DELETE", "/api/team/invites/"+inviteID, keyB, nil, 403)
}

func TestRemovedMemberKeysStopWorking(t *testing.T) {
	s := apptest.Start(t, apptest.Options{})
	orgB, keyB := provision(t, s, "Org B", "carol@example.com")
	s.JSON("POST", "/api/team/invites", keyB, map[string]any{"email": "admin@localhost", "role": "admin"}, 201)
	team := s.JSON("GET", "/api/team", keyB, nil, 200)
	var carol string
	for _, m := range team["members"].([]any) {
		if m.(map[string]any)["email"] == "carol@example.com" {
			carol = m.(map[string]any)["user_id"].(string)
		}
	}
	s.JSON("DELETE", "/api/team/"+carol, keyB, nil, 204)
	if status, _ := s.Do("GET", "/api/me", keyB, nil); status != 401 {
		t.Errorf("key of removed member: %d; want 401", status)
	}
	// Being added back does not bring the old key back: removal revoked it.
	// Only provisioning makes a key for someone else, so org B's remaining
	// admin (the bootstrap user) has no key there; add carol back through the
	// repo, as the web console would.
	admin := s.JSON("GET", "/api/me", adminKey, nil, 200)["user"].(map[string]any)["id"].(string)
	repo := &tenancy.Repo{Store: s.App.Store, Now: s.Clock.Now}
	if res, err := repo.Invite(&tenancy.Principal{OrgID: orgB, UserID: admin, Role: tenancy.Admin},
		tenancy.InviteInput{Email: "carol@example.com", Role: tenancy.Admin}); err != nil || res.Status != "added" {
		t.Fatalf("re-add carol = %+v, %v; want added", res, err)
	}
	if status, body := s.Do("GET", "/api/me", keyB, nil); status != 401 {
		t.Errorf("key of a removed then re-added member: %d %s; want 401", status, body)
	}
	keys, _, err := repo.ListKeys(orgB, storage.PageRequest{})
	if err != nil || len(keys) != 1 || keys[0].RevokedAt == nil {
		t.Errorf("org B keys after carol's removal = %+v, %v; want her one key, revoked", keys, err)
	}
}

func TestOrgPatch(t *testing.T) {
	s := apptest.Start(t, apptest.Options{})
	org := s.JSON("GET", "/api/org", adminKey, nil, 200)
	if !strings.Contains(org["help_text"].(string), "Reply STOP to opt out") || !strings.Contains(org["help_text"].(string), org["name"].(string)) {
		t.Errorf("default help text %q must name the org and say Reply STOP to opt out", org["help_text"])
	}
	got := s.JSON("PATCH", "/api/org", adminKey, map[string]any{"name": "Acme", "timezone": "America/New_York", "help_text": "Acme help. Reply STOP to opt out."}, 200)
	if got["name"] != "Acme" || got["timezone"] != "America/New_York" {
		t.Errorf("patched org = %v", got)
	}
	for _, body := range []string{`{"timezone":"Mars/Olympus"}`, `{"name":""}`, `{"colour":"red"}`, `{"help_text":""}`, `[1]`, `{`, ``} {
		status, raw := s.Do("PATCH", "/api/org", adminKey, body)
		if status != 422 {
			t.Errorf("PATCH /api/org %q = %d %s; want 422", body, status, raw)
		}
	}
}

func TestErrorEnvelopes(t *testing.T) {
	s := apptest.Start(t, apptest.Options{})
	cases := []struct {
		method, path, key string
		body              any
		status            int
		code              string
	}{
		{"GET", "/api/nope", adminKey, nil, 404, "not_found"},
		{"PUT", "/api/org", adminKey, nil, 405, "method_not_allowed"},
		{"GET", "/api/me", "", nil, 401, "api_key_required"},
		{"GET", "/api/me", "hum_live_wrong", nil, 401, "api_key_required"},
		{"PATCH", "/api/org", adminKey, `{"name":`, 422, "validation_failed"},
		{"PATCH", "/api/org", adminKey, `{"name":"a"} trailing`, 422, "validation_failed"},
		{"PATCH", "/api/org", adminKey, `{"name":"` + strings.Repeat("a", 1<<20) + `"}`, 413, "body_too_large"},
		{"GET", "/api/api-keys?limit=abc", adminKey, nil, 422, "validation_failed"},
		{"GET", "/api/api-keys?cursor=!!", adminKey, nil, 422, "validation_failed"},
	}
	for _, c := range cases {
		res := s.JSON(c.method, c.path, c.key, c.body, c.status)
		e, _ := res["error"].(map[string]any)
		if e == nil || e["code"] != c.code || e["message"] == "" {
			t.Errorf("%s %s: body %v; want error.code %q", c.method, c.path, res, c.code)
		}
	}
}

func TestRestartKeepsData(t *testing.T) {
	dir := t.TempDir()
	s := apptest.Start(t, apptest.Options{Dir: dir})
	created := s.JSON("POST", "/api/api-keys", adminKey, map[string]any{"name": "keep", "role": "viewer"}, 201)
	s.JSON("PATCH", "/api/org", adminKey, map[string]any{"name": "Durable"}, 200)
	s.Stop()

	s2 := apptest.Start(t, apptest.Options{Dir: dir})
	if s2.App.Bootstrap.Created {
		t.Errorf("second start bootstrapped again")
	}
	if org := s2.JSON("GET", "/api/org", created["key"].(string), nil, 200); org["name"] != "Durable" {
		t.Errorf("org after restart = %v", org)
	}
}

func TestHealthAndMetrics(t *testing.T) {
	s := apptest.Start(t, apptest.Options{})
	s.JSON("GET", "/api/health", "", nil, 200)
	status, body := s.Do("GET", "/metrics", "", nil)
	if status != 200 || !strings.Contains(string(body), "humd_http_requests_total") {
		t.Errorf("/metrics = %d, missing humd_http_requests_total", status)
	}
	if res := s.JSON("GET", "/openapi.json", "", nil, 200); res["openapi"] != "3.1.0" {
		t.Errorf("openapi version = %v", res["openapi"])
	}
}
