package tenancy

import (
	"errors"
	"testing"

	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/storagetest"
)

func newRepo(t testing.TB) (*Repo, *Principal) {
	t.Helper()
	st := storagetest.OpenMem(t)
	r := &Repo{Store: st}
	res, err := r.Bootstrap("hum_live_fuzzbootstrapkey00000000000")
	if err != nil {
		t.Fatal(err)
	}
	p, err := r.Authenticate(res.Secret)
	if err != nil {
		t.Fatal(err)
	}
	return r, p
}

// Every JSON decoder of this package must answer bad bytes with a 422-style
// error (storage.ErrInvalid), a 409 or success — never a panic or another error.
func fuzzDecoder(f *testing.F, seeds []string, call func(r *Repo, p *Principal, body []byte) error) {
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	r, p := newRepo(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		err := call(r, p, body)
		if err != nil && !errors.Is(err, storage.ErrInvalid) && !errors.Is(err, storage.ErrConflict) && !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("body %q: unexpected error class: %v", body, err)
		}
	})
}

var commonSeeds = []string{``, `{}`, `[]`, `null`, `{"name":1}`, `{"a":`, `{"name":"x"} {}`, "{\"name\":\"\xff\"}"}

func FuzzPatchOrg(f *testing.F) {
	fuzzDecoder(f, append(commonSeeds, `{"name":"Acme","timezone":"America/New_York"}`, `{"business_hours_json":null}`, `{"help_text":""}`),
		func(r *Repo, p *Principal, body []byte) error { _, err := r.PatchOrg(p.OrgID, body); return err })
}

func FuzzCreateKey(f *testing.F) {
	fuzzDecoder(f, append(commonSeeds, `{"name":"ci","role":"viewer"}`, `{"name":"ci","role":"root"}`, `{"name":"ci","role":"admin","scopes":["a"]}`),
		func(r *Repo, p *Principal, body []byte) error { _, err := r.CreateKey(p, body); return err })
}

func FuzzInvite(f *testing.F) {
	fuzzDecoder(f, append(commonSeeds, `{"email":"a@b.c","role":"viewer"}`, `{"email":"bad","role":"viewer"}`),
		func(r *Repo, p *Principal, body []byte) error { _, err := r.Invite(p, body); return err })
}

func FuzzChangeRole(f *testing.F) {
	fuzzDecoder(f, append(commonSeeds, `{"role":"viewer"}`, `{"role":"admin"}`),
		func(r *Repo, p *Principal, body []byte) error {
			_, err := r.ChangeRole(p.OrgID, p.UserID, body)
			return err
		})
}

func FuzzProvisionOrg(f *testing.F) {
	fuzzDecoder(f, append(commonSeeds, `{"name":"B","owner_email":"o@b.c"}`, `{"name":"B","confirm":true}`),
		func(r *Repo, p *Principal, body []byte) error { _, err := r.ProvisionOrg(p, body); return err })
}

func TestRoleOrder(t *testing.T) {
	cases := []struct {
		have, need Role
		want       bool
	}{
		{Admin, Operator, true}, {Operator, Operator, true}, {Viewer, Operator, false}, {Role("root"), Viewer, false}, {Admin, Admin, true},
	}
	for _, c := range cases {
		if got := c.have.AtLeast(c.need); got != c.want {
			t.Errorf("%q.AtLeast(%q) = %v; want %v", c.have, c.need, got, c.want)
		}
	}
	if Lower(Admin, Viewer) != Viewer || Lower(Operator, Admin) != Operator {
		t.Errorf("Lower picks the wrong role")
	}
}

func TestSecretFormat(t *testing.T) {
	a, b := NewSecret(), NewSecret()
	if a == b || len(a) != len(KeyPrefix)+32 || a[:len(KeyPrefix)] != KeyPrefix {
		t.Errorf("NewSecret() = %q, %q", a, b)
	}
	if HashKey(a) == HashKey(b) || len(HashKey(a)) != 64 {
		t.Errorf("HashKey collides or has the wrong length")
	}
}
