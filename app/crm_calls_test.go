package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/humd/humd/app"
	"github.com/humd/humd/app/apptest"
	"github.com/humd/humd/storage/crm"
	"github.com/humd/humd/storage/sms"
	"github.com/humd/humd/transport/llm"
	"github.com/humd/humd/transport/llm/llmtest"
	"github.com/humd/humd/transport/relay/relayclient"
)

// crmReq is one request the fake CRM accepted.
type crmReq struct {
	event, path string
	body        map[string]any
	status      int
}

// callCRM is a CRM on loopback that checks the bearer and the HMAC of every
// request before reading it (SPEC 1.15), knows contact as Ada Lovelace, and
// answers POST /calls with the queued statuses, then 200.
type callCRM struct {
	*httptest.Server
	mu      sync.Mutex
	secret  string
	reqs    []crmReq
	badAuth int
	calls   []int
}

func newCallCRM(t *testing.T) *callCRM {
	f := &callCRM{}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		defer f.mu.Unlock()
		if !crmSigned(r, raw, f.secret) {
			f.badAuth++
			w.WriteHeader(401)
			return
		}
		req := crmReq{event: r.Header.Get("X-HUM-Event"), path: r.URL.Path, status: 200}
		_ = json.Unmarshal(raw, &req.body)
		switch r.URL.Path {
		case "/contacts/lookup":
			if req.body["phone"] == contact {
				fmt.Fprint(w, `{"found":true,"contact":{"id":"crm-123","name":"Ada Lovelace","email":"ada@example.com"}}`)
			} else {
				fmt.Fprint(w, `{"found":false}`)
			}
		case "/contacts":
			req.status = 201
			w.WriteHeader(201)
			fmt.Fprintf(w, `{"contact":{"id":"crm-new-%s"}}`, strings.TrimPrefix(fmt.Sprint(req.body["phone"]), "+"))
		case "/calls":
			if len(f.calls) > 0 {
				req.status, f.calls = f.calls[0], f.calls[1:]
			}
			w.WriteHeader(req.status)
			fmt.Fprint(w, `{"activity_id":"act-1"}`)
		default:
			req.status = 404
			w.WriteHeader(404)
		}
		f.reqs = append(f.reqs, req)
	}))
	t.Cleanup(f.Close)
	return f
}

// requests answers the accepted requests to path ("" for all) and how many
// failed authentication.
func (f *callCRM) requests(path string) ([]crmReq, int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []crmReq
	for _, r := range f.reqs {
		if path == "" || r.path == path {
			out = append(out, r)
		}
	}
	return out, f.badAuth
}

func (f *callCRM) answerCalls(statuses ...int) {
	f.mu.Lock()
	f.calls = append(f.calls, statuses...)
	f.mu.Unlock()
}

// startCRMVoice is humd (loopback targets allowed) with openai-go against
// the fake Responses server; dir "" is a new data directory.
func startCRMVoice(t *testing.T, dir string) (*apptest.Server, *llmtest.Server) {
	t.Helper()
	fake := llmtest.Start(t)
	model := llm.NewOpenAI(llm.Config{APIKey: "test", BaseURL: fake.BaseURL(), MaxRetries: -1})
	return apptest.Start(t, apptest.Options{Dir: dir, Model: model, Config: app.Config{AllowPrivateWebhooks: true}}), fake
}

// answerWithVoiceFlow makes a voice flow (with extra fields) answer number.
func answerWithVoiceFlow(t *testing.T, s *apptest.Server, number string, extra map[string]any) {
	t.Helper()
	body := map[string]any{"name": "Front line " + number, "channel": "voice", "greeting": "Hi, this is Acme.",
		"system_prompt": "You answer calls for Acme.", "voicemail_enabled": true}
	for k, v := range extra {
		body[k] = v
	}
	id := s.JSON("POST", "/api/flows", adminKey, body, 201)["id"].(string)
	n := s.AddNumber(number, 1)
	s.JSON("PATCH", "/api/numbers/"+n.ID, adminKey, map[string]any{"flow_id": id}, 200)
}

func addCRMConnector(t *testing.T, s *apptest.Server, f *callCRM, createOnMiss bool) string {
	t.Helper()
	cn := s.JSON("POST", "/api/crm-connectors", adminKey, map[string]any{"name": "Our CRM", "base_url": f.URL, "create_on_miss": createOnMiss}, 201)
	if cn["sync_calls"] != true {
		t.Fatalf("connector = %v; want sync_calls on by default", cn)
	}
	f.mu.Lock()
	f.secret = cn["secret"].(string)
	f.mu.Unlock()
	return cn["id"].(string)
}

