package app_test

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/humd/humd/app"
	"github.com/humd/humd/app/apptest"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/events"
	"github.com/humd/humd/storage/sms"
)

// skipLog counts the "record skipped" lines humd logs, by consumer.
type skipLog struct {
	mu  sync.Mutex
	got map[string]int
}

func (l *skipLog) Enabled(context.Context, slog.Level) bool { return true }
func (l *skipLog) WithAttrs([]slog.Attr) slog.Handler       { return l }
func (l *skipLog) WithGroup(string) slog.Handler            { return l }
func (l *skipLog) Handle(_ context.Context, r slog.Record) error {
	if r.Message != "record skipped" {
		return nil
	}
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "consumer" {
			l.mu.Lock()
			if l.got == nil {
				l.got = map[string]int{}
			}
			l.got[a.Value.String()]++
			l.mu.Unlock()
		}
		return true
	})
	return nil
}

func (l *skipLog) count(consumer string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.got[consumer]
}

// nested is a JSON object nested depth levels deep.
func nested(depth int) string {
	return strings.Repeat(`{"a":`, depth-1) + "{}" + strings.Repeat("}", depth-1)
}

// poisonEvent writes below the API what an older humd stored for a trigger
// fired with a 9999-level payload: an event record in the org's log that no
// JSON decoder reads back (both stop at 10000 levels). It answers its seq.
func poisonEvent(t *testing.T, s *apptest.Server) uint64 {
	t.Helper()
	org := s.OrgID()
	seq, err := s.App.Store.Sequence(events.KeySeq(org))
	if err != nil {
		t.Fatal(err)
	}
	raw := fmt.Sprintf(`{"id":"evt_poison","seq":%d,"type":"external.deep","org_id":%q,"created_at":"2026-11-25T15:00:00Z",`+
		`"data":{"trigger_id":"trg_old","payload":%s}}`, seq, org, nested(9999))
	var ev events.Event
	if storage.DecodeJSON([]byte(raw), &ev) == nil {
		t.Fatal("the poison record decodes; the test proves nothing")
	}
	b := s.App.Store.NewBatch()
	b.Set(events.Key(org, seq), []byte(raw))
	if err := b.Commit(storage.Sync); err != nil {
		t.Fatal(err)
	}
	return seq
}

// metric answers the value of one line of /metrics ("" when absent).
func metric(t *testing.T, s *apptest.Server, series string) string {
	t.Helper()
	status, raw := s.Do("GET", "/metrics", "", nil)
	if status != 200 {
		t.Fatalf("/metrics = %d", status)
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if v, ok := strings.CutPrefix(line, series+" "); ok {
			return v
		}
	}
	return ""
}

