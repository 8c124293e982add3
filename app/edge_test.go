package app_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"sync"
	"testing"
	"time"

	"sigs.k8s.io/yaml"

	"github.com/humd/humd/app"
	"github.com/humd/humd/app/apptest"
	"github.com/humd/humd/storage"
)

func codeOf(t *testing.T, raw []byte) string {
	t.Helper()
	var e struct {
		Error struct{ Code string } `json:"error"`
	}
	if err := json.Unmarshal(raw, &e); err != nil {
		t.Fatalf("error body %q: %v", raw, err)
	}
	return e.Error.Code
}

// TestIdempotencyKeyAnswersARetryWithoutSendingAgain (A35): a send retried
// with its Idempotency-Key gets the first answer and texts once; the key
// with another body is refused; an answer that was an error is not kept;
// after 24 h the key is free again.
func TestIdempotencyKeyAnswersARetryWithoutSendingAgain(t *testing.T) {
	s := apptest.Start(t, apptest.Options{})
	s.AddNumber(ourNumber, 100)
	inbound(t, s, "SM00000000000000000000000000001501", contact, "hi")
	path := "/api/sms/conversations/" + onlyConversation(t, s)["id"].(string) + "/messages"
	key := map[string]string{"Idempotency-Key": "order-42/confirmation"}
	sends := func(want int) {
		t.Helper()
		s.Settle(fmt.Sprintf("%d carrier sends", want), func() error {
			if n := len(s.App.Sandbox.Sent()); n != want {
				return fmt.Errorf("%d sends", n)
			}
			return nil
		})
	}

	st, _, raw := s.DoHeader("POST", path, adminKey, `{"body":`, key)
	if st != 422 {
		t.Fatalf("malformed first try = %d %s; want 422", st, raw)
	}
	st, h1, first := s.DoHeader("POST", path, adminKey, map[string]any{"body": "Your order is confirmed"}, key)
	if st != 201 || h1.Get("Idempotent-Replayed") != "" {
		t.Fatalf("first send = %d %s (replayed %q); want 201, not replayed: the 422 before was not kept", st, first, h1.Get("Idempotent-Replayed"))
	}
	sends(1)
	st, h2, again := s.DoHeader("POST", path, adminKey, map[string]any{"body": "Your order is confirmed"}, key)
	if st != 201 || string(again) != string(first) || h2.Get("Idempotent-Replayed") != "true" {
		t.Errorf("retry = %d %s (replayed %q); want the first answer %s again", st, again, h2.Get("Idempotent-Replayed"), first)
	}
	sends(1)
	if st, _, raw := s.DoHeader("POST", path, adminKey, map[string]any{"body": "Something else"}, key); st != 422 || codeOf(t, raw) != "idempotency_key_reused" {
		t.Errorf("the key with another body = %d %s; want 422 idempotency_key_reused", st, raw)
	}
	// A different key, or none, is a new send.
	s.JSON("POST", path, adminKey, map[string]any{"body": "Your order is confirmed"}, 201)
	sends(2)
	s.Clock.Advance(24*time.Hour + time.Minute)
	s.WaitFor("the kept answer expired by the scheduler", func() error {
		n := 0
		_ = s.App.Store.Scan([]byte("idem"), storage.ScanOptions{}, func(k, v []byte) (bool, error) { n++; return true, nil })
		if n != 0 {
			s.Clock.Advance(time.Minute)
			return fmt.Errorf("%d idem keys", n)
		}
		return nil
	})
	if st, h, raw := s.DoHeader("POST", path, adminKey, map[string]any{"body": "Your order is confirmed"}, key); st != 201 || h.Get("Idempotent-Replayed") != "" {
		t.Errorf("the key after 24 h = %d %s (replayed %q); want a new send", st, raw, h.Get("Idempotent-Replayed"))
	}
	sends(3)
}

