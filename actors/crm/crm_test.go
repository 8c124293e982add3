package crm_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/humd/humd/actors/actortest"
	"github.com/humd/humd/actors/call"
	crmactor "github.com/humd/humd/actors/crm"
	"github.com/humd/humd/egresspolicy"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/calls"
	"github.com/humd/humd/storage/crm"
	"github.com/humd/humd/storage/sms"
	"github.com/humd/humd/storage/storagetest"
	"github.com/humd/humd/storage/webhooks"
)

const contact = "+13175550100"

// fakeCRM is a customer's CRM on loopback: it checks every request's
// signature against the connector's secret, answers per path from a script
// (then 200 with an empty object), and records what it got.
type fakeCRM struct {
	t      *testing.T
	srv    *httptest.Server
	secret string
	mu     sync.Mutex
	// answers by path: status and body, consumed in order.
	answers map[string][]reply
	got     []seen
}

type reply struct {
	status int
	body   string
}

type seen struct {
	path, event, agent string
	body               map[string]any
	signed             bool
}

func newFakeCRM(t *testing.T) *fakeCRM {
	f := &fakeCRM{t: t, answers: map[string][]reply{}}
	f.srv = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		mac := hmac.New(sha256.New, []byte(f.secret))
		mac.Write(raw)
		signed := r.Header.Get("X-HUM-Signature") == "sha256="+hex.EncodeToString(mac.Sum(nil)) &&
			r.Header.Get("Authorization") == "Bearer "+f.secret
		var body map[string]any
		_ = json.Unmarshal(raw, &body)
		f.got = append(f.got, seen{path: r.URL.Path, event: r.Header.Get("X-HUM-Event"), agent: r.UserAgent(), body: body, signed: signed})
		a := reply{200, "{}"}
		if q := f.answers[r.URL.Path]; len(q) > 0 {
			a, f.answers[r.URL.Path] = q[0], q[1:]
		}
		f.mu.Unlock()
		rw.WriteHeader(a.status)
		_, _ = io.WriteString(rw, a.body)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeCRM) answer(path string, status int, body string) {
	f.mu.Lock()
	f.answers[path] = append(f.answers[path], reply{status, body})
	f.mu.Unlock()
}

func (f *fakeCRM) requests() []seen {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]seen(nil), f.got...)
}

// rig is a World with the CRM connector actors started over a fake CRM.
type rig struct {
	w    *actortest.World
	crm  *fakeCRM
	svc  *crmactor.Service
	conn *crm.Connector
	n    *sms.Number
}