const callSummary = `{"summary":"Caller booked a table for Friday at ten.","key_points":["Friday","ten"],` +
	`"next_actions":["send a confirmation"],"outcome_label":"appointment_booked","outcome":{"day":"friday"}}`

// talkAndHangUp is one exchange on a call from `from`, then the caller hangs
// up and the model writes callSummary; it answers the call id once the
// summary is stored.
func talkAndHangUp(t *testing.T, s *apptest.Server, fake *llmtest.Server, from, sid string) string {
	t.Helper()
	c := dial(t, s, from, sid)
	if c.TwiML.Kind != relayclient.KindConnect {
		t.Fatalf("twiml = %+v", c.TwiML)
	}
	id := c.TwiML.Parameters["call_id"]
	fake.ReplyText("Friday at ten works.")
	if err := c.Conn.Prompt("Can I book Friday at ten?"); err != nil {
		t.Fatal(err)
	}
	if text, _ := reply(t, c); text != "Friday at ten works." {
		t.Fatalf("reply = %q", text)
	}
	_ = c.Conn.Close()
	fake.ReplyText(callSummary)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.Status(ctx, "completed", url.Values{"CallDuration": {"42"}}); err != nil {
		t.Fatal(err)
	}
	s.WaitFor("the summary", func() error {
		if cl := storedCall(t, s, id); cl.Summary == nil {
			return fmt.Errorf("no summary yet")
		}
		return nil
	})
	return id
}

// waitCallSyncs advances the clock until the CRM has answered n POST /calls.
func waitCallSyncs(t *testing.T, s *apptest.Server, f *callCRM, n int) []crmReq {
	t.Helper()
	var got []crmReq
	s.WaitFor(fmt.Sprintf("%d POST /calls", n), func() error {
		s.Clock.Advance(time.Second)
		got, _ = f.requests("/calls")
		if len(got) < n {
			return fmt.Errorf("%d so far", len(got))
		}
		return nil
	})
	// Exactly n, with the clock put: no retry comes due meanwhile.
	s.Holds(fmt.Sprintf("exactly %d POST /calls", n), func() error {
		if got, _ = f.requests("/calls"); len(got) != n {
			return fmt.Errorf("%d POST /calls", len(got))
		}
		return nil
	})
	return got
}

func checkAuth(t *testing.T, f *callCRM) {
	t.Helper()
	if all, bad := f.requests(""); bad != 0 || len(all) == 0 {
		t.Errorf("CRM accepted %d requests, %d failed bearer/HMAC; want none failed", len(all), bad)
	}
}

// TestCRMCallLinksUnknownCaller: a call from a number the CRM does not
// know is looked up (by the pre-call hook and by the connector), created in
// the CRM, and the caller's contact is linked.
func TestCRMCallLinksUnknownCaller(t *testing.T) {
	s, fake := startCRMVoice(t, "")
	answerWithVoiceFlow(t, s, ourNumber, nil)
	f := newCallCRM(t)
	connID := addCRMConnector(t, s, f, true)
	const stranger = "+13175550177"

	fake.ReplyText("Hello, how can I help?")
	c := dial(t, s, stranger, "CA00000000000000000000000000000c01")
	id := c.TwiML.Parameters["call_id"]
	if err := c.Conn.Prompt("Hi there."); err != nil {
		t.Fatal(err)
	}
	reply(t, c)
	if reqs := fake.Requests(); len(reqs) != 1 || strings.Contains(reqs[0].Instructions, "# Caller Context") {
		t.Errorf("a caller the CRM does not know got a caller context: %d requests", len(reqs))
	}
	s.WaitFor("the caller linked", func() error {
		s.Clock.Advance(time.Second)
		ct, err := sms.ContactByE164(s.App.Store, s.OrgID(), stranger)
		if err != nil || ct.CRMContactID != "crm-new-13175550177" || ct.CRMConnectorID != connID {
			return fmt.Errorf("contact = %+v, %v", ct, err)
		}
		return nil
	})
	checkAuth(t, f)
	lookups, _ := f.requests("/contacts/lookup")
	creates, _ := f.requests("/contacts")
	if len(lookups) == 0 || len(creates) != 1 {
		t.Fatalf("CRM saw %d lookups and %d creates; want at least one lookup and one create", len(lookups), len(creates))
	}
	for _, l := range lookups {
		if l.event != "contact.lookup" || l.body["phone"] != stranger || l.body["direction"] != "inbound" || l.body["call_id"] != id {
			t.Errorf("lookup = %s %v; want the caller, inbound, with the call id", l.event, l.body)
		}
	}
	if cr := creates[0]; cr.event != "contact.create" || cr.body["phone"] != stranger || cr.body["call_id"] != id {
		t.Errorf("create = %s %v", cr.event, cr.body)
	}
	logs := s.JSON("GET", "/api/crm-connectors/"+connID+"/logs", adminKey, nil, 200)["data"].([]any)
	if len(logs) != len(lookups)+len(creates) {
		t.Errorf("request log has %d entries; want %d", len(logs), len(lookups)+len(creates))
	}
}

