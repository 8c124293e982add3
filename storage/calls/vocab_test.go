package calls_test

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/calls"
)

// vocab answers the org's whole tag vocabulary as "tag:calls ..." in list
// order.
func vocab(t *testing.T, s storage.Store, org, q string) string {
	t.Helper()
	items, next, err := calls.ListOrgTags(s, org, q, storage.PageRequest{Limit: storage.MaxPageLimit})
	if err != nil || next != "" {
		t.Fatalf("ListOrgTags(%q) = %v, next %q", q, err, next)
	}
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = fmt.Sprintf("%s:%d", it.Tag, it.Calls)
	}
	return strings.Join(out, " ")
}

func mustAdd(t *testing.T, s storage.Store, call, tag string) string {
	t.Helper()
	got, _, err := calls.AddTag(s, "org1", call, tag, t0)
	if err != nil {
		t.Fatalf("AddTag(%s, %q) = %v", call, tag, err)
	}
	return got
}

func TestOrgTagsFoldAcrossCallsAndCount(t *testing.T) {
	s := open(t)
	for i, id := range []string{"a", "b", "c"} {
		put(t, s, &calls.Call{ID: id, StartedAt: t0.Add(time.Duration(i) * time.Minute)})
	}
	put(t, s, &calls.Call{ID: "x", OrgID: "org2", StartedAt: t0})
	if got := mustAdd(t, s, "a", "VIP"); got != "VIP" {
		t.Fatalf("first VIP stored as %q", got)
	}
	// Another call's "vip" takes the org's spelling, and counts.
	if got, added, err := calls.AddTag(s, "org1", "b", " vip ", t0); got != "VIP" || !added || err != nil {
		t.Fatalf("AddTag(b, vip) = %q %v %v; want VIP added", got, added, err)
	}
	if tags, _ := calls.Tags(s, "org1", "b"); fmt.Sprint(tags) != "[VIP]" {
		t.Errorf("call b tags = %v; want [VIP]", tags)
	}
	// The same call again changes no count.
	if got, added, _ := calls.AddTag(s, "org1", "b", "Vip", t0); got != "VIP" || added {
		t.Errorf("AddTag(b, Vip) again = %q %v; want VIP, not added", got, added)
	}
	mustAdd(t, s, "a", "billing")
	mustAdd(t, s, "c", "Äpfel")
	mustAdd(t, s, "b", "äPFEL")
	// Another org has its own vocabulary and spelling.
	if got, _, err := calls.AddTag(s, "org2", "x", "vip", t0); got != "vip" || err != nil {
		t.Errorf("org2 AddTag(vip) = %q %v; want its own spelling", got, err)
	}
	if got := vocab(t, s, "org1", ""); got != "billing:1 VIP:2 Äpfel:2" {
		t.Errorf("vocabulary = %q; want billing:1 VIP:2 Äpfel:2 (by folded tag)", got)
	}
	if got := vocab(t, s, "org2", ""); got != "vip:1" {
		t.Errorf("org2 vocabulary = %q", got)
	}
	for q, want := range map[string]string{"V": "VIP:2", "vi": "VIP:2", "äp": "Äpfel:2", "B": "billing:1", "zz": "", "v/": ""} {
		if got := vocab(t, s, "org1", q); got != want {
			t.Errorf("q=%q: %q; want %q", q, got, want)
		}
	}

	// Removing lowers the count; at zero the tag leaves the vocabulary and
	// its next use spells it afresh.
	if err := calls.RemoveTag(s, "org1", "a", "vip", t0); err != nil {
		t.Fatal(err)
	}
	if got := vocab(t, s, "org1", "v"); got != "VIP:1" {
		t.Errorf("after one removal: %q; want VIP:1", got)
	}
	if err := calls.RemoveTag(s, "org1", "b", "VIP", t0); err != nil {
		t.Fatal(err)
	}
	if err := calls.RemoveTag(s, "org1", "b", "VIP", t0); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("second removal = %v; want ErrNotFound", err)
	}
	if got := vocab(t, s, "org1", ""); got != "billing:1 Äpfel:2" {
		t.Errorf("after removing VIP everywhere: %q; want it gone", got)
	}
	if got := mustAdd(t, s, "c", "vIp"); got != "vIp" {
		t.Errorf("re-added after zero = %q; want the new spelling", got)
	}
}

