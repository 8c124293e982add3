package tenancy

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/storagetest"
)

// testClock is a settable time source for Repo.Now.
type testClock struct{ t time.Time }

func (c *testClock) now() time.Time { return c.t }

func newClockedRepo(t *testing.T) (*Repo, *Principal, *testClock) {
	t.Helper()
	clk := &testClock{t: time.Date(2026, 11, 25, 15, 0, 0, 0, time.UTC)}
	r := &Repo{Store: storagetest.OpenMem(t), Now: clk.now}
	res, err := r.Bootstrap("hum_live_keystestbootstrapkey000000000")
	if err != nil {
		t.Fatal(err)
	}
	p, err := r.Authenticate(res.Secret)
	if err != nil {
		t.Fatal(err)
	}
	return r, p, clk
}

// A removed member's keys are revoked with the membership, so adding the user
// back does not bring them back.
func TestRemoveMemberRevokesKeys(t *testing.T) {
	r, admin, _ := newClockedRepo(t)
	created, err := r.ProvisionOrg(admin, in[CreateOrgRequest](t, `{"name":"B","owner_email":"carol@example.com"}`))
	if err != nil {
		t.Fatal(err)
	}
	carol, err := r.Authenticate(created.APIKey)
	if err != nil {
		t.Fatal(err)
	}
	second, err := r.CreateKey(carol, in[KeyInput](t, `{"name":"second","role":"viewer"}`))
	if err != nil {
		t.Fatal(err)
	}
	inOrgB := &Principal{OrgID: created.OrgID, UserID: admin.UserID, Role: Admin}
	if _, err := r.Invite(inOrgB, in[InviteInput](t, `{"email":"admin@localhost","role":"admin"}`)); err != nil {
		t.Fatal(err)
	}
	if err := r.RemoveMember(created.OrgID, carol.UserID); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Invite(inOrgB, in[InviteInput](t, `{"email":"carol@example.com","role":"admin"}`)); err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{created.APIKey, second.Key} {
		if p, err := r.Authenticate(secret); !errors.Is(err, storage.ErrUnauthorized) {
			t.Errorf("Authenticate(key of removed, re-added member) = %+v, %v; want ErrUnauthorized", p, err)
		}
	}
	keys, _, err := r.ListKeys(created.OrgID, storage.PageRequest{})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		if k.RevokedAt == nil {
			t.Errorf("key %s of the removed member is not revoked", k.ID)
		}
	}
	// The bootstrap org, where carol never was, keeps its keys.
	if _, err := r.Authenticate("hum_live_keystestbootstrapkey000000000"); err != nil {
		t.Errorf("bootstrap key after another org's removal: %v", err)
	}
}

func TestKeyExpiry(t *testing.T) {
	r, admin, clk := newClockedRepo(t)
	for _, body := range []string{
		`{"name":"x","role":"viewer","expires_at":"2026-11-25T15:00:00Z"}`, // now is not the future
		`{"name":"x","role":"viewer","expires_at":"2026-11-24T00:00:00Z"}`,
		// Times that are no RFC 3339 time are the wire's (coreapi's
		// TestKeyExpiry).
	} {
		if k, err := r.CreateKey(admin, in[KeyInput](t, body)); !errors.Is(err, storage.ErrInvalid) {
			t.Errorf("CreateKey(%s) = %+v, %v; want ErrInvalid", body, k, err)
		}
	}
	k, err := r.CreateKey(admin, in[KeyInput](t, `{"name":"x","role":"viewer","expires_at":"2026-11-25T17:00:00+01:00"}`))
	if err != nil {
		t.Fatal(err)
	}
	want := time.Date(2026, 11, 25, 16, 0, 0, 0, time.UTC)
	if k.ExpiresAt == nil || !k.ExpiresAt.Equal(want) {
		t.Fatalf("ExpiresAt = %v; want %v", k.ExpiresAt, want)
	}
	clk.t = want.Add(-time.Second)
	if _, err := r.Authenticate(k.Key); err != nil {
		t.Errorf("a second before expiry: %v", err)
	}
	clk.t = want
	if _, err := r.Authenticate(k.Key); !errors.Is(err, storage.ErrUnauthorized) {
		t.Errorf("at expiry: %v; want ErrUnauthorized", err)
	}
	if k, err := r.CreateKey(admin, in[KeyInput](t, `{"name":"x","role":"viewer","expires_at":null}`)); err != nil || k.ExpiresAt != nil {
		t.Errorf("expires_at null = %+v, %v; want a key without expiry", k, err)
	}
}

