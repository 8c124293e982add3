package app_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/humd/humd/app"
	"github.com/humd/humd/app/apptest"
	"github.com/humd/humd/storage/webhooks"
)

// receiver is a customer's webhook endpoint on loopback: it answers the
// queued statuses (then 200) and records every request.
type receiver struct {
	*httptest.Server
	mu       sync.Mutex
	statuses []int
	got      []received
}

type received struct {
	header http.Header
	body   []byte
	status int
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		st := 200
		if len(r.statuses) > 0 {
			st, r.statuses = r.statuses[0], r.statuses[1:]
		}
		r.got = append(r.got, received{header: req.Header.Clone(), body: body, status: st})
		r.mu.Unlock()
		w.WriteHeader(st)
		fmt.Fprintf(w, "answered %d", st)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) answer(statuses ...int) {
	r.mu.Lock()
	r.statuses = append(r.statuses, statuses...)
	r.mu.Unlock()
}

func (r *receiver) requests() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]received(nil), r.got...)
}

func (r *receiver) waitN(t *testing.T, s *apptest.Server, n int) []received {
	t.Helper()
	s.WaitFor(fmt.Sprintf("%d webhook requests", n), func() error {
		s.Clock.Advance(time.Second) // the delivery actor polls the log each second
		if got := len(r.requests()); got < n {
			return fmt.Errorf("%d so far", got)
		}
		return nil
	})
	// Exactly n: a duplicate of a delivery already made would come now (the
	// clock stays put, so no retry comes due).
	s.Holds(fmt.Sprintf("exactly %d webhook requests", n), func() error {
		if got := len(r.requests()); got != n {
			return fmt.Errorf("%d requests", got)
		}
		return nil
	})
	return r.requests()
}

// verify checks a request with the Standard Webhooks reference verifier.
func verify(t *testing.T, secret string, got received) map[string]any {
	t.Helper()
	wh, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		t.Fatal(err)
	}
	// The fake clock is not today, so the 5-minute tolerance is not ours to test.
	if err := wh.VerifyIgnoringTimestamp(got.body, got.header); err != nil {
		t.Fatalf("delivery %s does not verify: %v", got.header.Get("webhook-id"), err)
	}
	var env map[string]any
	if err := json.Unmarshal(got.body, &env); err != nil {
		t.Fatal(err)
	}
	return env
}

func startWebhooks(t *testing.T, dir string) *apptest.Server {
	return apptest.Start(t, apptest.Options{Dir: dir, Config: app.Config{AllowPrivateWebhooks: true}})
}

func TestWebhooksDeliverSignedEvents(t *testing.T) {
	s := startWebhooks(t, "")
	s.AddNumber(ourNumber, 1)
	rcv := newReceiver(t)
	ep := s.JSON("POST", "/api/webhooks", adminKey, map[string]any{"url": rcv.URL + "/hooks", "events": []string{"sms.received", "conversation.started"},
		"headers": map[string]string{"X-Tenant": "acme"}}, 201)
	secret := ep["signing_secret"].(string)
	if !strings.HasPrefix(secret, "whsec_") {
		t.Fatalf("signing_secret = %q", secret)
	}
	storedInClear(t, s, "webhook/", strings.TrimPrefix(secret, "whsec_"))
	if got := s.JSON("GET", "/api/webhooks/"+ep["id"].(string), adminKey, nil, 200); got["signing_secret"] != nil {
		t.Errorf("the secret was shown again: %v", got)
	}
	inbound(t, s, "SM00000000000000000000000000001001", contact, "hello")
	got := rcv.waitN(t, s, 2)
	types := []string{}
	for _, g := range got {
		env := verify(t, secret, g)
		types = append(types, env["type"].(string))
		if g.header.Get("X-Tenant") != "acme" || g.header.Get("X-Hum-Event") != env["type"] || g.header.Get("Content-Type") != "application/json" ||
			g.header.Get("User-Agent") != "hum-webhooks/1.0" {
			t.Errorf("headers = %v", g.header)
		}
		// The envelope (SPEC 1.13): the event's id, its time and the org.
		if id, _ := env["id"].(string); !strings.HasPrefix(id, "evt_") || env["org_id"] != s.OrgID() || env["data"] == nil {
			t.Errorf("envelope = %v", env)
		}
		if at, err := time.Parse(time.RFC3339Nano, fmt.Sprint(env["created_at"])); err != nil || at.After(s.Clock.Now()) {
			t.Errorf("created_at = %v (%v); want the event's time", env["created_at"], err)
		}
	}
	if strings.Join(types, ",") != "conversation.started,sms.received" {
		t.Errorf("delivered %v", types)
	}
	// A filtered-out type is never sent.
	s.JSON("POST", "/api/sms/opt-outs", adminKey, map[string]any{"e164": "+13175550150"}, 201)
	s.Holds("no delivery of a filtered-out type", func() error {
		s.Clock.Advance(time.Second) // the delivery actor reads the log on its ticks
		if n := len(rcv.requests()); n != 2 {
			return fmt.Errorf("%d requests", n)
		}
		return nil
	})
	res := s.JSON("POST", "/api/webhooks/"+ep["id"].(string)+"/test", adminKey, nil, 200)
	if res["response_status"] != 200.0 || res["delivery_id"] == nil {
		t.Errorf("test = %v", res)
	}
	all := rcv.requests()
	if env := verify(t, secret, all[len(all)-1]); env["type"] != "webhook.test" || len(all) != 3 {
		t.Errorf("after a test: %d requests, last %v", len(all), env["type"])
	}
}