// TestCRMCallerContextInPrompt: for a caller the CRM knows, the pre-call
// lookup's answer is in the model's "# Caller Context" from the first turn,
// and the contact is linked without the connector asking again.
func TestCRMCallerContextInPrompt(t *testing.T) {
	s, fake := startCRMVoice(t, "")
	answerWithVoiceFlow(t, s, ourNumber, nil)
	f := newCallCRM(t)
	connID := addCRMConnector(t, s, f, false)

	fake.ReplyText("Hi Ada, how can I help?")
	c := dial(t, s, contact, "CA00000000000000000000000000000c02")
	id := c.TwiML.Parameters["call_id"]
	if err := c.Conn.Prompt("Hello."); err != nil {
		t.Fatal(err)
	}
	reply(t, c)
	reqs := fake.Requests()
	if len(reqs) == 0 {
		t.Fatal("the model was not asked")
	}
	want := "# Caller Context\nCRM contact: Ada Lovelace (crm id crm-123), email ada@example.com"
	if !strings.Contains(reqs[0].Instructions, want) {
		t.Errorf("instructions = %q; want them to hold %q", reqs[0].Instructions, want)
	}
	if cl := storedCall(t, s, id); !strings.Contains(cl.CallerContext, "Ada Lovelace") {
		t.Errorf("call caller_context = %q", cl.CallerContext)
	}
	ct, err := sms.ContactByE164(s.App.Store, s.OrgID(), contact)
	if err != nil || ct.CRMContactID != "crm-123" || ct.Name != "Ada Lovelace" {
		t.Errorf("contact = %+v, %v; want it linked by the pre-call lookup", ct, err)
	}
	// Once the connector has read past call.started, it has asked nothing
	// more: the contact was linked already.
	var started uint64
	for _, ev := range s.Events() {
		if ev.Type == "call.started" {
			started = ev.Seq
		}
	}
	s.WaitFor("the connector past call.started", func() error {
		s.Clock.Advance(time.Second)
		if cur, err := crm.Cursor(s.App.Store, s.OrgID(), connID); err != nil || cur < started {
			return fmt.Errorf("cursor = %d, %v; want %d", cur, err, started)
		}
		return nil
	})
	lookups, _ := f.requests("/contacts/lookup")
	if len(lookups) != 1 || lookups[0].body["call_id"] != id {
		t.Errorf("lookups = %v; want one, for the call", lookups)
	}
	checkAuth(t, f)
}

