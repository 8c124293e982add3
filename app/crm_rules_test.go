package app_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/humd/humd/storage/crm"
	"github.com/humd/humd/storage/sms"
)

// uaCRM is a CRM on loopback that checks the bearer and the HMAC of every
// request before reading it, records what it was sent with its User-Agent,
// and answers POST /contacts/lookup with lookupStatus (404: "no such
// contact", as some CRMs say it).
type uaCRM struct {
	*httptest.Server
	mu           sync.Mutex
	secret       string
	lookupStatus int
	reqs         []uaReq
	badAuth      int
}

type uaReq struct {
	path, event, userAgent string
	body                   map[string]any
}

func newUACRM(t *testing.T, lookupStatus int) *uaCRM {
	f := &uaCRM{lookupStatus: lookupStatus}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		defer f.mu.Unlock()
		if !crmSigned(r, raw, f.secret) {
			f.badAuth++
			w.WriteHeader(401)
			return
		}
		req := uaReq{path: r.URL.Path, event: r.Header.Get("X-HUM-Event"), userAgent: r.Header.Get("User-Agent")}
		_ = json.Unmarshal(raw, &req.body)
		f.reqs = append(f.reqs, req)
		switch r.URL.Path {
		case "/ping":
			fmt.Fprint(w, `{"ok":true}`)
		case "/contacts/lookup":
			w.WriteHeader(f.lookupStatus)
			if f.lookupStatus == 200 {
				fmt.Fprint(w, `{"found":false}`)
			}
		case "/contacts":
			w.WriteHeader(201)
			fmt.Fprint(w, `{"contact":{"id":"crm-made-1"}}`)
		default:
			w.WriteHeader(404)
		}
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *uaCRM) requests() ([]uaReq, int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]uaReq(nil), f.reqs...), f.badAuth
}

// TestCRMConnectorInputRules: booleans take true/false and 0/1 (SPEC 1.0)
// and are stored and answered as booleans; timeout_ms is 1 to 30000.
func TestCRMConnectorInputRules(t *testing.T) {
	s := startWebhooks(t, "")
	f := newUACRM(t, 200)
	cn := s.JSON("POST", "/api/crm-connectors", adminKey, map[string]any{"name": "Ints", "base_url": f.URL,
		"create_on_miss": 1, "sync_calls": 0, "enabled": 1}, 201)
	id := cn["id"].(string)
	if cn["create_on_miss"] != true || cn["sync_calls"] != false || cn["enabled"] != true {
		t.Errorf("created = %v; want create_on_miss true, sync_calls false, enabled true", cn)
	}
	if c, err := crm.Get(s.App.Store, s.OrgID(), id); err != nil || !c.CreateOnMiss || c.SyncCalls || !c.Enabled {
		t.Errorf("stored = %+v, %v; want create_on_miss and enabled true, sync_calls false", c, err)
	}
	p := s.JSON("PATCH", "/api/crm-connectors/"+id, adminKey, map[string]any{"create_on_miss": 0, "sync_calls": true}, 200)
	if p["create_on_miss"] != false || p["sync_calls"] != true {
		t.Errorf("patched = %v", p)
	}
	for _, bad := range []map[string]any{{"create_on_miss": 2}, {"enabled": "yes"}, {"sync_calls": -1}} {
		errCode(t, s, "PATCH", "/api/crm-connectors/"+id, bad, 422)
	}

	// timeout_ms: 1 to 30000, on create and on edit.
	for _, ms := range []int{0, -5, 30001} {
		errCode(t, s, "POST", "/api/crm-connectors", map[string]any{"name": "T", "base_url": f.URL, "timeout_ms": ms, "enabled": false}, 422)
		errCode(t, s, "PATCH", "/api/crm-connectors/"+id, map[string]any{"timeout_ms": ms}, 422)
	}
	if c := s.JSON("POST", "/api/crm-connectors", adminKey, map[string]any{"name": "T", "base_url": f.URL, "timeout_ms": 1, "enabled": false}, 201); c["timeout_ms"] != 1.0 {
		t.Errorf("timeout_ms 1 = %v", c["timeout_ms"])
	}
	if c := s.JSON("PATCH", "/api/crm-connectors/"+id, adminKey, map[string]any{"timeout_ms": 30000}, 200); c["timeout_ms"] != 30000.0 {
		t.Errorf("timeout_ms 30000 = %v", c["timeout_ms"])
	}
}