func TestKeyScopes(t *testing.T) {
	r, admin, _ := newClockedRepo(t)
	cases := []struct {
		body string
		want []string // nil: 422
	}{
		{`{"name":"x","role":"viewer"}`, []string{}},
		{`{"name":"x","role":"viewer","scopes":[]}`, []string{}},
		{`{"name":"x","role":"viewer","scopes":null}`, []string{}},
		{`{"name":"x","role":"viewer","scopes":["sms:read","calls:write","sms:read"]}`, []string{"calls:write", "sms:read"}},
		{`{"name":"x","role":"viewer","scopes":["sms:read","*"]}`, []string{"*"}},
		{`{"name":"x","role":"viewer","scopes":["api-keys:write"]}`, []string{"api-keys:write"}},
		{`{"name":"x","role":"viewer","scopes":["sms"]}`, nil},
		{`{"name":"x","role":"viewer","scopes":["*","sms:admin"]}`, nil},
		{`{"name":"x","role":"viewer","scopes":["SMS:read"]}`, nil},
		{`{"name":"x","role":"viewer","scopes":["mcp:read"]}`, nil},
	}
	for _, c := range cases {
		k, err := r.CreateKey(admin, in[KeyInput](t, c.body))
		if c.want == nil {
			var ve *storage.ValidationError
			if !errors.As(err, &ve) || !strings.Contains(ve.Error(), "scopes") {
				t.Errorf("CreateKey(%s) = %+v, %v; want a 422 on scopes", c.body, k, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("CreateKey(%s): %v", c.body, err)
			continue
		}
		if got, _ := json.Marshal(k.Scopes); string(got) != mustJSON(c.want) {
			t.Errorf("CreateKey(%s).Scopes = %s; want %s", c.body, got, mustJSON(c.want))
		}
		p, err := r.Authenticate(k.Key)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Scopes) != len(c.want) {
			t.Errorf("Principal.Scopes = %q; want %q", p.Scopes, c.want)
		}
	}
	_, err := r.CreateKey(admin, in[KeyInput](t, `{"name":"x","role":"viewer","scopes":["nope"]}`))
	if err == nil || !strings.Contains(err.Error(), "allowed: *, ") || !strings.Contains(err.Error(), "sms:read") {
		t.Errorf("unknown scope error %v must list the allowed scopes", err)
	}
}

// in reads a test's input written as JSON (for brevity; the wire's own
// decoding, with its refusals, is transport's: coreapi's tests).
func in[T any](t testing.TB, s string) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("input %s: %v", s, err)
	}
	return v
}

func mustJSON(v any) string {
	raw, _ := json.Marshal(v)
	return string(raw)
}

func TestGrants(t *testing.T) {
	cases := []struct {
		scopes []string
		area   string
		write  bool
		want   bool
	}{
		{nil, "sms", true, true},
		{[]string{"*"}, "calls", true, true},
		{[]string{"sms:read"}, "sms", false, true},
		{[]string{"sms:read"}, "sms", true, false},
		{[]string{"sms:read"}, "calls", false, false},
		{[]string{"sms:write"}, "sms", false, true},
		{[]string{"sms:write"}, "sms", true, true},
		{[]string{"calls:read", "sms:write"}, "sms", true, true},
		{[]string{"sms:read"}, "", false, false},
	}
	for _, c := range cases {
		p := &Principal{Role: Admin, Scopes: c.scopes}
		if got := p.Grants(c.area, c.write); got != c.want {
			t.Errorf("Principal{Scopes: %q}.Grants(%q, write=%v) = %v; want %v", c.scopes, c.area, c.write, got, c.want)
		}
	}
	for tag, want := range map[string]string{"SMS": "sms", "API keys": "api-keys", "MCP integrations": "mcp-integrations", "Calls": "calls"} {
		if got := ScopeArea(tag); got != want {
			t.Errorf("ScopeArea(%q) = %q; want %q", tag, got, want)
		}
	}
}

