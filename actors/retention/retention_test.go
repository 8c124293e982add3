package retention_test

import (
	"fmt"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/humd/humd/actors/actortest"
	"github.com/humd/humd/actors/clock"
	"github.com/humd/humd/actors/retention"
	"github.com/humd/humd/actors/system"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/events"
	"github.com/humd/humd/storage/sms"
	"github.com/humd/humd/storage/storagetest"
	"github.com/humd/humd/storage/webhooks"
)

var start = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

const (
	org = "org_a"
	ep  = "wh_a"
)

// rig is a retention actor on an in-memory store and a fake clock.
type rig struct {
	t     *testing.T
	st    *storage.Pebble
	clock *clock.Fake
	svc   *retention.Service
}

func newRig(t *testing.T, cfg retention.Config) *rig {
	t.Helper()
	r := &rig{t: t, st: storagetest.OpenMem(t), clock: clock.NewFake(start)}
	sys := system.New(slog.New(slog.DiscardHandler))
	t.Cleanup(sys.Shutdown)
	cfg.Store, cfg.Clock = r.st, r.clock
	if cfg.Consumers == nil {
		cfg.Consumers = []retention.Consumer{retention.Webhooks, retention.CRM}
	}
	var err error
	if r.svc, err = retention.Start(sys.Root, cfg); err != nil {
		t.Fatal(err)
	}
	return r
}

// event appends an event made at, answering its seq.
func (r *rig) event(at time.Time) uint64 {
	r.t.Helper()
	b := r.st.NewBatch()
	ev, err := events.Append(r.st, b, org, events.SMSReceived, at, map[string]string{"n": "1"})
	if err != nil {
		r.t.Fatal(err)
	}
	if err := b.Commit(storage.Sync); err != nil {
		r.t.Fatal(err)
	}
	return ev.Seq
}

// cursor sets the endpoint's cursor, as its delivery actor would.
func (r *rig) cursor(seq uint64) {
	r.t.Helper()
	b := r.st.NewBatch()
	webhooks.SetCursor(b, org, ep, seq)
	if err := b.Commit(storage.Sync); err != nil {
		r.t.Fatal(err)
	}
}

func (r *rig) delivery(id, status string, at time.Time) {
	r.t.Helper()
	b := r.st.NewBatch()
	webhooks.PutDelivery(b, &webhooks.Delivery{ID: id, OrgID: org, EndpointID: ep, Status: status, CreatedAt: at})
	if err := b.Commit(storage.Sync); err != nil {
		r.t.Fatal(err)
	}
}

func (r *rig) run(conv string, seq uint64, at time.Time) {
	r.t.Helper()
	b := r.st.NewBatch()
	b.SetJSON(sms.KeyRun(org, conv, seq), &sms.Run{ID: fmt.Sprintf("run_%s_%d", conv, seq), OrgID: org, ConversationID: conv,
		Seq: seq, StartedAt: at, EndedAt: at, Status: sms.RunCompleted})
	if err := b.Commit(storage.Sync); err != nil {
		r.t.Fatal(err)
	}
}

// keys answers the last segment of each key under prefix: event seqs,
// delivery ids, run seqs, as strings.
func (r *rig) keys(prefix []byte) []string {
	r.t.Helper()
	var out []string
	err := r.st.Scan(prefix, storage.ScanOptions{}, func(k, _ []byte) (bool, error) {
		rest := k[len(prefix):]
		if n, ok := storage.DecodeU64(rest); ok {
			out = append(out, fmt.Sprint(n))
		} else {
			out = append(out, string(rest))
		}
		return true, nil
	})
	if err != nil {
		r.t.Fatal(err)
	}
	return out
}

func (r *rig) pass() *retention.Report {
	r.t.Helper()
	rep, err := r.svc.Run(10 * time.Second)
	if err != nil {
		r.t.Fatal(err)
	}
	if len(rep.Errors) > 0 {
		r.t.Fatalf("pass errors: %v", rep.Errors)
	}
	return rep
}

func want(t *testing.T, what string, got []string, want ...string) {
	t.Helper()
	if !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
		t.Errorf("%s = %v; want %v", what, got, want)
	}
}

// With nobody asking, the first pass comes a minute after start on the
// injected clock, and every family loses its records older than its
// retention while the fresh ones stay.
func TestOldRecordsGoFreshOnesStay(t *testing.T) {
	r := newRig(t, retention.Config{Keep: retention.Keep{Events: 24 * time.Hour, Deliveries: 48 * time.Hour, Runs: 72 * time.Hour}})
	old := start.Add(-100 * time.Hour)
	for _, at := range []time.Time{old, old, start.Add(-30 * time.Hour), start.Add(-time.Hour)} {
		r.event(at) // seqs 1..4; 1-3 are past a day
	}
	r.cursor(4)
	r.delivery("msg_01", webhooks.Succeeded, old)
	r.delivery("msg_02", webhooks.Failed, start.Add(-49*time.Hour))
	r.delivery("msg_03", webhooks.Succeeded, start.Add(-47*time.Hour))
	r.run("conv_a", 1, old)
	r.run("conv_a", 2, start.Add(-71*time.Hour))
	r.run("conv_b", 1, old)
	r.run("conv_b", 2, start.Add(-73*time.Hour))
	actortest.Holds(t, 50*time.Millisecond, func() error {
		if got := r.keys(events.Prefix(org)); len(got) != 4 {
			return fmt.Errorf("events %v before the first pass", got)
		}
		return nil
	})
	r.clock.Advance(time.Minute)
	actortest.WaitFor(t, 5*time.Second, func() error {
		if got := r.keys(sms.PrefixRuns(org, "conv_b")); len(got) != 0 {
			return fmt.Errorf("conv_b runs %v; want none", got)
		}
		return nil
	})
	want(t, "events", r.keys(events.Prefix(org)), "4")
	want(t, "deliveries", r.keys(storage.Prefix("webhook-dlv", org, ep)), "msg_03")
	want(t, "conv_a runs", r.keys(sms.PrefixRuns(org, "conv_a")), "2")
	// The pass deletes on its own goroutine and reports to the actor after:
	// wait for the report, not only for the deletions.
	var st *retention.Status
	actortest.WaitFor(t, 5*time.Second, func() error {
		var err error
		if st, err = r.svc.Status(); err != nil {
			return err
		}
		if st.Last == nil {
			return fmt.Errorf("no report yet")
		}
		return nil
	})
	if st.Last == nil || st.Last.Deleted[retention.FamilyEvents] != 3 || st.Last.Deleted[retention.FamilyDeliveries] != 2 ||
		st.Last.Deleted[retention.FamilyRuns] != 3 {
		t.Errorf("last report %+v; want 3 events, 2 deliveries, 3 runs deleted", st.Last)
	}
	if wantNext := start.Add(time.Minute + time.Hour); !st.NextRunAt.Equal(wantNext) {
		t.Errorf("next run at %v; want %v (every hour)", st.NextRunAt, wantNext)
	}
}