// TestCRMOneEnabledUnderRace: many admins adding, or enabling, a connector
// at once still leave one enabled connector per org (SPEC 1.15): exactly one
// request wins, the others are 409. A race is won or lost by timing, so
// each is run a few rounds.
func TestCRMOneEnabledUnderRace(t *testing.T) {
	s := startWebhooks(t, "")
	f := newUACRM(t, 200)
	const n, rounds = 16, 10
	race := func(method string, path func(i int) string, body string) map[int]int {
		t.Helper()
		statuses := make([]int, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			wg.Go(func() {
				<-start
				req, _ := http.NewRequest(method, s.URL+path(i), bytes.NewReader([]byte(body)))
				req.Header.Set("Authorization", "Bearer "+adminKey)
				req.Header.Set("Content-Type", "application/json")
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Errorf("%s %s: %v", method, path(i), err)
					return
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				statuses[i] = resp.StatusCode
			})
		}
		close(start)
		wg.Wait()
		count := map[int]int{}
		for _, st := range statuses {
			count[st]++
		}
		return count
	}
	all := func() (ids []string, enabled int) {
		for _, c := range s.JSON("GET", "/api/crm-connectors?limit=200", adminKey, nil, 200)["data"].([]any) {
			ids = append(ids, c.(map[string]any)["id"].(string))
			if c.(map[string]any)["enabled"] == true {
				enabled++
			}
		}
		return ids, enabled
	}
	deleteAll := func() {
		ids, _ := all()
		for _, id := range ids {
			if st, raw := s.Do("DELETE", "/api/crm-connectors/"+id, adminKey, nil); st != 204 {
				t.Fatalf("delete %s = %d %s", id, st, raw)
			}
		}
	}

	for round := range rounds {
		s.Clock.Advance(time.Minute) // a minute's worth of requests per round, under the per-key limit
		created := race("POST", func(int) string { return "/api/crm-connectors" }, `{"name":"CRM","base_url":"`+f.URL+`"}`)
		if _, on := all(); created[201] != 1 || created[409] != n-1 || on != 1 {
			t.Fatalf("round %d: %d concurrent creates answered %v with %d enabled; want one 201, %d 409, one enabled",
				round, n, created, on, n-1)
		}
		deleteAll()
	}

	// The same through PATCH: n disabled connectors enabled at once.
	for round := range rounds {
		s.Clock.Advance(time.Minute)
		ids := make([]string, n)
		for i := range ids {
			ids[i] = s.JSON("POST", "/api/crm-connectors", adminKey, map[string]any{"name": "CRM", "base_url": f.URL, "enabled": 0}, 201)["id"].(string)
		}
		patched := race("PATCH", func(i int) string { return "/api/crm-connectors/" + ids[i] }, `{"enabled":1}`)
		if _, on := all(); patched[200] != 1 || patched[409] != n-1 || on != 1 {
			t.Fatalf("round %d: %d concurrent enables answered %v with %d enabled; want one 200, %d 409, one enabled",
				round, n, patched, on, n-1)
		}
		deleteAll()
	}
}

