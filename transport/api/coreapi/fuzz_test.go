package coreapi

import (
	"errors"
	"testing"

	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/storagetest"
	"github.com/humd/humd/storage/tenancy"
	"github.com/humd/humd/transport/wire"
)

func newRepo(t testing.TB) (*tenancy.Repo, *tenancy.Principal) {
	t.Helper()
	r := &tenancy.Repo{Store: storagetest.OpenMem(t)}
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

// Every body of this area, decoded as the handlers decode it and handed to
// the tenancy repository, must answer bad bytes with a 422-style error
// (storage.ErrInvalid), a 409, a 404 or success — never a panic or another
// error.
func fuzzDecoder(f *testing.F, seeds []string, call func(r *tenancy.Repo, p *tenancy.Principal, body []byte) error) {
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

// decoded decodes body into a T as the handlers do, then calls do with it.
func decoded[T any](body []byte, do func(T) error) error {
	var in T
	if err := wire.DecodeStrict(body, &in); err != nil {
		return err
	}
	return do(in)
}

func FuzzPatchOrg(f *testing.F) {
	fuzzDecoder(f, append(commonSeeds, `{"name":"Acme","timezone":"America/New_York"}`, `{"business_hours_json":null}`, `{"help_text":""}`),
		func(r *tenancy.Repo, p *tenancy.Principal, body []byte) error {
			return decoded(body, func(in tenancy.OrgPatch) error { _, err := r.PatchOrg(p.OrgID, in); return err })
		})
}

func FuzzCreateKey(f *testing.F) {
	fuzzDecoder(f, append(commonSeeds, `{"name":"ci","role":"viewer"}`, `{"name":"ci","role":"root"}`, `{"name":"ci","role":"admin","scopes":["a"]}`,
		`{"name":"ci","role":"viewer","expires_at":"tomorrow"}`),
		func(r *tenancy.Repo, p *tenancy.Principal, body []byte) error {
			in, err := decodeKey(body)
			if err != nil {
				return err
			}
			_, err = r.CreateKey(p, in)
			return err
		})
}

func FuzzInvite(f *testing.F) {
	fuzzDecoder(f, append(commonSeeds, `{"email":"a@b.c","role":"viewer"}`, `{"email":"bad","role":"viewer"}`),
		func(r *tenancy.Repo, p *tenancy.Principal, body []byte) error {
			return decoded(body, func(in tenancy.InviteInput) error { _, err := r.Invite(p, in); return err })
		})
}

func FuzzChangeRole(f *testing.F) {
	fuzzDecoder(f, append(commonSeeds, `{"role":"viewer"}`, `{"role":"admin"}`),
		func(r *tenancy.Repo, p *tenancy.Principal, body []byte) error {
			return decoded(body, func(in tenancy.RoleInput) error { _, err := r.ChangeRole(p.OrgID, p.UserID, in); return err })
		})
}

func FuzzProvisionOrg(f *testing.F) {
	fuzzDecoder(f, append(commonSeeds, `{"name":"B","owner_email":"o@b.c"}`, `{"name":"B","confirm":true}`),
		func(r *tenancy.Repo, p *tenancy.Principal, body []byte) error {
			return decoded(body, func(in tenancy.CreateOrgRequest) error { _, err := r.ProvisionOrg(p, in); return err })
		})
}
