package bench

import (
	"context"
	"testing"
	"time"

	"github.com/humd/humd/bench/baseline"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/transport/llm/llmtest"
)

func startHumd(t *testing.T) *Humd {
	t.Helper()
	h, err := StartHumd(t.TempDir(), DefaultNumber, storage.Options{})
	if err != nil {
		t.Fatalf("StartHumd: %v", err)
	}
	t.Cleanup(func() {
		if err := h.Close(); err != nil {
			t.Errorf("close humd: %v", err)
		}
	})
	return h
}

// TestIngest runs a short ingest against an in-process humd and checks that
// every acknowledged text is stored exactly once, and that the check notices
// an acknowledged text that is not stored.
func TestIngest(t *testing.T) {
	h := startHumd(t)
	in, err := NewIngest(h, 50)
	if err != nil {
		t.Fatal(err)
	}
	cfg := &Config{Conns: 8, Workers: 8, Count: 200}
	st, err := cfg.ingestLoad("ingest", h.Addr(), in).Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if st.Requests != 200 || st.Errors != 0 || len(st.OK) != 200 {
		t.Fatalf("ingest = %d requests, %d errors (%s), %d ok; want 200, 0, 200", st.Requests, st.Errors, st.FirstErr, len(st.OK))
	}
	check, err := in.Verify(h, st.OK)
	if err != nil {
		t.Fatal(err)
	}
	if err := check.Err(); err != nil || check.Stored != 200 || check.Unacked != 0 {
		t.Fatalf("Verify = %+v, %v; want 200 stored once", check, err)
	}
	// Request 200 was never sent: claiming it was acknowledged must fail.
	check, err = in.Verify(h, append(st.OK, 200))
	if err != nil {
		t.Fatal(err)
	}
	if check.Err() == nil || check.Missing != 1 {
		t.Errorf("Verify(with an unsent sid) = %+v; want 1 missing and an error", check)
	}
}

// TestRunAll runs every phase briefly: the three baselines, ingest closed and
// open loop, ingest with api reads, debounce, calls and campaign, with
// ratios and checks filled in.
func TestRunAll(t *testing.T) {
	h := startHumd(t)
	res, err := Run(context.Background(), Config{Workload: "all", Count: 100, Conns: 4, Contacts: 20, Humd: h, TempDir: t.TempDir(),
		RateOfPebble: 0.5, RateOfHumd: 0.5, Debounce: Debounce{Convs: 5, Burst: 2, Window: 100 * time.Millisecond},
		Calls: Calls{Calls: 3, Turns: 2}, Campaign: Campaign{Recipients: 30, OptOutEvery: 10}})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	want := []string{"ingest/baseline-http", "ingest/baseline-pebble", "ingest/baseline-records", "ingest/humd", "ingest/humd", "ingest/humd", "ingest/humd", "api/humd", "debounce/humd",
		"calls/humd", "campaign/humd"}
	if len(res) != len(want) {
		t.Fatalf("Run = %d results; want %d", len(res), len(want))
	}
	for i, r := range res {
		if got := r.Workload + "/" + r.Target; got != want[i] || r.Errors != 0 || r.Requests == 0 {
			t.Errorf("result %d = %s, %d requests, %d errors (%s); want %s without errors", i, got, r.Requests, r.Errors, r.FirstErr, want[i])
		}
	}
	if res[3].VsHTTP == 0 || res[3].VsPebble == 0 || res[3].VsRecords == 0 || res[3].Check == nil || res[3].Live == 0 {
		t.Errorf("humd ingest = %+v; want ratios to the three baselines, a check and live threads", res[3])
	}
	if open := res[4]; open.OfferedPerSec != res[1].PerSec/2 || open.Check == nil || open.Requests+open.Dropped != 100 {
		t.Errorf("open loop = %+v; want half the Pebble baseline's rate offered, 100 requests sent or dropped, checked", open)
	}
	if open := res[5]; open.OfferedPerSec != res[3].PerSec/2 || open.RateBasis != "0.5x humd" || open.Check == nil {
		t.Errorf("second open loop = %+v; want half of humd's closed-loop rate offered, checked", open)
	}
	if res[8].Debounce == nil || res[8].Debounce.Err() != nil {
		t.Errorf("debounce = %+v; want a passing check", res[8].Debounce)
	}
	if res[9].Calls == nil || res[9].Calls.Err() != nil || res[10].Campaign == nil || res[10].Campaign.Err() != nil {
		t.Errorf("calls = %+v, campaign = %+v; want passing checks", res[9].Calls, res[10].Campaign)
	}
}