// TestCRMCreateOnMissContract: every request carries the contract's
// User-Agent; a lookup answered 404 counts as "not found", so create_on_miss
// creates the contact, sending what enrichment already knows of it
// (caller_name, carrier, line_type) with the phone, and links the answer.
func TestCRMCreateOnMissContract(t *testing.T) {
	s := startWebhooks(t, "")
	s.AddNumber(ourNumber, 1)
	f := newUACRM(t, 404)
	// Looked up before the first text, so enrichment does not run again.
	b := s.App.Store.NewBatch()
	if _, err := sms.ApplyLookup(s.App.Store, b, s.OrgID(), contact,
		&sms.LookupResult{Valid: true, Carrier: "Verizon Wireless", LineType: "mobile", CallerName: "JANE DOE"}, s.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	cn := s.JSON("POST", "/api/crm-connectors", adminKey, map[string]any{"name": "CRM", "base_url": f.URL, "create_on_miss": 1}, 201)
	id := cn["id"].(string)
	f.mu.Lock()
	f.secret = cn["secret"].(string)
	f.mu.Unlock()
	if p := s.JSON("POST", "/api/crm-connectors/"+id+"/ping", adminKey, nil, 200); p["ok"] != true {
		t.Fatalf("ping = %v", p)
	}

	inbound(t, s, "SM00000000000000000000000000001301", contact, "hi")
	s.WaitFor("the contact created in the CRM and linked", func() error {
		s.Clock.Advance(time.Second)
		c, err := sms.ContactByE164(s.App.Store, s.OrgID(), contact)
		if err != nil || c.CRMContactID != "crm-made-1" || c.CRMConnectorID != id {
			return fmt.Errorf("contact = %+v, %v", c, err)
		}
		return nil
	})
	reqs, bad := f.requests()
	if bad != 0 || len(reqs) != 3 || reqs[0].path != "/ping" || reqs[1].path != "/contacts/lookup" || reqs[2].path != "/contacts" {
		t.Fatalf("CRM saw %v (%d failed auth); want ping, lookup, create", reqs, bad)
	}
	for _, r := range reqs {
		if r.userAgent != "bluehive-hum-crm/1.0" {
			t.Errorf("%s User-Agent = %q; want bluehive-hum-crm/1.0 (SPEC 1.15)", r.path, r.userAgent)
		}
	}
	want := map[string]any{"phone": contact, "source": "hum", "caller_name": "JANE DOE", "carrier": "Verizon Wireless", "line_type": "mobile"}
	if cr := reqs[2]; cr.event != "contact.create" || fmt.Sprint(cr.body) != fmt.Sprint(want) {
		t.Errorf("create = %s %v; want contact.create %v", cr.event, cr.body, want)
	}
}

// TestCRMCallSyncRetryRules (SPEC 2.11 rule 3): a 4xx other than 408/429 is
// not retried; 408 and 429 are; a sync still failing after the last step of
// the webhook schedule is failed, with no attempt after it.
func TestCRMCallSyncRetryRules(t *testing.T) {
	s, fake := startCRMVoice(t, "")
	answerWithVoiceFlow(t, s, ourNumber, nil)
	f := newCallCRM(t)
	connID := addCRMConnector(t, s, f, false)
	syncOf := func(call string) *crm.Sync {
		sy, _ := crm.GetSync(s.App.Store, s.OrgID(), connID, call)
		return sy // nil until queued
	}
	// settle advances the clock (an hour a poll: past any step of the
	// schedule) until the call's sync ended, then checks that hours later
	// it is as it was, with no more POST /calls.
	settle := func(call string, status string, attempts, total int) {
		t.Helper()
		s.WaitFor("the sync of "+call+" ended", func() error {
			s.Clock.Advance(time.Hour)
			if sy := syncOf(call); sy == nil || sy.Open() {
				return fmt.Errorf("sync = %+v", sy)
			}
			return nil
		})
		s.Holds("no attempt after the sync ended", func() error {
			s.Clock.Advance(time.Hour)
			if got, _ := f.requests("/calls"); len(got) != total {
				return fmt.Errorf("%d POST /calls; want %d", len(got), total)
			}
			return nil
		})
		if sy := syncOf(call); sy.Status != status || sy.Attempts != attempts {
			t.Errorf("sync of %s = %+v; want %s after %d attempts", call, sy, status, attempts)
		}
	}

	f.answerCalls(400)
	first := talkAndHangUp(t, s, fake, contact, "CA00000000000000000000000000000d01")
	settle(first, crm.SyncFailed, 1, 1)
	if sy := syncOf(first); sy.LastStatus != 400 {
		t.Errorf("failed sync = %+v; want last_status 400", sy)
	}

	f.answerCalls(408, 429)
	second := talkAndHangUp(t, s, fake, contact, "CA00000000000000000000000000000d02")
	settle(second, crm.SyncDelivered, 3, 4)

	f.answerCalls(503, 503, 503, 503, 503, 503, 503, 503)
	third := talkAndHangUp(t, s, fake, contact, "CA00000000000000000000000000000d03")
	settle(third, crm.SyncFailed, 8, 12) // the first attempt and the schedule's seven retries
	checkAuth(t, f)
}