// TestCRMCallSyncOnce: a call with a summary is synced once, on call.outcome,
// with its summary and outcome; a voicemail (no conversation, so no
// call.outcome) is synced on call.completed with its recording.
func TestCRMCallSyncOnce(t *testing.T) {
	s, fake := startCRMVoice(t, "")
	answerWithVoiceFlow(t, s, ourNumber, nil)
	const afterHoursNumber = "+15005550007"
	answerWithVoiceFlow(t, s, afterHoursNumber, map[string]any{"business_hours_json": saturdaysOnly})
	f := newCallCRM(t)
	connID := addCRMConnector(t, s, f, false)

	id := talkAndHangUp(t, s, fake, contact, "CA00000000000000000000000000000c03")
	got := waitCallSyncs(t, s, f, 1)
	sync := got[0]
	if sync.event != "call.sync" || sync.body["event"] != "call.sync" {
		t.Errorf("sync = %s %v", sync.event, sync.body)
	}
	cl, _ := sync.body["call"].(map[string]any)
	sum, _ := cl["summary"].(map[string]any)
	out, _ := cl["outcome"].(map[string]any)
	if cl["id"] != id || cl["direction"] != "inbound" || cl["from"] != contact || cl["to"] != ourNumber || cl["status"] != "completed" ||
		cl["duration_s"] != 42.0 || cl["started_at"] == nil || cl["ended_at"] == nil || cl["flow_id"] == "" ||
		sum["text"] != "Caller booked a table for Friday at ten." || cl["outcome_label"] != "appointment_booked" || out["day"] != "friday" {
		t.Errorf("synced call = %v", cl)
	}
	if ct, _ := sync.body["contact"].(map[string]any); ct["e164"] != contact || ct["crm_contact_id"] != "crm-123" {
		t.Errorf("synced contact = %v", sync.body["contact"])
	}

	// A voicemail after hours: call.completed is its last word.
	vc, err := relayclient.PlaceInbound(context.Background(), relayclient.InboundOptions{HumdURL: s.URL, PublicURL: s.PublicURL,
		AuthToken: s.App.SandboxToken, From: "+13175550166", To: afterHoursNumber, CallSid: "CA00000000000000000000000000000c04"})
	if err != nil || vc.TwiML.Kind != relayclient.KindRecord {
		t.Fatalf("voicemail call = %+v, %v", vc, err)
	}
	u, _ := url.Parse(vc.TwiML.Record["action"])
	vmID := u.Query().Get("call_id")
	form := url.Values{"CallSid": {vc.SID}, "RecordingUrl": {"https://api.twilio.com/rec/RE9"}, "RecordingDuration": {"7"}}
	if st, body := s.PostTwilio(u.Path+"?"+u.RawQuery, s.App.SandboxToken, form, ""); st != 200 {
		t.Fatalf("recording callback = %d %s", st, body)
	}
	if st, _ := s.PostTwilio("/twilio/voice/status", s.App.SandboxToken, url.Values{"CallSid": {vc.SID}, "CallStatus": {"completed"},
		"CallDuration": {"15"}}, ""); st != 200 {
		t.Fatal("status callback failed")
	}
	got = waitCallSyncs(t, s, f, 2)
	vm, _ := got[1].body["call"].(map[string]any)
	if vm["id"] != vmID || vm["status"] != "voicemail" || vm["recording_url"] != "https://api.twilio.com/rec/RE9" || vm["summary"] != nil {
		t.Errorf("synced voicemail = %v", vm)
	}
	// The voicemail went out after the first call's sync ended, so a second
	// sync of the first call would be here by now.
	got, _ = f.requests("/calls")
	if len(got) != 2 {
		ids := []any{}
		for _, g := range got {
			ids = append(ids, g.body["call"].(map[string]any)["id"])
		}
		t.Errorf("POST /calls for %v; want one per call", ids)
	}
	// The talked call was queued by its call.outcome (after the summary),
	// the voicemail by its call.completed.
	queuedBy := map[string]string{id: "call.outcome", vmID: "call.completed"}
	for call, want := range queuedBy {
		sy, err := crm.GetSync(s.App.Store, s.OrgID(), connID, call)
		if err != nil || sy.Status != crm.SyncDelivered || sy.Attempts != 1 {
			t.Errorf("sync of %s = %+v, %v", call, sy, err)
			continue
		}
		if got := eventOf(t, s, sy.Seq, call); got != want {
			t.Errorf("sync of %s was queued by %s; want %s", call, got, want)
		}
	}
	checkAuth(t, f)
}

// eventOf answers the type of event seq, checking it is about call.
func eventOf(t *testing.T, s *apptest.Server, seq uint64, call string) string {
	t.Helper()
	for _, ev := range s.Events() {
		if ev.Seq == seq {
			if !strings.Contains(string(ev.Data), call) {
				t.Errorf("event %d (%s) is not about %s", seq, ev.Type, call)
			}
			return ev.Type
		}
	}
	return fmt.Sprintf("no event %d", seq)
}

