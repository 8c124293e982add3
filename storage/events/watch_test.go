package events

import (
	"slices"
	"testing"
	"time"

	"github.com/humd/humd/storage"
)

// A watcher hears the types of its org's committed events only: not a
// discarded batch's, not another org's, and not after Close.
func TestWatchHearsCommittedEventsOfItsOrg(t *testing.T) {
	st, err := storage.Open(t.TempDir(), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	w := Watch(st, "org_1")
	appendOne := func(org, typ string, commit bool) {
		t.Helper()
		b := st.NewBatch()
		if _, err := Append(st, b, org, typ, time.Now(), map[string]any{}); err != nil {
			t.Fatal(err)
		}
		if !commit {
			b.Discard()
			return
		}
		if err := b.Commit(storage.Sync); err != nil {
			t.Fatal(err)
		}
	}
	appendOne("org_1", SMSSent, false)
	appendOne("org_2", SMSSent, true)
	select {
	case <-w.C:
		t.Fatalf("signalled for a discarded batch or another org: %v", w.Take())
	default:
	}
	appendOne("org_1", SMSReceived, true)
	appendOne("org_1", SMSReceived, true)
	appendOne("org_1", ConvStarted, true)
	select {
	case <-w.C:
	default:
		t.Fatal("no signal after a commit")
	}
	got := w.Take()
	slices.Sort(got)
	if !slices.Equal(got, []string{ConvStarted, SMSReceived}) {
		t.Fatalf("Take = %v; want each committed type once", got)
	}
	w.Close()
	appendOne("org_1", SMSReceived, true)
	if got := w.Take(); len(got) != 0 {
		t.Fatalf("heard %v after Close", got)
	}
}