// TestUnreadableEventIsSkippedByEveryConsumer: one event record that cannot
// be decoded, written straight into Pebble, stops nothing. Event pages
// answer 200 without it; the webhook endpoint and the CRM connector go on to
// the events after it, each recording why it skipped it (a failed delivery,
// a request-log entry); enrichment goes on too; each consumer counts it once
// in humd_records_skipped_total and logs it once, across polls and restarts.
func TestUnreadableEventIsSkippedByEveryConsumer(t *testing.T) {
	logs := &skipLog{}
	dir := t.TempDir()
	opts := apptest.Options{Dir: dir, Config: app.Config{AllowPrivateWebhooks: true}, Logger: slog.New(logs)}
	s := apptest.Start(t, opts)
	s.AddNumber(ourNumber, 1)
	rcv := newReceiver(t)
	ep := s.JSON("POST", "/api/webhooks", adminKey, map[string]any{"url": rcv.URL + "/hooks",
		"events": []string{"sms.received", "conversation.started"}}, 201)
	epID := ep["id"].(string)
	f := newFakeCRM(t)
	cn := s.JSON("POST", "/api/crm-connectors", adminKey, map[string]any{"name": "Our CRM", "base_url": f.URL, "create_on_miss": true}, 201)
	cnID := cn["id"].(string)
	f.mu.Lock()
	f.secret = cn["secret"].(string)
	f.mu.Unlock()

	inbound(t, s, "SM00000000000000000000000000001701", contact, "before")
	rcv.waitN(t, s, 2)
	poison := poisonEvent(t, s)
	// A new endpoint starts after the newest event, even an unreadable one.
	other := s.JSON("POST", "/api/webhooks", adminKey, map[string]any{"url": rcv.URL + "/other", "events": []string{"sms.sent"}}, 201)
	s.JSON("DELETE", "/api/webhooks/"+other["id"].(string), adminKey, nil, 204)
	// A new contact after the bad record: both the webhook and the CRM
	// connector must get past it to reach this.
	const later = "+13175550188"
	inbound(t, s, "SM00000000000000000000000000001702", later, "after")
	got := rcv.waitN(t, s, 4)
	if !strings.Contains(string(got[3].body), "after") && !strings.Contains(string(got[2].body), "after") {
		t.Errorf("the events after the bad record were not delivered: %s | %s", got[2].body, got[3].body)
	}
	s.WaitFor("the later contact linked in the CRM", func() error {
		s.Clock.Advance(time.Second)
		c, err := sms.ContactByE164(s.App.Store, s.OrgID(), later)
		if err != nil || c.CRMContactID != "crm-new-13175550188" {
			return fmt.Errorf("contact = %+v %v", c, err)
		}
		return nil
	})

	// The endpoint's delivery log says what happened to the bad event.
	var failed map[string]any
	for _, d := range s.JSON("GET", "/api/webhooks/"+epID+"/deliveries?limit=200", adminKey, nil, 200)["data"].([]any) {
		if d := d.(map[string]any); d["seq"] == float64(poison) {
			failed = d
		}
	}
	if failed == nil || failed["status"] != "failed" || !strings.Contains(fmt.Sprint(failed["error"]), "could not be read") ||
		len(failed["attempts"].([]any)) != 0 {
		t.Fatalf("delivery of the bad event = %v; want failed, no attempt, and why", failed)
	}
	if code := errCode(t, s, "POST", "/api/webhooks/"+epID+"/deliveries/"+failed["id"].(string)+"/redeliver", nil, 409); code != "event_unreadable" {
		t.Errorf("redeliver = %s; want event_unreadable", code)
	}
	// So does the connector's request log.
	skippedInCRM := 0
	for _, l := range s.JSON("GET", "/api/crm-connectors/"+cnID+"/logs", adminKey, nil, 200)["data"].([]any) {
		if l := l.(map[string]any); l["event"] == "event.skipped" && strings.Contains(fmt.Sprint(l["error"]), fmt.Sprintf("event %d", poison)) {
			skippedInCRM++
		}
	}
	if skippedInCRM != 1 {
		t.Errorf("CRM log has %d event.skipped entries for seq %d; want 1", skippedInCRM, poison)
	}

	// Every page of the event log answers, and only the bad record is left out.
	checkEventPages(t, s, poison)
	s.JSON("GET", "/api/dashboard", adminKey, nil, 200)

	s.WaitFor("enrichment past the bad record", func() error {
		s.Clock.Advance(time.Second)
		if n := logs.count("enrich"); n != 1 {
			return fmt.Errorf("enrich skipped %d", n)
		}
		return nil
	})
	for _, c := range []string{"webhook", "crm", "enrich"} {
		if v := metric(t, s, `humd_records_skipped_total{consumer="`+c+`",reason="undecodable"}`); v != "1" {
			t.Errorf("humd_records_skipped_total for %s = %q; want 1", c, v)
		}
	}
	if v := metric(t, s, `humd_records_skipped_total{consumer="list",reason="undecodable"}`); v == "" || v == "0" {
		t.Errorf("humd_records_skipped_total for list = %q; want the pages that left it out", v)
	}
	// Once each, however long the actors keep polling.
	s.Holds("one log line per consumer", func() error {
		s.Clock.Advance(time.Second)
		for _, c := range []string{"webhook", "crm", "enrich"} {
			if n := logs.count(c); n != 1 {
				return fmt.Errorf("%s logged the skip %d times", c, n)
			}
		}
		return nil
	})

	// After a restart nobody reads the bad record again, and delivery goes on.
	s.Stop()
	logs2 := &skipLog{}
	opts.Logger = slog.New(logs2)
	s2 := apptest.Start(t, opts)
	inbound(t, s2, "SM00000000000000000000000000001703", later, "after restart")
	rcv.waitN(t, s2, 5)
	s2.Holds("no skip after a restart", func() error {
		s2.Clock.Advance(time.Second)
		for _, c := range []string{"webhook", "crm", "enrich"} {
			if n := logs2.count(c); n != 0 {
				return fmt.Errorf("%s skipped the record again (%d)", c, n)
			}
		}
		return nil
	})
}