func TestWebhookRetriesSurviveRestartAndKeepTheirID(t *testing.T) {
	s := startWebhooks(t, "")
	s.AddNumber(ourNumber, 1)
	rcv := newReceiver(t)
	rcv.answer(500, 503)
	ep := s.JSON("POST", "/api/webhooks", adminKey, map[string]any{"url": rcv.URL, "events": []string{"sms.received"}}, 201)
	id, secret := ep["id"].(string), ep["signing_secret"].(string)
	inbound(t, s, "SM00000000000000000000000000001101", contact, "hello")
	first := rcv.waitN(t, s, 1)[0]
	// The second attempt is due 5 s later (D-5); restart before it.
	dir := s.Dir
	s.Stop()
	r := startWebhooks(t, dir)
	got := rcv.waitN(t, r, 2)
	if len(got) != 2 || got[1].header.Get("webhook-id") != first.header.Get("webhook-id") {
		t.Fatalf("retry after restart: %d requests, ids %q vs %q", len(got), got[len(got)-1].header.Get("webhook-id"), first.header.Get("webhook-id"))
	}
	// 503 again: the third attempt waits 5 minutes.
	r.Clock.Advance(4 * time.Minute)
	r.Holds("no third attempt before 5 minutes", func() error {
		if n := len(rcv.requests()); n != 2 {
			return fmt.Errorf("retried too soon: %d requests", n)
		}
		return nil
	})
	got = rcv.waitN(t, r, 3)
	env := verify(t, secret, got[2])
	if env["type"] != "sms.received" || got[2].header.Get("webhook-id") != first.header.Get("webhook-id") {
		t.Errorf("third attempt = %v", env)
	}
	dl := r.JSON("GET", "/api/webhooks/"+id+"/deliveries", adminKey, nil, 200)["data"].([]any)
	d := dl[0].(map[string]any)
	if len(dl) != 1 || d["status"] != "succeeded" || len(d["attempts"].([]any)) != 3 {
		t.Fatalf("deliveries = %v", dl)
	}
	if a := d["attempts"].([]any)[0].(map[string]any); a["response_status"] != 500.0 || a["response_body_excerpt"] != "answered 500" {
		t.Errorf("first attempt = %v", a)
	}
	// A redelivery sends the same id and body again.
	r.JSON("POST", "/api/webhooks/"+id+"/deliveries/"+d["id"].(string)+"/redeliver", adminKey, nil, 200)
	got = rcv.waitN(t, r, 4)
	if got[3].header.Get("webhook-id") != first.header.Get("webhook-id") || string(got[3].body) != string(first.body) {
		t.Errorf("redelivery changed the id or body")
	}
}

func TestWebhookRotationSignsWithBothSecrets(t *testing.T) {
	s := startWebhooks(t, "")
	rcv := newReceiver(t)
	ep := s.JSON("POST", "/api/webhooks", adminKey, map[string]any{"url": rcv.URL, "events": []string{"*"}}, 201)
	id, old := ep["id"].(string), ep["signing_secret"].(string)
	rot := s.JSON("POST", "/api/webhooks/"+id+"/rotate-secret", adminKey, nil, 200)
	fresh := rot["signing_secret"].(string)
	if fresh == old || !strings.HasPrefix(fresh, "whsec_") {
		t.Fatalf("rotated secret = %q", fresh)
	}
	s.JSON("POST", "/api/webhooks/"+id+"/test", adminKey, nil, 200)
	g := rcv.requests()[0]
	verify(t, old, g)
	verify(t, fresh, g)
	if n := len(strings.Fields(g.header.Get("webhook-signature"))); n != 2 {
		t.Errorf("%d signatures during the overlap; want 2", n)
	}
	s.Clock.Advance(25 * time.Hour)
	s.JSON("POST", "/api/webhooks/"+id+"/test", adminKey, nil, 200)
	g = rcv.requests()[1]
	verify(t, fresh, g)
	if n := len(strings.Fields(g.header.Get("webhook-signature"))); n != 1 {
		t.Errorf("%d signatures after the overlap; want 1", n)
	}
}