func newRig(t *testing.T, conn string) *rig {
	r := &rig{w: actortest.NewWorld(t, actortest.Options{}), crm: newFakeCRM(t)}
	r.n = r.w.AddNumber("+15005550006", 100)
	var body map[string]any
	if err := json.Unmarshal([]byte(conn), &body); err != nil {
		t.Fatal(err)
	}
	body["name"], body["base_url"] = "CRM", r.crm.srv.URL+"/api"
	raw, _ := json.Marshal(body)
	c, secret, err := crm.Create(r.w.Store, r.w.OrgID, storagetest.Typed[crm.Input](t, raw), egresspolicy.Policy{AllowPrivate: true}, 0, r.w.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	r.conn, r.crm.secret = c, secret
	svc, err := crmactor.New(r.w.System.Root, crmactor.Config{Store: r.w.Store, Clock: r.w.Clock, Logger: r.w.Logger(),
		Post: actortest.Poster(nil), Policy: egresspolicy.Policy{AllowPrivate: true}})
	if err != nil {
		t.Fatal(err)
	}
	r.svc = svc
	return r
}

// until advances the clock a second at a time (the connector polls the log
// every second) until cond holds.
func (r *rig) until(t *testing.T, cond func() error) {
	t.Helper()
	actortest.WaitFor(t, 10*time.Second, func() error {
		err := cond()
		if err != nil {
			r.w.Clock.Advance(time.Second)
		}
		return err
	})
}

// A new thread's contact is looked up, created in the CRM when it does not
// know them (create_on_miss), and linked; every request is signed with the
// connector's secret and carries the contract's User-Agent.
func TestNewContactLookedUpCreatedAndLinked(t *testing.T) {
	r := newRig(t, `{"create_on_miss": true}`)
	r.crm.answer("/api/contacts/lookup", 200, `{"found": false}`)
	r.crm.answer("/api/contacts", 201, `{"contact": {"id": "c_9"}}`)
	if _, err := r.w.Inbound("SM00000000000000000000000000004001", contact, r.n.E164, "hi"); err != nil {
		t.Fatal(err)
	}
	r.until(t, func() error {
		ct, err := sms.ContactByE164(r.w.Store, r.w.OrgID, contact)
		if err != nil || ct.CRMContactID != "c_9" {
			return fmt.Errorf("contact = %+v, %v; want linked to c_9", ct, err)
		}
		return nil
	})
	got := r.crm.requests()
	if len(got) != 2 || got[0].path != "/api/contacts/lookup" || got[1].path != "/api/contacts" {
		t.Fatalf("CRM got %+v; want a lookup then a create", got)
	}
	for _, g := range got {
		if !g.signed || g.agent != crmactor.UserAgent || g.body["phone"] != contact {
			t.Errorf("request %s: signed=%v agent=%q phone=%v; want signed, %q, %s", g.path, g.signed, g.agent, g.body["phone"],
				crmactor.UserAgent, contact)
		}
	}
	if got[0].event != "contact.lookup" || got[1].event != "contact.create" {
		t.Errorf("X-HUM-Event = %q, %q; want contact.lookup, contact.create", got[0].event, got[1].event)
	}
	// A second thread of the same contact asks the CRM nothing: linked already.
	n2 := r.w.AddNumber("+15005550007", 100)
	if _, err := r.w.Inbound("SM00000000000000000000000000004002", contact, n2.E164, "hi again"); err != nil {
		t.Fatal(err)
	}
	actortest.Holds(t, 200*time.Millisecond, func() error {
		r.w.Clock.Advance(time.Second)
		if n := len(r.crm.requests()); n != 2 {
			return fmt.Errorf("CRM got %d requests; want still 2", n)
		}
		return nil
	})
}

// A finished call is synced with POST /calls (sync_calls); a 503 is
// retried after the schedule's first step plus jitter, and the sync is
// delivered once the CRM takes it.
func TestCallSyncRetriedUntilDelivered(t *testing.T) {
	r := newRig(t, `{"sync_calls": true}`)
	r.crm.answer("/api/contacts/lookup", 404, `{}`)
	r.crm.answer("/api/calls", 503, `busy`)
	// A call to a number without a flow: a message, closed a minute later.
	id := call.IDForSID("CA00000000000000000000000000004003")
	ring := &call.Ring{CallSID: "CA00000000000000000000000000004003", From: contact, To: r.n.E164, Status: "ringing"}
	if _, err := actortest.Await[*call.Ringing](r.w.Calls.Request(id, ring, actortest.AskTimeout), ring); err != nil {
		t.Fatal(err)
	}
	r.w.Clock.Advance(time.Minute)
	var first *crm.Sync
	r.until(t, func() error {
		s, err := crm.GetSync(r.w.Store, r.w.OrgID, r.conn.ID, id)
		if err != nil || s.Attempts < 1 {
			return fmt.Errorf("sync = %+v, %v; want a first attempt", s, err)
		}
		first = s
		return nil
	})
	if first.Status != crm.SyncRetrying || first.LastStatus != 503 || first.NextAt == nil {
		t.Fatalf("after a 503: %+v; want retrying with a next attempt", first)
	}
	if wait, base := first.NextAt.Sub(first.UpdatedAt), webhooks.Schedule[0]; wait < base || wait > base+base/10 {
		t.Errorf("retry in %v; want %v plus at most a tenth", wait, base)
	}
	r.until(t, func() error {
		s, err := crm.GetSync(r.w.Store, r.w.OrgID, r.conn.ID, id)
		if err != nil || s.Status != crm.SyncDelivered {
			return fmt.Errorf("sync = %+v, %v; want delivered", s, err)
		}
		if s.Attempts != 2 {
			return fmt.Errorf("delivered after %d attempts; want 2", s.Attempts)
		}
		return nil
	})
	var syncs []seen
	for _, g := range r.crm.requests() {
		if g.path == "/api/calls" {
			syncs = append(syncs, g)
		}
	}
	if len(syncs) != 2 {
		t.Fatalf("POST /calls %d times; want 2", len(syncs))
	}
	c, _ := syncs[1].body["call"].(map[string]any)
	if syncs[1].body["event"] != "call.sync" || c["id"] != id || c["status"] != calls.StatusCompleted || !syncs[1].signed {
		t.Errorf("call.sync body = %v (signed %v); want the completed call, signed", syncs[1].body, syncs[1].signed)
	}
}

// The pre-call hook answers the CRM's contact as one line for the prompt,
// and links the contact.
func TestCallerContext(t *testing.T) {
	r := newRig(t, `{}`)
	r.crm.answer("/api/contacts/lookup", 200,
		`{"found": true, "contact": {"id": "c_42", "name": "Jane\nDoe", "email": "jane@example.com"}}`)
	c := &calls.Call{ID: "call_1", OrgID: r.w.OrgID, Direction: "inbound", From: contact, To: r.n.E164}
	got, err := r.svc.CallerContext(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	if want := "CRM contact: Jane Doe (crm id c_42), email jane@example.com"; got != want {
		t.Errorf("CallerContext = %q; want %q", got, want)
	}
	ct, err := sms.ContactByE164(r.w.Store, r.w.OrgID, contact)
	if err == nil && ct.CRMContactID != "c_42" {
		t.Errorf("contact linked to %q; want c_42", ct.CRMContactID)
	}
	if g := r.crm.requests(); len(g) != 1 || !g[0].signed || g[0].body["call_id"] != "call_1" {
		t.Errorf("CRM got %+v; want one signed lookup naming the call", g)
	}
}

// A ping reports the CRM's answer and logs it.
func TestPing(t *testing.T) {
	r := newRig(t, `{}`)
	r.crm.answer("/api/ping", 500, "down")
	res, err := r.svc.Ping(r.w.OrgID, r.conn.ID)
	if err != nil {
		t.Fatal(err)
	}
	if res.OK || res.Status != 500 {
		t.Errorf("Ping = %+v; want not ok, status 500", res)
	}
	logs, _, err := crm.Logs(r.w.Store, r.w.OrgID, r.conn.ID, storage.PageRequest{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var events []string
	for _, l := range logs {
		events = append(events, fmt.Sprintf("%s %d", l.Event, l.Status))
	}
	if strings.Join(events, ",") != "ping 500" {
		t.Errorf("request log = %v; want the ping", events)
	}
}