// An event a consumer has not read stays, however old: the log is cut
// only up to the lowest cursor, and the rest goes once it has been read.
func TestUnreadEventsStay(t *testing.T) {
	r := newRig(t, retention.Config{Keep: retention.Keep{Events: time.Hour}})
	for range 5 {
		r.event(start.Add(-48 * time.Hour))
	}
	r.cursor(2)
	// A second endpoint further on does not lift the first one's hold.
	b := r.st.NewBatch()
	webhooks.SetCursor(b, org, "wh_b", 5)
	if err := b.Commit(storage.Sync); err != nil {
		t.Fatal(err)
	}
	r.pass()
	want(t, "events after a pass with the cursor at 2", r.keys(events.Prefix(org)), "3", "4", "5")
	r.cursor(5)
	r.pass()
	want(t, "events once read", r.keys(events.Prefix(org)))
}

// A pass deletes at most Batch records of a family, and the next pass
// goes on where it stopped, across groups (threads) too.
func TestPassesAreBounded(t *testing.T) {
	r := newRig(t, retention.Config{Batch: 3, Keep: retention.Keep{Events: time.Hour, Runs: time.Hour}})
	old := start.Add(-48 * time.Hour)
	for range 7 {
		r.event(old)
	}
	r.cursor(7)
	for _, c := range []string{"conv_a", "conv_b"} {
		for seq := range uint64(3) {
			r.run(c, seq+1, old)
		}
	}
	for i, wantLeft := range []int{4, 1, 0} {
		rep := r.pass()
		if n, m := rep.Deleted[retention.FamilyEvents], rep.Deleted[retention.FamilyRuns]; n > 3 || m > 3 {
			t.Fatalf("pass %d deleted %d events and %d runs; want at most 3 of each", i, n, m)
		}
		if wantDone := wantLeft == 0; rep.Done != wantDone {
			t.Errorf("pass %d done = %v; want %v", i, rep.Done, wantDone)
		}
		if got := r.keys(events.Prefix(org)); len(got) != wantLeft {
			t.Fatalf("after pass %d events %v; want %d left", i, got, wantLeft)
		}
	}
	runsLeft := func() int {
		return len(r.keys(sms.PrefixRuns(org, "conv_a"))) + len(r.keys(sms.PrefixRuns(org, "conv_b")))
	}
	if n := runsLeft(); n != 0 {
		t.Errorf("%d runs left after three passes of 3; want 0", n)
	}
}

// A delivery its endpoint is still trying stays with everything after
// it, however old; finished ones before it go.
func TestOpenDeliveriesStay(t *testing.T) {
	r := newRig(t, retention.Config{Keep: retention.Keep{Deliveries: time.Hour}})
	old := start.Add(-48 * time.Hour)
	r.delivery("msg_01", webhooks.Failed, old)
	r.delivery("msg_02", webhooks.Retrying, old)
	r.delivery("msg_03", webhooks.Succeeded, old)
	r.pass()
	want(t, "deliveries", r.keys(storage.Prefix("webhook-dlv", org, ep)), "msg_02", "msg_03")
}

// Extents reads each family's size and its oldest and newest record.
func TestExtents(t *testing.T) {
	r := newRig(t, retention.Config{})
	r.event(start.Add(-3 * time.Hour))
	r.event(start.Add(-time.Hour))
	r.run("conv_a", 1, start.Add(-2*time.Hour))
	ext, err := retention.Extents(r.st, 100, 100)
	if err != nil {
		t.Fatal(err)
	}
	ev := ext[retention.FamilyEvents]
	if ev.Records != 2 || !ev.Oldest.Equal(start.Add(-3*time.Hour)) || !ev.Newest.Equal(start.Add(-time.Hour)) {
		t.Errorf("events extent %+v; want 2 records from -3h to -1h", ev)
	}
	if d := ext[retention.FamilyDeliveries]; d.Records != 0 || !d.Oldest.IsZero() {
		t.Errorf("deliveries extent %+v; want empty", d)
	}
	if ru := ext[retention.FamilyRuns]; ru.Records != 1 || !ru.Oldest.Equal(start.Add(-2*time.Hour)) {
		t.Errorf("runs extent %+v; want 1 record at -2h", ru)
	}
}