// TestWebhookGivesUpAfterEightAttempts: a delivery that keeps failing is
// tried eight times on D-5's schedule (each wait jittered by at most 10%),
// then marked failed, and no ninth attempt comes.
func TestWebhookGivesUpAfterEightAttempts(t *testing.T) {
	s := startWebhooks(t, "")
	s.AddNumber(ourNumber, 1)
	rcv := newReceiver(t)
	rcv.answer(500, 500, 500, 500, 500, 500, 500, 500, 500)
	id := s.JSON("POST", "/api/webhooks", adminKey, map[string]any{"url": rcv.URL, "events": []string{"sms.received"}}, 201)["id"].(string)
	inbound(t, s, "SM00000000000000000000000000001301", contact, "hello")
	rcv.waitN(t, s, 1)
	for i, wait := range webhooks.Schedule {
		s.Clock.Advance(wait + wait/10) // the longest a jittered wait can be
		rcv.waitN(t, s, i+2)
	}
	s.Holds("no ninth attempt", func() error {
		s.Clock.Advance(12 * time.Hour)
		if n := len(rcv.requests()); n != 8 {
			return fmt.Errorf("%d attempts", n)
		}
		return nil
	})
	dl := s.JSON("GET", "/api/webhooks/"+id+"/deliveries", adminKey, nil, 200)["data"].([]any)
	if d := dl[0].(map[string]any); len(dl) != 1 || d["status"] != "failed" || len(d["attempts"].([]any)) != 8 {
		t.Errorf("deliveries = %v; want one, failed after 8 attempts", dl)
	}
	if ep := s.JSON("GET", "/api/webhooks/"+id, adminKey, nil, 200); ep["enabled"] != true {
		t.Errorf("endpoint = %v; want still enabled (its last failure came about 30 h after its first, under 3 days)", ep)
	}
}

// TestWebhookRetriesAreJittered: deliveries that failed together are not
// all retried in the same instant. Each wait is its schedule step lengthened
// by 0-10%, and the waits differ between deliveries.
func TestWebhookRetriesAreJittered(t *testing.T) {
	s := startWebhooks(t, "")
	s.AddNumber(ourNumber, 1)
	rcv := newReceiver(t)
	rcv.answer(slices.Repeat([]int{500}, 200)...)
	id := s.JSON("POST", "/api/webhooks", adminKey, map[string]any{"url": rcv.URL, "events": []string{"sms.received"}}, 201)["id"].(string)
	const texts = 12
	for i := range texts {
		inbound(t, s, fmt.Sprintf("SM%032d", 1400+i), fmt.Sprintf("+1415555%04d", 2000+i), "hello")
	}
	// At least one request per text: not exactly, since every answer is a
	// 500 and the clock waitN moves may bring a first retry (5 s) due while
	// the last deliveries are still being made on a loaded machine.
	s.WaitFor(fmt.Sprintf("%d webhook requests", texts), func() error {
		s.Clock.Advance(time.Second)
		if got := len(rcv.requests()); got < texts {
			return fmt.Errorf("%d so far", got)
		}
		return nil
	})
	waits := map[time.Duration]bool{}
	for _, v := range s.JSON("GET", "/api/webhooks/"+id+"/deliveries", adminKey, nil, 200)["data"].([]any) {
		var d webhooks.Delivery
		raw, _ := json.Marshal(v)
		if err := json.Unmarshal(raw, &d); err != nil {
			t.Fatal(err)
		}
		if d.Status != webhooks.Retrying || d.NextRetryAt == nil {
			continue // already retried, or not yet tried
		}
		// The wait runs from when the attempt failed; waitN moved the fake
		// clock in whole seconds while it was in flight, so the jitter is
		// what is left of the wait past the step under one second.
		step := webhooks.Schedule[len(d.Attempts)-1]
		wait := d.NextRetryAt.Sub(d.Attempts[len(d.Attempts)-1].At)
		jitter := (wait - step) % time.Second
		if wait < step || jitter > step/10 {
			t.Errorf("delivery %s waits %v after attempt %d; want %v plus whole seconds plus at most %v", d.ID, wait, len(d.Attempts), step, step/10)
		}
		waits[jitter] = true
	}
	if len(waits) < 2 {
		t.Errorf("retry waits = %v; want them to differ between deliveries that failed together", waits)
	}
}