// checkEventPages walks GET /api/events two at a time, both ways: every page
// answers 200 and every event but the one at skip is listed, once.
func checkEventPages(t *testing.T, s *apptest.Server, skip uint64) {
	t.Helper()
	last, err := events.LastSeq(s.App.Store, s.OrgID())
	if err != nil {
		t.Fatal(err)
	}
	var seqs []uint64
	cursor := ""
	for pages := 0; ; pages++ {
		if pages > 100 {
			t.Fatal("the event pages do not end")
		}
		page := s.JSON("GET", "/api/events?limit=2&cursor="+cursor, adminKey, nil, 200)
		for _, e := range page["data"].([]any) {
			seqs = append(seqs, uint64(e.(map[string]any)["seq"].(float64)))
		}
		next, _ := page["next_cursor"].(string)
		if next == "" {
			break
		}
		cursor = next
	}
	var want []uint64
	for seq := uint64(1); seq <= last; seq++ {
		if seq != skip {
			want = append(want, seq)
		}
	}
	if !slices.Equal(seqs, want) {
		t.Errorf("event pages listed seqs %v; want %v", seqs, want)
	}
	// Filtered by type, too.
	s.JSON("GET", "/api/events?type=external.deep", adminKey, nil, 200)
}

// TestTriggerRefusesTooDeepPayload: a payload nested past storage's limit is
// refused at the door (400 json_too_deep) and nothing is stored, up to the
// 9999 levels that once made an event no decoder could read; one at the
// limit is accepted and reads back.
func TestTriggerRefusesTooDeepPayload(t *testing.T) {
	s := apptest.Start(t, apptest.Options{})
	tr := s.JSON("POST", "/api/triggers", adminKey, map[string]any{"name": "Orders", "event_name": "external.order_paid"}, 201)
	path := fireURL(t, s, tr)
	for _, depth := range []int{storage.MaxJSONDepth + 1, 9999} {
		res := s.JSON("POST", path, "", nested(depth), 400)
		if e, _ := res["error"].(map[string]any); e["code"] != "json_too_deep" {
			t.Errorf("fire with %d levels = %v; want json_too_deep", depth, res)
		}
	}
	if evs := s.Events(); len(evs) != 0 {
		t.Fatalf("a refused fire stored %d events", len(evs))
	}
	if got := s.JSON("GET", "/api/triggers/"+tr["id"].(string), adminKey, nil, 200); got["last_fired_at"] != nil {
		t.Errorf("a refused fire was recorded: %v", got)
	}
	// At the limit: stored, and it reads back.
	s.JSON("POST", path, "", nested(storage.MaxJSONDepth), 202)
	evs := s.JSON("GET", "/api/events", adminKey, nil, 200)["data"].([]any)
	if len(evs) != 1 || !strings.Contains(fmt.Sprint(evs[0]), "map[a:map[a:") {
		t.Errorf("events = %v; want the fire at the limit", evs)
	}
}