// TestIdempotencyKeyWaitsForTheFirstAnswer: while the first request with a
// key is still running, a second gets 409, and the receiver sees one request.
func TestIdempotencyKeyWaitsForTheFirstAnswer(t *testing.T) {
	s := startWebhooks(t, "")
	release := make(chan struct{})
	arrived := make(chan struct{}, 4)
	var mu sync.Mutex
	got := 0
	slow := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got++
		n := got
		mu.Unlock()
		if n == 1 { // only the first waits, so a second request fails the test rather than hanging it
			arrived <- struct{}{}
			<-release
		}
	})
	rcv := newReceiver(t)
	rcv.Config.Handler = slow
	var once sync.Once
	t.Cleanup(func() { once.Do(func() { close(release) }) })
	id := s.JSON("POST", "/api/webhooks", adminKey, map[string]any{"url": rcv.URL, "events": []string{"sms.received"}}, 201)["id"].(string)
	path := "/api/webhooks/" + id + "/test"
	key := map[string]string{"Idempotency-Key": "ping-1"}
	first := make(chan int, 1)
	go func() {
		st, _, _ := s.DoHeader("POST", path, adminKey, nil, key)
		first <- st
	}()
	select {
	case <-arrived:
	case <-time.After(10 * time.Second):
		t.Fatal("the test delivery never reached the receiver")
	}
	if st, _, raw := s.DoHeader("POST", path, adminKey, nil, key); st != 409 || codeOf(t, raw) != "idempotency_key_in_use" {
		t.Errorf("same key while the first runs = %d %s; want 409 idempotency_key_in_use", st, raw)
	}
	once.Do(func() { close(release) })
	if st := <-first; st != 200 {
		t.Fatalf("first test delivery = %d; want 200", st)
	}
	if st, h, raw := s.DoHeader("POST", path, adminKey, nil, key); st != 200 || h.Get("Idempotent-Replayed") != "true" {
		t.Errorf("same key after = %d %s; want the kept 200", st, raw)
	}
	s.Holds("one test delivery", func() error {
		mu.Lock()
		defer mu.Unlock()
		if got != 1 {
			return fmt.Errorf("%d requests", got)
		}
		return nil
	})

}

// TestConfirmIsAcceptedOnEveryRoute (D-11): REST calls may send confirm:
// true where the route does not use it; a confirm that is not a boolean is
// still a validation error.
func TestConfirmIsAcceptedOnEveryRoute(t *testing.T) {
	s := apptest.Start(t, apptest.Options{})
	s.AddNumber(ourNumber, 1)
	inbound(t, s, "SM00000000000000000000000000001511", contact, "hi")
	path := "/api/sms/conversations/" + onlyConversation(t, s)["id"].(string) + "/messages"
	s.JSON("POST", path, adminKey, map[string]any{"body": "confirmed", "confirm": true}, 201)
	s.JSON("POST", "/api/team/invites", adminKey, map[string]any{"email": "new@example.com", "role": "viewer", "confirm": true}, 201)
	s.JSON("POST", "/api/blocklist", adminKey, map[string]any{"e164": "+14155550100", "confirm": false}, 201)
	if st, raw := s.Do("POST", path, adminKey, map[string]any{"body": "x", "confirm": "yes"}); st != 422 {
		t.Errorf("confirm:\"yes\" = %d %s; want 422", st, raw)
	}
}

// TestAPIKeysAreRateLimited (A35): 600 requests a minute per key, then 429
// with Retry-After; another key is not affected; the bucket refills.
func TestAPIKeysAreRateLimited(t *testing.T) {
	s := apptest.Start(t, apptest.Options{})
	other := s.JSON("POST", "/api/api-keys", adminKey, map[string]any{"name": "second", "role": "viewer"}, 201)["key"].(string)
	for i := 1; i < 600; i++ { // the key creation above was the first
		if st, raw := s.Do("GET", "/api/me", adminKey, nil); st != 200 {
			t.Fatalf("request %d = %d %s; want 200", i+1, st, raw)
		}
	}
	st, h, raw := s.DoHeader("GET", "/api/me", adminKey, nil, nil)
	if st != 429 || codeOf(t, raw) != "rate_limited" || h.Get("Retry-After") == "" {
		t.Fatalf("request 601 = %d %s (Retry-After %q); want 429 rate_limited with Retry-After", st, raw, h.Get("Retry-After"))
	}
	s.JSON("GET", "/api/me", other, nil, 200)
	s.Clock.Advance(time.Second) // 10 more
	for i := range 10 {
		if st, raw := s.Do("GET", "/api/me", adminKey, nil); st != 200 {
			t.Fatalf("after a second, request %d = %d %s; want 200", i, st, raw)
		}
	}
	if st, _ := s.Do("GET", "/api/me", adminKey, nil); st != 429 {
		t.Errorf("the 11th request after a second = %d; want 429", st)
	}
}

