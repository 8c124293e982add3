package webhook_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cockroachdb/datadriven"
	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/humd/humd/actors/actortest"
	"github.com/humd/humd/actors/system"
	"github.com/humd/humd/actors/webhook"
	"github.com/humd/humd/egresspolicy"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/events"
	"github.com/humd/humd/storage/sms"
	"github.com/humd/humd/storage/storagetest"
	"github.com/humd/humd/storage/webhooks"
)

// TestGoldenWebhook runs the scripts in testdata: webhook delivery from the
// org's event log to a real receiver on loopback (net/http, through a
// net/http egress.Poster), on the fake clock. Commands, besides
// World.Common's:
//
//	start                       a fresh world with +15005550006, delivery started, a receiver listening
//	endpoint [events=(a,b)] [down]   an endpoint for the receiver (down: a port nobody listens on); input: headers JSON
//	answer                      queue the receiver's answers, one per line: "500", "503 retry-after=600", "410"
//	                            (then 200 for everything)
//	inbound sid=                a text to our number (sms.received, conversation.started)
//	event type=                 an event appended to the log as an actor appends it
//	rotate                      a new signing secret (the old one still signs for a while)
//	received                    what the receiver got since the last received: webhook-id (numbered
//	                            in order first seen), webhook-timestamp, headers, which secrets signed it
//	deliveries                  the endpoint's deliveries: status, attempts, next retry
//	endpoint?                   the endpoint's state
func TestGoldenWebhook(t *testing.T) {
	datadriven.Walk(t, "testdata", func(t *testing.T, path string) {
		t.Parallel()
		g := &hookScript{ids: map[string]int{}}
		datadriven.RunTest(t, path, g.run)
	})
}

type hookScript struct {
	w       *actortest.World
	svc     *webhook.Service
	rx      *receiver
	n       *sms.Number
	ep      *webhooks.Endpoint
	secrets []string // every secret the endpoint had, newest first
	seen    int
	ids     map[string]int // webhook-id -> the order it was first seen in
}