// TestWebhookFailingThreeDaysDisablesAndTellsTheOrg: an endpoint is
// switched off by its first failure once it has been failing for 3 days
// (not before), and webhook.disabled goes to the event log and to the org's
// other endpoints: that is how admins are notified.
func TestWebhookFailingThreeDaysDisablesAndTellsTheOrg(t *testing.T) {
	s := startWebhooks(t, "")
	s.AddNumber(ourNumber, 1)
	failing, watcher := newReceiver(t), newReceiver(t)
	failing.answer(500, 500, 500, 500)
	id := s.JSON("POST", "/api/webhooks", adminKey, map[string]any{"url": failing.URL, "events": []string{"sms.received"}}, 201)["id"].(string)
	secret := s.JSON("POST", "/api/webhooks", adminKey, map[string]any{"url": watcher.URL, "events": []string{"webhook.disabled"}}, 201)["signing_secret"].(string)
	endpoint := func() map[string]any { return s.JSON("GET", "/api/webhooks/"+id, adminKey, nil, 200) }
	inbound(t, s, "SM00000000000000000000000000001201", contact, "hello")
	failing.waitN(t, s, 1) // failing since this attempt
	s.Clock.Advance(71 * time.Hour)
	failing.waitN(t, s, 2) // the retry, 71 h later, fails too
	if ep := endpoint(); ep["enabled"] != true {
		t.Fatalf("endpoint after 71 h of failures = %v; want still enabled", ep)
	}
	s.Clock.Advance(2 * time.Hour)
	failing.waitN(t, s, 3)
	if ep := endpoint(); ep["enabled"] != false || ep["disabled_reason"] != "failing for 3 days" {
		t.Fatalf("endpoint after 73 h of failures = %v; want disabled, failing for 3 days", ep)
	}
	env := verify(t, secret, watcher.waitN(t, s, 1)[0])
	data, _ := env["data"].(map[string]any)
	if env["type"] != "webhook.disabled" || data["endpoint_id"] != id || data["reason"] != "failing for 3 days" {
		t.Errorf("the other endpoint got %v; want webhook.disabled for %s", env, id)
	}
	if evs := s.JSON("GET", "/api/events?type=webhook.disabled", adminKey, nil, 200)["data"].([]any); len(evs) != 1 {
		t.Errorf("webhook.disabled events = %v; want one", evs)
	}
}

func TestWebhookGoneDisablesAndSSRFRefused(t *testing.T) {
	s := startWebhooks(t, "")
	rcv := newReceiver(t)
	rcv.answer(410)
	ep := s.JSON("POST", "/api/webhooks", adminKey, map[string]any{"url": rcv.URL, "events": []string{"*"}}, 201)
	id := ep["id"].(string)
	if res := s.JSON("POST", "/api/webhooks/"+id+"/test", adminKey, nil, 200); res["response_status"] != 410.0 {
		t.Fatalf("test = %v", res)
	}
	s.WaitFor("disabled", func() error {
		if got := s.JSON("GET", "/api/webhooks/"+id, adminKey, nil, 200); got["enabled"] != false {
			return fmt.Errorf("endpoint = %v", got)
		}
		return nil
	})
	errCode(t, s, "POST", "/api/webhooks/"+id+"/test", nil, 409)
	if evs := s.JSON("GET", "/api/events?type=webhook.disabled", adminKey, nil, 200)["data"].([]any); len(evs) != 1 ||
		evs[0].(map[string]any)["data"].(map[string]any)["reason"] != "gone: the endpoint answered 410" {
		t.Errorf("webhook.disabled events = %v; want one for the 410", evs)
	}

	strict := apptest.Start(t, apptest.Options{})
	for _, u := range []string{"http://example.com/hook", "https://127.0.0.1/x", "https://10.1.2.3/x", "https://[::1]/x",
		"https://169.254.169.254/latest", "https://localhost/x", "ftp://example.com", "not a url",
		// Special-purpose ranges beyond private/loopback/link-local, and IPv4 inside IPv6.
		"https://100.64.0.1/x", "https://198.18.0.1/x", "https://192.0.0.8/x", "https://[::ffff:127.0.0.1]/x",
		"https://[64:ff9b::7f00:1]/x", "https://[2002:7f00:1::]/x", "https://[2001::7f00:1]/x", "https://[fd00::1]/x"} {
		if code := errCode(t, strict, "POST", "/api/webhooks", map[string]any{"url": u, "events": []string{"*"}}, 422); code != "validation_failed" {
			t.Errorf("%s: %s", u, code)
		}
	}
	errCode(t, strict, "POST", "/api/webhooks", map[string]any{"url": "https://93.184.215.14/x", "events": []string{}}, 422)
	errCode(t, strict, "POST", "/api/webhooks", map[string]any{"url": "https://93.184.215.14/x", "events": []string{"*"},
		"headers": map[string]string{"webhook-id": "x"}}, 422)
	strict.JSON("POST", "/api/webhooks", adminKey, map[string]any{"url": "https://93.184.215.14/x", "events": []string{"*"}}, 201)
}
