package enrich

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/humd/humd/actors/actortest"
	"github.com/humd/humd/actors/clock"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/events"
	"github.com/humd/humd/storage/sms"
	"github.com/humd/humd/storage/storagetest"
)

func TestBucketAllow(t *testing.T) {
	t0 := time.Date(2026, 11, 25, 15, 0, 0, 0, time.UTC)
	b := newBucket(2)
	for i, want := range []bool{true, true, false} {
		if got := b.allow(t0); got != want {
			t.Errorf("allow #%d at t0 = %v; want %v", i+1, got, want)
		}
	}
	if !b.allow(t0.Add(500 * time.Millisecond)) {
		t.Error("allow after 500ms at 2/s = false; want a refilled token")
	}
	if b.allow(t0.Add(600 * time.Millisecond)) {
		t.Error("allow 100ms later = true; want the bucket empty")
	}
	if b := newBucket(0.5); !b.allow(t0) || b.allow(t0.Add(time.Second)) || !b.allow(t0.Add(2*time.Second)) {
		t.Error("a 0.5/s bucket does not allow one lookup per 2s")
	}
}

func TestContactOf(t *testing.T) {
	cases := []struct {
		typ, data, want string
	}{
		{events.ConvStarted, `{"conversation":{"contact_e164":"+13175550100"}}`, "+13175550100"},
		{"call.started", `{"call":{"direction":"inbound","from":"+13175550101","to":"+15005550006"}}`, "+13175550101"},
		{"call.started", `{"call":{"direction":"outbound","from":"+15005550006","to":"+13175550102"}}`, "+13175550102"},
		{events.SMSReceived, `{"conversation":{"contact_e164":"+13175550100"}}`, ""},
		{events.ConvStarted, `not json`, ""},
	}
	for _, c := range cases {
		if got := contactOf(&events.Event{Type: c.typ, Data: json.RawMessage(c.data)}); got != c.want {
			t.Errorf("contactOf(%s %s) = %q; want %q", c.typ, c.data, got, c.want)
		}
	}
}

// fakeLookuper answers from a table; numbers in fail fail with their error.
type fakeLookuper struct {
	mu    sync.Mutex
	calls []string
	fail  map[string]error
}

func (f *fakeLookuper) Lookup(_ context.Context, e164 string) (*Result, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, e164)
	if err := f.fail[e164]; err != nil {
		return nil, err
	}
	return &Result{Valid: true, Carrier: "Fake Mobile", LineType: "mobile", CallerName: "CALLER " + e164[len(e164)-4:]}, nil
}

func (f *fakeLookuper) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.calls)
}