func (g *hookScript) run(t *testing.T, d *datadriven.TestData) string {
	w := g.w
	if out, ok := actortest.Prelude(t, w, d); ok {
		return out
	}
	switch d.Cmd {
	case "start":
		g.rx = newReceiver(t)
		g.w = actortest.NewWorld(t, actortest.Options{})
		g.n = g.w.AddNumber("+15005550006", 100)
		g.w.OnStart(func(w *actortest.World) {
			svc, err := webhook.New(w.System.Root, webhook.Config{Store: w.Store, Clock: w.Clock, Logger: w.Logger(), Post: actortest.Poster(nil),
				Policy: egresspolicy.Policy{AllowPrivate: true}, Timeout: 5 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			g.svc = svc
			if err := webhooks.All(w.Store, func(e *webhooks.Endpoint) {
				if e.Enabled {
					g.barrier(t, e.OrgID, e.ID)
				}
			}); err != nil {
				t.Fatal(err)
			}
		})
		return "ok"
	case "endpoint":
		url := g.rx.srv.URL + "/hooks/humd"
		if actortest.Has(d, "down") {
			url = "http://127.0.0.1:1/hooks/humd" // nobody listens on port 1
		}
		body := map[string]any{"url": url, "events": actortest.Args(d, "events")}
		if strings.TrimSpace(d.Input) != "" {
			var h map[string]string
			if err := json.Unmarshal([]byte(d.Input), &h); err != nil {
				t.Fatalf("%s: %v", d.Pos, err)
			}
			body["headers"] = h
		}
		raw, _ := json.Marshal(body)
		last, err := events.LastSeq(w.Store, w.OrgID)
		if err != nil {
			t.Fatal(err)
		}
		ep, secret, err := webhooks.Create(w.Store, w.OrgID, storagetest.Typed[webhooks.Input](t, raw), egresspolicy.Policy{AllowPrivate: true}, last, w.Clock.Now())
		if err != nil {
			return "error: " + err.Error()
		}
		g.ep, g.secrets = ep, []string{secret}
		g.changed(t)
		return "ok"
	case "answer":
		for _, line := range strings.Split(strings.TrimSpace(d.Input), "\n") {
			var a answer
			if _, err := fmt.Sscanf(line, "%d", &a.status); err != nil {
				t.Fatalf("%s: answer %q", d.Pos, line)
			}
			if _, ra, ok := strings.Cut(line, "retry-after="); ok {
				a.retryAfter = ra
			}
			g.rx.queue(a)
		}
		return "ok"
	case "inbound":
		if _, err := w.Inbound(actortest.Arg(d, "sid", ""), "+13175550100", g.n.E164, d.Input); err != nil {
			return "error: " + err.Error()
		}
		return "ok"
	case "event":
		b := w.Store.NewBatch()
		if _, err := events.Append(w.Store, b, w.OrgID, actortest.Arg(d, "type", ""), w.Clock.Now(), map[string]any{"n": 1}); err != nil {
			t.Fatal(err)
		}
		if err := b.Commit(storage.Sync); err != nil {
			t.Fatal(err)
		}
		return "ok"
	case "rotate":
		_, secret, err := webhooks.Rotate(w.Store, w.OrgID, g.ep.ID, w.Clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		g.secrets = append([]string{secret}, g.secrets...)
		g.changed(t)
		return "ok"
	case "received":
		var n int
		out := actortest.Poll(d, func() string {
			got := g.rx.got()[g.seen:]
			n = len(got)
			var lines []string
			for _, r := range got {
				lines = append(lines, g.describe(r)...)
			}
			return actortest.OrNone(lines)
		})
		g.seen += n
		return out
	case "deliveries":
		return actortest.Poll(d, func() string { return g.deliveries() })
	case "endpoint?":
		return actortest.Poll(d, func() string {
			ep, err := webhooks.Get(w.Store, w.OrgID, g.ep.ID)
			if err != nil {
				return err.Error()
			}
			out := fmt.Sprintf("enabled=%v", ep.Enabled)
			if ep.DisabledReason != "" {
				out += fmt.Sprintf(" reason=%q", ep.DisabledReason)
			}
			if ep.FailingSince != nil {
				out += " failing_since=" + ep.FailingSince.UTC().Format(time.RFC3339)
			}
			return out
		})
	}
	t.Fatalf("%s: unknown command %q", d.Pos, d.Cmd)
	return ""
}

// changed tells the endpoint's actor to reload, as the API does after an
// edit, and waits until it has.
func (g *hookScript) changed(t *testing.T) {
	if err := g.svc.Changed(g.w.OrgID, g.ep.ID); err != nil {
		t.Fatal(err)
	}
	g.barrier(t, g.w.OrgID, g.ep.ID)
}

// barrier waits until the endpoint's actor has taken every message sent to
// it so far (it has armed its poll of the log at this instant): it answers
// a redelivery of no delivery only after them.
func (g *hookScript) barrier(t *testing.T, org, id string) {
	// The answer is a not-found error; only its arrival matters.
	if _, err := g.svc.Redeliver(org, id, "none"); errors.Is(err, system.ErrTimeout) || errors.Is(err, system.ErrGone) {
		t.Fatalf("barrier: %v", err)
	}
}

// describe prints one request the receiver got: the event, the headers a
// receiver relies on, and which of the endpoint's secrets signed it
// (standard-webhooks' own verifier; the timestamp is the fake clock's, so
// its tolerance against the wall clock is not checked).
func (g *hookScript) describe(r request) []string {
	var ev struct {
		Type string `json:"type"`
		ID   string `json:"id"`
	}
	_ = json.Unmarshal(r.body, &ev)
	var signed []string
	for i, sec := range g.secrets {
		wh, err := standardwebhooks.NewWebhook(sec)
		if err != nil {
			continue
		}
		// Each secret's signature alone, as a receiver that knows only it sees them.
		for _, sig := range strings.Fields(r.header.Get(standardwebhooks.HeaderWebhookSignature)) {
			h := r.header.Clone()
			h.Set(standardwebhooks.HeaderWebhookSignature, sig)
			if wh.VerifyIgnoringTimestamp(r.body, h) == nil {
				signed = append(signed, map[bool]string{true: "current", false: "previous"}[i == 0])
			}
		}
	}
	if len(signed) == 0 {
		signed = []string{"none"}
	}
	id := r.header.Get(standardwebhooks.HeaderWebhookID)
	if g.ids[id] == 0 {
		g.ids[id] = len(g.ids) + 1
	}
	at := "?"
	if secs, err := strconv.ParseInt(r.header.Get(standardwebhooks.HeaderWebhookTimestamp), 10, 64); err == nil {
		at = time.Unix(secs, 0).UTC().Format(time.TimeOnly)
	}
	lines := []string{fmt.Sprintf("%s %s %s id=#%d at=%s signed-by=%s answered=%d", r.method, r.path, ev.Type, g.ids[id], at,
		strings.Join(signed, ","), r.status)}
	var hdr []string
	for k := range r.header {
		switch strings.ToLower(k) {
		case "webhook-id", "webhook-signature", "webhook-timestamp", "content-length", "accept-encoding":
			continue
		}
		hdr = append(hdr, fmt.Sprintf("%s: %s", k, r.header.Get(k)))
	}
	slices.Sort(hdr)
	for _, h := range hdr {
		lines = append(lines, "  "+h)
	}
	return lines
}

func (g *hookScript) deliveries() string {
	list, _, err := webhooks.Deliveries(g.w.Store, g.w.OrgID, g.ep.ID, storage.PageRequest{Limit: 100})
	if err != nil {
		return err.Error()
	}
	slices.SortFunc(list, func(a, b *webhooks.Delivery) int { return int(a.Seq) - int(b.Seq) })
	var lines []string
	for _, dl := range list {
		var answers []string
		for _, a := range dl.Attempts {
			if a.Error != "" {
				answers = append(answers, "error")
			} else {
				answers = append(answers, fmt.Sprint(a.ResponseStatus))
			}
		}
		line := fmt.Sprintf("%s %s attempts=[%s]", dl.EventType, dl.Status, strings.Join(answers, " "))
		if dl.NextRetryAt != nil && len(dl.Attempts) > 0 {
			line += " next_retry=" + retryWait(dl.NextRetryAt.Sub(dl.Attempts[len(dl.Attempts)-1].At))
		}
		lines = append(lines, line)
	}
	return actortest.OrNone(lines)
}

// retryWait prints a retry's wait as the schedule's step (or a Retry-After
// of whole minutes) plus jitter when it is one of them lengthened by at
// most a tenth, which is what D-5 asks; any other wait prints as it is.
func retryWait(w time.Duration) string {
	bases := append([]time.Duration{}, webhooks.Schedule...)
	for m := 1; m <= 60; m++ {
		bases = append(bases, time.Duration(m)*time.Minute)
	}
	for _, b := range bases {
		if w >= b && w <= b+b/10 {
			return b.String() + "+jitter"
		}
	}
	return w.String()
}

type answer struct {
	status     int
	retryAfter string
}

type request struct {
	method, path string
	header       http.Header
	body         []byte
	status       int
}

// receiver is a customer's webhook endpoint on loopback: it answers the
// queued answers in turn, then 200, and records every request.
type receiver struct {
	srv  *httptest.Server
	mu   sync.Mutex
	next []answer
	reqs []request
}

func newReceiver(t *testing.T) *receiver {
	rx := &receiver{}
	rx.srv = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rx.mu.Lock()
		a := answer{status: 200}
		if len(rx.next) > 0 {
			a, rx.next = rx.next[0], rx.next[1:]
		}
		rx.reqs = append(rx.reqs, request{method: r.Method, path: r.URL.Path, header: r.Header.Clone(), body: body, status: a.status})
		rx.mu.Unlock()
		if a.retryAfter != "" {
			rw.Header().Set("Retry-After", a.retryAfter)
		}
		rw.WriteHeader(a.status)
		fmt.Fprint(rw, http.StatusText(a.status))
	}))
	t.Cleanup(rx.srv.Close)
	return rx
}

func (rx *receiver) queue(a answer) {
	rx.mu.Lock()
	rx.next = append(rx.next, a)
	rx.mu.Unlock()
}

func (rx *receiver) got() []request {
	rx.mu.Lock()
	defer rx.mu.Unlock()
	return append([]request(nil), rx.reqs...)
}