// TestCRMCallSyncRetries: a 503 is retried on the clock and the call is
// delivered once; the request log holds both attempts.
func TestCRMCallSyncRetries(t *testing.T) {
	s, fake := startCRMVoice(t, "")
	answerWithVoiceFlow(t, s, ourNumber, nil)
	f := newCallCRM(t)
	connID := addCRMConnector(t, s, f, false)
	f.answerCalls(503)

	id := talkAndHangUp(t, s, fake, contact, "CA00000000000000000000000000000c05")
	first := waitFirstAttempt(t, s, connID, id)
	got := waitCallSyncs(t, s, f, 2)
	if got[0].status != 503 || got[1].status != 200 || got[1].body["call"].(map[string]any)["id"] != id {
		t.Errorf("attempts answered %d then %d", got[0].status, got[1].status)
	}
	sy, err := crm.GetSync(s.App.Store, s.OrgID(), connID, id)
	if err != nil || sy.Status != crm.SyncDelivered || sy.Attempts != 2 || sy.UpdatedAt.Before(*first.NextAt) {
		t.Errorf("sync = %+v, %v; want delivered on the second attempt, not before %v", sy, err, first.NextAt)
	}
	s.WaitFor("both attempts logged", func() error {
		var st []string
		for _, l := range s.JSON("GET", "/api/crm-connectors/"+connID+"/logs", adminKey, nil, 200)["data"].([]any) {
			if l := l.(map[string]any); l["event"] == "call.sync" {
				st = append(st, fmt.Sprint(l["status"]))
			}
		}
		sort.Strings(st)
		if strings.Join(st, " ") != "200 503" {
			return fmt.Errorf("call.sync log statuses %v", st)
		}
		return nil
	})
	if got, _ := f.requests("/calls"); len(got) != 2 {
		t.Errorf("%d POST /calls; want 2", len(got))
	}
	checkAuth(t, f)
}

// waitFirstAttempt advances the clock until the sync's first attempt failed
// and was rescheduled 5s later (the webhook schedule's first step).
func waitFirstAttempt(t *testing.T, s *apptest.Server, connID, callID string) *crm.Sync {
	t.Helper()
	var sy *crm.Sync
	s.WaitFor("the first attempt", func() error {
		var err error
		if sy, err = crm.GetSync(s.App.Store, s.OrgID(), connID, callID); err != nil || sy.Attempts == 0 {
			s.Clock.Advance(time.Second)
			return fmt.Errorf("sync = %+v, %v", sy, err)
		}
		return nil
	})
	// The webhook schedule's first step, jittered 0-10% longer (D-5).
	if sy.Status != crm.SyncRetrying || sy.LastStatus != 503 || sy.NextAt == nil ||
		sy.NextAt.Sub(sy.UpdatedAt) < 5*time.Second || sy.NextAt.Sub(sy.UpdatedAt) > 5500*time.Millisecond {
		t.Fatalf("after a 503 the sync = %+v; want a retry 5-5.5s later", sy)
	}
	return sy
}

// TestCRMCallSyncSurvivesRestart: the first attempt fails, humd stops, and
// the humd started on the same data delivers the sync once.
func TestCRMCallSyncSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	s, fake := startCRMVoice(t, dir)
	answerWithVoiceFlow(t, s, ourNumber, nil)
	f := newCallCRM(t)
	connID := addCRMConnector(t, s, f, false)
	f.answerCalls(503)
	id := talkAndHangUp(t, s, fake, contact, "CA00000000000000000000000000000c06")
	waitFirstAttempt(t, s, connID, id)
	org := s.OrgID()
	s.Stop()

	s2, _ := startCRMVoice(t, dir)
	got := waitCallSyncs(t, s2, f, 2)
	if got[0].status != 503 || got[1].status != 200 || got[1].body["call"].(map[string]any)["id"] != id {
		t.Errorf("attempts answered %d then %d", got[0].status, got[1].status)
	}
	if sum, _ := got[1].body["call"].(map[string]any)["summary"].(map[string]any); sum["text"] != "Caller booked a table for Friday at ten." {
		t.Errorf("summary after the restart = %v", sum)
	}
	s2.WaitFor("the sync delivered", func() error {
		if sy, err := crm.GetSync(s2.App.Store, org, connID, id); err != nil || sy.Status != crm.SyncDelivered || sy.Attempts != 2 {
			return fmt.Errorf("sync = %+v, %v", sy, err)
		}
		return nil
	})
	if got, _ := f.requests("/calls"); len(got) != 2 {
		t.Errorf("%d POST /calls; want 2", len(got))
	}
	checkAuth(t, f)
}