// TestKeyRateLimitCanBeTurnedOff: a negative limit (load testing) lets a
// key past 600 a minute.
func TestKeyRateLimitCanBeTurnedOff(t *testing.T) {
	s := apptest.Start(t, apptest.Options{Config: app.Config{KeyRequestsPerMinute: -1}})
	for i := range 650 {
		if st, raw := s.Do("GET", "/api/me", adminKey, nil); st != 200 {
			t.Fatalf("request %d = %d %s; want 200", i+1, st, raw)
		}
	}
}

// TestOpenAPIAlsoAsYAML: /openapi.yaml is the same document as /openapi.json.
func TestOpenAPIAlsoAsYAML(t *testing.T) {
	s := apptest.Start(t, apptest.Options{})
	_, jraw := s.Do("GET", "/openapi.json", "", nil)
	st, h, yraw := s.DoHeader("GET", "/openapi.yaml", "", nil, nil)
	if st != 200 || h.Get("Content-Type") != "application/yaml" {
		t.Fatalf("/openapi.yaml = %d %s", st, h.Get("Content-Type"))
	}
	fromYAML, err := yaml.YAMLToJSON(yraw)
	if err != nil {
		t.Fatal(err)
	}
	var a, b any
	if err := json.Unmarshal(jraw, &a); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(fromYAML, &b); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a, b) {
		t.Error("/openapi.yaml differs from /openapi.json")
	}
}

// TestAPISendsToOneThreadAreCapped (A35): 60 sends a minute per key to one
// thread, then 429; another thread is not affected, and the cap refills.
func TestAPISendsToOneThreadAreCapped(t *testing.T) {
	s := apptest.Start(t, apptest.Options{})
	s.AddNumber(ourNumber, 100)
	inbound(t, s, "SM00000000000000000000000000001521", contact, "hi")
	inbound(t, s, "SM00000000000000000000000000001522", "+13175550177", "hi")
	convs := s.JSON("GET", "/api/sms/conversations", adminKey, nil, 200)["data"].([]any)
	path := func(i int) string {
		return "/api/sms/conversations/" + convs[i].(map[string]any)["id"].(string) + "/messages"
	}
	for i := range 60 {
		if st, raw := s.Do("POST", path(0), adminKey, map[string]any{"body": fmt.Sprintf("update %d", i)}); st != 201 {
			t.Fatalf("send %d = %d %s; want 201", i+1, st, raw)
		}
	}
	st, h, raw := s.DoHeader("POST", path(0), adminKey, map[string]any{"body": "one too many"}, nil)
	if st != 429 || codeOf(t, raw) != "rate_limited" || h.Get("Retry-After") == "" {
		t.Fatalf("send 61 = %d %s (Retry-After %q); want 429 rate_limited", st, raw, h.Get("Retry-After"))
	}
	// Opening the same thread with a first text is a send to it too.
	if st, raw := s.Do("POST", "/api/sms/conversations", adminKey, map[string]any{"twilio_number_id": convs[0].(map[string]any)["twilio_number_id"],
		"contact_e164": convs[0].(map[string]any)["contact_e164"], "initial_message": map[string]any{"body": "via open"}}); st != 429 {
		t.Errorf("createConversation with a first text past the cap = %d %s; want 429", st, raw)
	}
	s.JSON("POST", path(1), adminKey, map[string]any{"body": "another thread"}, 201)
	s.Clock.Advance(time.Second)
	s.JSON("POST", path(0), adminKey, map[string]any{"body": "a second later"}, 201)
	if st, _ := s.Do("POST", path(0), adminKey, map[string]any{"body": "again"}); st != 429 {
		t.Errorf("a second send within that second = %d; want 429", st)
	}
}

// TestMCPOperationsCountOnceAgainstTheKeyLimit: an operation run through
// /mcp is one request of the key's limit (the /mcp call), not two.
func TestMCPOperationsCountOnceAgainstTheKeyLimit(t *testing.T) {
	s := apptest.Start(t, apptest.Options{Config: app.Config{KeyRequestsPerMinute: 12}})
	cs := mcpSession(t, s, adminKey, "") // the session's own requests count too
	for i := range 8 {
		res, _ := call(t, cs, "execute_operation", map[string]any{"operation_id": "listFlows"})
		if res.IsError {
			t.Fatalf("operation %d through /mcp refused: %+v; want 8 to fit in 12 a minute", i+1, res.Content)
		}
	}
}