// TestCallOutcomeWithinJSONLimits: the model's post-call outcome is stored
// verbatim in the call and in its call.outcome event, so one nested past
// storage's limit is dropped (its label stays) and the event log stays
// readable: an outcome of 9999 levels once made call.outcome an event no
// decoder reads back.
func TestCallOutcomeWithinJSONLimits(t *testing.T) {
	s, fake := startCRMVoice(t, "")
	answerWithVoiceFlow(t, s, ourNumber, nil)
	c := dial(t, s, contact, "CA00000000000000000000000000001704")
	id := c.TwiML.Parameters["call_id"]
	fake.ReplyText("Hello there.")
	if err := c.Conn.Prompt("Hi"); err != nil {
		t.Fatal(err)
	}
	reply(t, c)
	_ = c.Conn.Close()
	fake.ReplyText(`{"summary":"A very deep call.","key_points":[],"next_actions":[],"outcome_label":"deep","outcome":` + nested(9999) + `}`)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.Status(ctx, "completed", nil); err != nil {
		t.Fatal(err)
	}
	s.WaitFor("the summary", func() error {
		if cl := storedCall(t, s, id); cl.Summary == nil {
			return fmt.Errorf("no summary yet")
		}
		return nil
	})
	if cl := storedCall(t, s, id); cl.OutcomeLabel != "deep" || cl.Outcome != nil {
		t.Errorf("call outcome = %q %.40s; want the label and no outcome", cl.OutcomeLabel, cl.Outcome)
	}
	outcomes := 0
	err := s.App.Store.Scan(events.Prefix(s.OrgID()), storage.ScanOptions{}, func(k, v []byte) (bool, error) {
		var ev events.Event
		if err := storage.DecodeJSON(v, &ev); err != nil {
			t.Errorf("event %d does not read back: %v", events.SeqOfKey(k), err)
		} else if ev.Type == "call.outcome" {
			outcomes++
		}
		return true, nil
	})
	if err != nil || outcomes != 1 {
		t.Errorf("call.outcome events = %d (%v); want 1", outcomes, err)
	}
}

// TestCRMSkipsAnEventItCannotProcess: an event that reads back but whose
// data is not the shape its type promises is skipped by the connector with
// an event.skipped entry saying why (rather than passed over in silence),
// counted as unprocessable, and the connector goes on.
func TestCRMSkipsAnEventItCannotProcess(t *testing.T) {
	s := startWebhooks(t, "")
	s.AddNumber(ourNumber, 1)
	f := newFakeCRM(t)
	cn := s.JSON("POST", "/api/crm-connectors", adminKey, map[string]any{"name": "Our CRM", "base_url": f.URL, "create_on_miss": true}, 201)
	f.mu.Lock()
	f.secret = cn["secret"].(string)
	f.mu.Unlock()
	b := s.App.Store.NewBatch()
	odd, err := events.Append(s.App.Store, b, s.OrgID(), events.ConvStarted, s.Clock.Now(), map[string]any{"conversation": 5})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Commit(storage.Sync); err != nil {
		t.Fatal(err)
	}
	inbound(t, s, "SM00000000000000000000000000001705", contact, "hi")
	s.WaitFor("the contact linked", func() error {
		s.Clock.Advance(time.Second)
		if c, err := sms.ContactByE164(s.App.Store, s.OrgID(), contact); err != nil || c.CRMContactID != "crm-123" {
			return fmt.Errorf("contact = %+v %v", c, err)
		}
		return nil
	})
	var skipped []string
	for _, l := range s.JSON("GET", "/api/crm-connectors/"+cn["id"].(string)+"/logs", adminKey, nil, 200)["data"].([]any) {
		if l := l.(map[string]any); l["event"] == "event.skipped" {
			skipped = append(skipped, fmt.Sprint(l["error"]))
		}
	}
	if len(skipped) != 1 || !strings.Contains(skipped[0], fmt.Sprintf("event %d skipped (unprocessable)", odd.Seq)) {
		t.Errorf("event.skipped entries = %q; want one for seq %d, unprocessable", skipped, odd.Seq)
	}
	if v := metric(t, s, `humd_records_skipped_total{consumer="crm",reason="unprocessable"}`); v != "1" {
		t.Errorf("humd_records_skipped_total for crm, unprocessable = %q; want 1", v)
	}
}