// Plan and admin notes are stored on the org; the notes never reach the org's
// own JSON (GET /api/org answers it) but survive a reload.
func TestProvisionStoresPlanAndNotes(t *testing.T) {
	r, admin, _ := newClockedRepo(t)
	created, err := r.ProvisionOrg(admin, in[CreateOrgRequest](t, `{"name":"B","plan":" growth ","adminNotes":"pilot until March"}`))
	if err != nil {
		t.Fatal(err)
	}
	if created.Plan != "growth" || created.AdminNotes != "pilot until March" {
		t.Errorf("ProvisionOrg answer = %+v; want plan and admin notes", created)
	}
	fresh := &Repo{Store: r.Store} // no cache: read what was stored
	o, err := fresh.Org(created.OrgID)
	if err != nil {
		t.Fatal(err)
	}
	if o.Plan != "growth" || o.AdminNotes != "pilot until March" {
		t.Errorf("stored org = %+v; want plan and admin notes", o)
	}
	raw, _ := json.Marshal(o)
	if !strings.Contains(string(raw), `"plan":"growth"`) || strings.Contains(string(raw), "pilot") {
		t.Errorf("org JSON = %s; want the plan and not the admin notes", raw)
	}
	// A patch keeps them.
	if _, err := fresh.PatchOrg(created.OrgID, in[OrgPatch](t, `{"name":"B2"}`)); err != nil {
		t.Fatal(err)
	}
	if o, err := (&Repo{Store: r.Store}).Org(created.OrgID); err != nil || o.AdminNotes != "pilot until March" || o.Plan != "growth" {
		t.Errorf("after PatchOrg, org = %+v, %v; want plan and notes kept", o, err)
	}
}

// TestKeysMakeNoWiderKeys: a scoped or expiring key may only make keys
// within its own scopes and expiring no later than itself, else a narrow key
// could mint an unlimited one.
func TestKeysMakeNoWiderKeys(t *testing.T) {
	r, admin, _ := newClockedRepo(t)
	mk := func(p *Principal, body string) (*Principal, error) {
		t.Helper()
		k, err := r.CreateKey(p, in[KeyInput](t, body))
		if err != nil {
			return nil, err
		}
		return r.Authenticate(k.Key)
	}
	narrow, err := mk(admin, `{"name":"n","role":"admin","scopes":["api-keys:write","sms:read"],"expires_at":"2026-12-01T00:00:00Z"}`)
	if err != nil {
		t.Fatal(err)
	}
	for _, body := range []string{
		`{"name":"x","role":"admin","expires_at":"2026-11-30T00:00:00Z"}`,                         // no scopes: everything
		`{"name":"x","role":"admin","scopes":["*"],"expires_at":"2026-11-30T00:00:00Z"}`,          // everything
		`{"name":"x","role":"admin","scopes":["sms:write"],"expires_at":"2026-11-30T00:00:00Z"}`,  // write where it reads
		`{"name":"x","role":"admin","scopes":["calls:read"],"expires_at":"2026-11-30T00:00:00Z"}`, // another area
		`{"name":"x","role":"admin","scopes":["sms:read"]}`,                                       // never expires
		`{"name":"x","role":"admin","scopes":["sms:read"],"expires_at":"2026-12-02T00:00:00Z"}`,   // outlives it
	} {
		var ve *storage.ValidationError
		if _, err := mk(narrow, body); !errors.As(err, &ve) {
			t.Errorf("narrow key made %s: %v; want a validation error", body, err)
		}
	}
	p, err := mk(narrow, `{"name":"ok","role":"viewer","scopes":["sms:read","api-keys:read"],"expires_at":"2026-11-30T00:00:00Z"}`)
	if err != nil || p.Role != Viewer || len(p.Scopes) != 2 {
		t.Fatalf("a key within its maker = %+v, %v; want it made", p, err)
	}
	if _, err := mk(admin, `{"name":"free","role":"admin"}`); err != nil {
		t.Errorf("an unscoped, unexpiring key making another = %v; want it made", err)
	}
}