// TestOpenLoop offers a fixed rate: the schedule, not the server, sets the
// pace, and latency counts from each request's due time.
func TestOpenLoop(t *testing.T) {
	b, in := baselineIngest(t)
	cfg := &Config{Conns: 2, Workers: 2, Count: 50}
	l := cfg.ingestLoad("open", b.Addr(), in)
	l.Rate = 200
	st, err := l.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if st.Offered != 50 || st.Requests+st.Dropped != 50 || st.Errors != 0 {
		t.Fatalf("open loop = %d offered, %d sent, %d dropped, %d errors; want 50 offered, all sent or dropped", st.Offered, st.Requests, st.Dropped, st.Errors)
	}
	// 50 requests at 200/s are due over 245 ms.
	if st.Elapsed < 240*time.Millisecond {
		t.Errorf("open loop took %v; want at least the 245ms schedule", st.Elapsed)
	}
}

// baselineIngest starts the bare HTTP baseline and an ingest of 10 contacts
// aimed at it.
func baselineIngest(t *testing.T) (*baseline.Server, *Ingest) {
	t.Helper()
	b, err := baseline.Start(baseline.BareHTTP, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	in, err := NewIngest(&Humd{URL: b.URL, PublicURL: b.URL, Token: "baseline", Number: DefaultNumber}, 10)
	if err != nil {
		t.Fatal(err)
	}
	return b, in
}

// TestDebounce runs a small debounce workload: every burst must reach the
// fake model as one request holding all its texts and get one reply.
func TestDebounce(t *testing.T) {
	cfg := Config{Workload: "debounce", Conns: 8, TempDir: t.TempDir(),
		Debounce: Debounce{Convs: 20, Burst: 3, Window: 200 * time.Millisecond, ModelDelay: 50 * time.Millisecond}}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := Run(ctx, cfg)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if len(res) != 1 || res[0].Debounce == nil {
		t.Fatalf("Run = %+v; want one debounce result", res)
	}
	r, c := res[0], res[0].Debounce
	if r.Requests != 60 || r.Errors != 0 {
		t.Errorf("sent %d texts, %d errors (%s); want 60 without errors", r.Requests, r.Errors, r.FirstErr)
	}
	if (c.ModelRequests != 20 && c.Spilled == 0) || c.Replies != 20 || c.StoredReplies != 20 || c.Err() != nil {
		t.Errorf("check = %+v; want 20 model requests, replies and stored replies", c)
	}
	t.Logf("%s%s", DebounceHeader, r.DebounceRow())
	if c.AddedMaxMs <= -200 || c.AddedMaxMs > 5000 {
		t.Errorf("added latency max %.2f ms; want a plausible figure", c.AddedMaxMs)
	}
}

// The debounce check fails on a second model request, a request missing a
// text of its burst, a request mixing two conversations, a second reply and
// an unanswered conversation, and forgives a burst longer than the window.
func TestDebounceCheck(t *testing.T) {
	d := &Debounce{Convs: 4, Burst: 2, Window: 100 * time.Millisecond}
	if err := d.defaults(); err != nil {
		t.Fatal(err)
	}
	b, err := newBursts(4, 2)
	if err != nil {
		t.Fatal(err)
	}
	req := func(texts ...string) {
		r := &llmtest.Request{}
		for _, s := range texts {
			r.Input = append(r.Input, llmtest.InputItem{Type: "message", Role: "user", Content: s})
		}
		b.request(r)
	}
	now := time.Now()
	for i := range 4 {
		b.firstSend[i], b.lastAck[i] = now.UnixNano(), now.Add(10*time.Millisecond).UnixNano()
	}
	req(b.text(0, 0), b.text(0, 1)) // conversation 0: as it should be
	b.sent(b.contact(0), now.Add(120*time.Millisecond))
	req(b.text(1, 0)) // conversation 1: two requests, the first incomplete, two replies
	req(b.text(1, 0), b.text(1, 1))
	b.sent(b.contact(1), now.Add(120*time.Millisecond))
	b.sent(b.contact(1), now.Add(130*time.Millisecond))
	req(b.text(2, 0), b.text(3, 1))                // mixed: foreign
	b.lastAck[3] = now.Add(time.Second).UnixNano() // conversation 3 spilled over the window
	req(b.text(3, 0))
	req(b.text(3, 1))
	b.sent(b.contact(3), now.Add(1100*time.Millisecond))
	c := b.tally([]int{1, 2, 0, 1}, d)
	want := DebounceCheck{Convs: 4, Burst: 2, WindowMs: 100, Numbers: 1, Spilled: 1, ModelRequests: 5, Replies: 4, StoredReplies: 4,
		NotOneRequest: 1, IncompleteInput: 1, Foreign: 1, NotOneReply: 1, NotOneStored: 1, Unanswered: 1}
	got := *c
	got.AddedP50Ms, got.AddedP90Ms, got.AddedP99Ms, got.AddedMaxMs, got.ReplySpreadMs = 0, 0, 0, 0, 0
	got.ToModelP50Ms, got.ToModelP99Ms, got.FromModelP50Ms, got.FromModelP99Ms = 0, 0, 0, 0
	if got != want {
		t.Errorf("tally = %+v\nwant    %+v", got, want)
	}
	if c.Err() == nil || c.AddedMaxMs != 10 {
		t.Errorf("Err = %v, added max %.2f ms; want an error and 10 ms", c.Err(), c.AddedMaxMs)
	}
}

// TestCalls drives simulated calls over the relay socket; the verdict counts
// one model request per turn and whole transcripts.
func TestCalls(t *testing.T) {
	cfg := Config{Workload: "calls", TempDir: t.TempDir(), Calls: Calls{Calls: 6, Turns: 3, ModelDelay: 20 * time.Millisecond}}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	res, err := Run(ctx, cfg)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if len(res) != 1 || res[0].Calls == nil {
		t.Fatalf("Run = %+v; want one calls result", res)
	}
	c := res[0].Calls
	if c.ModelRequests != 18 || c.Err() != nil || res[0].Requests != 18 {
		t.Errorf("check = %+v; want 18 turn requests and no violations", c)
	}
	t.Logf("%s%s", CallsHeader, res[0].CallsRow())
}

// The calls check fails on a turn without exactly one request.
func TestCallsCheck(t *testing.T) {
	ok := &CallsCheck{Calls: 2, Turns: 2, ModelRequests: 4}
	if ok.Err() != nil {
		t.Errorf("clean check failed: %v", ok.Err())
	}
	for _, bad := range []*CallsCheck{{NotOneRequest: 1}, {BadTranscripts: 1}, {Unended: 1}, {FailedCalls: 1}} {
		if bad.Err() == nil {
			t.Errorf("%+v passed", bad)
		}
	}
	tally := &callTally{run: "r1", requests: map[string]int{}}
	tally.request(&llmtest.Request{Input: []llmtest.InputItem{{Type: "message", Role: "user", Content: "bench r1 c=0 t=1"}}})
	tally.request(&llmtest.Request{Instructions: "You review finished phone calls. ..."})
	if tally.requests["c=0 t=1"] != 1 || tally.summaries != 1 {
		t.Errorf("tally = %+v", tally)
	}
}

// TestCampaign dispatches a small campaign on fake time: everyone but the
// opted-out recipients texted exactly once.
func TestCampaign(t *testing.T) {
	cfg := Config{Workload: "campaign", TempDir: t.TempDir(), Campaign: Campaign{Recipients: 120, OptOutEvery: 10}}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	res, err := Run(ctx, cfg)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	c := res[0].Campaign
	if c == nil || c.Sent != 108 || c.OptedOut != 12 || c.Err() != nil {
		t.Errorf("check = %+v; want 108 sent once and 12 opted out skipped", c)
	}
	bad := &CampaignCheck{Status: "completed", TextedTwice: 1}
	if bad.Err() == nil {
		t.Error("a recipient texted twice passed the check")
	}
}