func TestOrgTagsPage(t *testing.T) {
	s := open(t)
	put(t, s, &calls.Call{ID: "a", StartedAt: t0})
	for _, tag := range []string{"d", "B", "a", "C"} {
		mustAdd(t, s, "a", tag)
	}
	var got []string
	page := storage.PageRequest{Limit: 3}
	for {
		items, next, err := calls.ListOrgTags(s, "org1", "", page)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range items {
			got = append(got, it.Tag)
		}
		if next == "" {
			break
		}
		page.Cursor = next
	}
	if fmt.Sprint(got) != "[a B C d]" {
		t.Errorf("pages = %v; want [a B C d]", got)
	}
}

// TestOrgTagsBuiltFromOlderCalls covers calls tagged before the vocabulary
// existed: the first use builds it, oldest call's spelling first.
func TestOrgTagsBuiltFromOlderCalls(t *testing.T) {
	s := open(t)
	put(t, s, &calls.Call{ID: "new", StartedAt: t0, Tags: []string{"vip", "late"}})
	put(t, s, &calls.Call{ID: "old", StartedAt: t0.Add(-time.Hour), Tags: []string{"VIP"}})
	put(t, s, &calls.Call{ID: "none", StartedAt: t0.Add(-2 * time.Hour)})
	// One call counts once per tag, even should it carry two spellings.
	put(t, s, &calls.Call{ID: "dup", StartedAt: t0.Add(-3 * time.Hour), Tags: []string{"twice", "TWICE"}})
	if got := mustAdd(t, s, "none", "Vip"); got != "VIP" {
		t.Errorf("AddTag on an untagged call = %q; want the oldest call's VIP", got)
	}
	if got := vocab(t, s, "org1", ""); got != "late:1 twice:1 VIP:3" {
		t.Errorf("vocabulary = %q; want late:1 twice:1 VIP:3", got)
	}
	// A listing alone builds it too, once.
	s2 := open(t)
	put(t, s2, &calls.Call{ID: "a", StartedAt: t0, Tags: []string{"x"}})
	if got := vocab(t, s2, "org1", ""); got != "x:1" {
		t.Errorf("listing before any tag change = %q; want x:1", got)
	}
	if err := calls.RemoveTag(s2, "org1", "a", "X", t0); err != nil {
		t.Fatal(err)
	}
	if got := vocab(t, s2, "org1", ""); got != "" {
		t.Errorf("after removing the only use = %q; want empty (not rebuilt)", got)
	}
}

// TestOrgTagsCountUnderRacingCalls tags many calls of one org at once: the
// counts are read-modify-writes of one key, so only the org lock keeps them
// exact.
func TestOrgTagsCountUnderRacingCalls(t *testing.T) {
	s := open(t)
	const n = 24
	for i := range n {
		put(t, s, &calls.Call{ID: fmt.Sprintf("c%d", i), StartedAt: t0.Add(time.Duration(i) * time.Second)})
	}
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			id := fmt.Sprintf("c%d", i)
			for _, tag := range []string{"VIP", "vip", "Billing"} {
				if _, _, err := calls.AddTag(s, "org1", id, tag, t0); err != nil {
					t.Error(err)
				}
			}
			if i%2 == 0 {
				if err := calls.RemoveTag(s, "org1", id, "billing", t0); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	if got, want := vocab(t, s, "org1", ""), fmt.Sprintf("Billing:%d VIP:%d", n/2, n); got != want {
		t.Errorf("vocabulary = %q; want %q", got, want)
	}
}

func TestFoldTagMatchesEqualFold(t *testing.T) {
	for _, p := range [][2]string{{"VIP", "vip"}, {"ΣΑΣ", "σας"}, {"Kelvin", "\u212aelvin"}, {"ǅ", "ǆ"}, {"ς", "Σ"}, {"ς", "σ"}} {
		if !strings.EqualFold(p[0], p[1]) || calls.FoldTag(p[0]) != calls.FoldTag(p[1]) {
			t.Errorf("FoldTag(%q) = %q, FoldTag(%q) = %q; want equal", p[0], calls.FoldTag(p[0]), p[1], calls.FoldTag(p[1]))
		}
	}
	for _, p := range [][2]string{{"vip", "vib"}, {"İ", "i"}, {"ı", "i"}} {
		if strings.EqualFold(p[0], p[1]) || calls.FoldTag(p[0]) == calls.FoldTag(p[1]) {
			t.Errorf("%q and %q fold alike; EqualFold keeps them apart", p[0], p[1])
		}
	}
	// Lower case, so "a_b" lists before "ab" as it would in lower case.
	if got := calls.FoldTag("ΣA_B"); got != "σa_b" {
		t.Errorf("FoldTag(ΣA_B) = %q; want σa_b", got)
	}
}