// TestActorProtocol drives every message the actor handles (Started, tick,
// JobStarted, lookedUp) through a live actor: a call event, a backfill with
// a permanent failure, and no second lookup of an enriched contact.
func TestActorProtocol(t *testing.T) {
	st := storagetest.OpenMem(t)
	clk := clock.NewFake(time.Date(2026, 11, 25, 15, 0, 0, 0, time.UTC))
	const org, caller, bad = "org_1", "+13175550100", "+13175550199"
	f := &fakeLookuper{fail: map[string]error{bad: fmt.Errorf("no such number: %w", ErrPermanent)}}
	svc, err := New(actortest.NewSystem(t).Root, Config{Store: st, Clock: clk, Lookuper: f, Rate: 100, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	event := func(typ string, data map[string]any) {
		b := st.NewBatch()
		if _, _, err := sms.EnsureContact(st, b, org, caller, clk.Now()); err != nil {
			t.Fatal(err)
		}
		if _, err := events.Append(st, b, org, typ, clk.Now(), data); err != nil {
			t.Fatal(err)
		}
		if err := b.Commit(storage.Sync); err != nil {
			t.Fatal(err)
		}
	}
	inbound := map[string]any{"call": map[string]any{"direction": "inbound", "from": caller, "to": "+15005550006"}}
	event("call.started", inbound)
	actortest.WaitFor(t, 10*time.Second, func() error {
		clk.Advance(time.Second)
		c, err := sms.ContactByE164(st, org, caller)
		if err != nil || c.LookupAt == nil || c.Name != "CALLER 0100" || c.Carrier != "Fake Mobile" {
			return fmt.Errorf("caller = %+v, %v", c, err)
		}
		return nil
	})

	for _, e := range []string{"+13175550101", bad} {
		b := st.NewBatch()
		if _, _, err := sms.EnsureContact(st, b, org, e, clk.Now()); err != nil {
			t.Fatal(err)
		}
		if err := b.Commit(storage.Sync); err != nil {
			t.Fatal(err)
		}
	}
	event("call.started", inbound) // enriched already: no lookup
	backfill(t, svc, clk, org, 2, 1, 1)
	if cur, _, _ := sms.LookupCursor(st, org); cur != 2 {
		t.Errorf("cursor = %d; want 2, both events read", cur)
	}
	if n := f.count(); n != 3 {
		t.Errorf("lookups = %d (%v); want 3: the caller once, the backfill's two, no retry of a permanent failure", n, f.calls)
	}
	if _, err := sms.GetPendingLookup(st, org, bad); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("pending lookup after a permanent failure: %v", err)
	}
	if c, _ := sms.ContactByE164(st, org, bad); c.LookupAt != nil {
		t.Errorf("a failed contact got lookup_at: %+v", c)
	}
}

// A contact enriched in the very instant a backfill starts was never
// counted by it and is not counted done (it was once, on the fake clock, and
// the finished job claimed three contacts where it had started with two).
func TestBackfillSkipsContactEnrichedAtItsStart(t *testing.T) {
	st := storagetest.OpenMem(t)
	clk := clock.NewFake(time.Date(2026, 11, 25, 15, 0, 0, 0, time.UTC))
	const org = "org_1"
	f := &fakeLookuper{}
	svc, err := New(actortest.NewSystem(t).Root, Config{Store: st, Clock: clk, Lookuper: f, Rate: 100, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sms.ApplyLookup(st, st.NewBatch(), org, "+13175550100", &sms.LookupResult{Valid: true, Carrier: "Fake Mobile"}, clk.Now()); err != nil {
		t.Fatal(err)
	}
	b := st.NewBatch()
	if _, _, err := sms.EnsureContact(st, b, org, "+13175550101", clk.Now()); err != nil {
		t.Fatal(err)
	}
	if err := b.Commit(storage.Sync); err != nil {
		t.Fatal(err)
	}
	backfill(t, svc, clk, org, 1, 1, 0)
}

// backfill starts a backfill of total contacts and steps the clock until it
// completed with done and failed lookups.
func backfill(t *testing.T, svc *Service, clk *clock.Fake, org string, total, done, failed int) {
	t.Helper()
	j, err := svc.StartBackfill(org, BackfillInput{})
	if err != nil || j.Total != total {
		t.Fatalf("StartBackfill = %+v, %v; want %d contacts", j, err, total)
	}
	actortest.WaitFor(t, 10*time.Second, func() error {
		clk.Advance(time.Second)
		got, err := svc.Job(org, j.ID)
		if err != nil || got.Status != sms.JobCompleted {
			return fmt.Errorf("job = %+v, %v", got, err)
		}
		if got.Total != total || got.Done != done || got.Failed != failed || got.FinishedAt == nil {
			return fmt.Errorf("job = %+v; want %d of %d done, %d failed", got, done, total, failed)
		}
		return nil
	})
}

// firstDue keeps only the n best due entries: event-log entries before
// backfill ones, oldest due first; entries not yet due or in flight wait.
func TestFirstDue(t *testing.T) {
	now := time.Date(2026, 11, 25, 15, 0, 0, 0, time.UTC)
	a := &Actor{pending: map[string]*sms.PendingLookup{}, inflight: map[string]bool{}}
	add := func(e164, job string, ago time.Duration) {
		a.pending[key("org", e164)] = &sms.PendingLookup{OrgID: "org", E164: e164, JobID: job, NextAt: now.Add(-ago)}
	}
	add("+13175550001", "job", time.Hour)
	add("+13175550002", "", time.Minute)
	add("+13175550003", "", 2*time.Minute)
	add("+13175550004", "", -time.Minute) // not due yet
	add("+13175550005", "", 3*time.Minute)
	a.inflight[key("org", "+13175550005")] = true
	got := a.firstDue(now, 2)
	if len(got) != 2 || got[0].E164 != "+13175550003" || got[1].E164 != "+13175550002" {
		t.Errorf("firstDue(2) = %v", got)
	}
	if all := a.firstDue(now, 10); len(all) != 3 || all[2].E164 != "+13175550001" {
		t.Errorf("firstDue(10) = %v; want the backfill entry last", all)
	}
}
