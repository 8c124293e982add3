package tenancy

import "testing"

// Org answers from its cache, and a PatchOrg is seen by the next read.
func TestOrgCacheFollowsPatches(t *testing.T) {
	r, p := newRepo(t)
	before, err := r.Org(p.OrgID)
	if err != nil {
		t.Fatal(err)
	}
	before.HelpText = "mutated by a caller" // callers get copies
	if o, _ := r.Org(p.OrgID); o.HelpText == "mutated by a caller" {
		t.Fatal("a caller's change leaked into the cache")
	}
	if _, err := r.PatchOrg(p.OrgID, in[OrgPatch](t, `{"help_text":"New help. Reply STOP to opt out."}`)); err != nil {
		t.Fatal(err)
	}
	if o, err := r.Org(p.OrgID); err != nil || o.HelpText != "New help. Reply STOP to opt out." {
		t.Errorf("after PatchOrg, Org = %+v, %v", o, err)
	}
}
