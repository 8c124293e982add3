package tenancy

import (
	"testing"

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

// The fuzz tests of the wire decoders (FuzzPatchOrg and the others) are
// transport/api/coreapi's, where the bodies are decoded now.

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
