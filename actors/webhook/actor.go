package webhook

import (
	"encoding/json"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/humd/humd/actors/clock"
	"github.com/humd/humd/actors/egress"
	"github.com/humd/humd/actors/system"
	"github.com/humd/humd/egresspolicy"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/events"
	"github.com/humd/humd/storage/webhooks"
)

// Messages the actor receives.
type (
	// Reload re-reads the endpoint after an edit (or stops on delete/disable).
	Reload struct{}
	// Redeliver sends a past delivery again with the same webhook-id;
	// answered with *webhooks.Delivery.
	Redeliver struct{ ID string }
	// SendTest delivers a synthetic webhook.test event now; answered with
	// *TestResult once the attempt is done.
	SendTest struct{}
	// TestResult answers SendTest.
	TestResult struct {
		DeliveryID     string `json:"delivery_id"`
		ResponseStatus int    `json:"response_status"`
		DurationMS     int64  `json:"duration_ms"`
		Error          string `json:"error,omitempty"`
	}

	tick        struct{ gen uint64 }
	attemptDone struct {
		id         string
		attempt    webhooks.Attempt
		retryAfter time.Duration
	}
)

// errDisabled answers a request that reaches the actor of an endpoint that
// is disabled or deleted, while the actor waits to stop.
var errDisabled = storage.Conflict("endpoint_disabled", "enable the endpoint first")

// errUnsendable answers a redelivery of an event that could not be read.
var errUnsendable = storage.Conflict("event_unreadable", "this delivery's event could not be read; there is nothing to send")

// Config is shared by every delivery actor.
type Config struct {
	Store  storage.Store
	Clock  clock.Clock
	Logger *slog.Logger
	// Policy is what endpoints are checked against when saved; Post
	// enforces it again on every connection.
	Policy egresspolicy.Policy
	// Poll is how often the actor looks at the event log (default 1s).
	Poll time.Duration
	// Timeout bounds one attempt (default 15s, D-5).
	Timeout time.Duration
	// DisableAfter disables an endpoint failing this long (default 72h).
	DisableAfter time.Duration
	// Post makes the HTTP request (transport/outbound over fasthttp, which
	// checks the target and every address it dials against Policy).
	Post egress.Poster
	// Skips counts and logs the events an endpoint went past (nil: logged
	// only).
	Skips *storage.Skips

	actors *system.Registry
}

func (c *Config) defaults() {
	if c.Poll <= 0 {
		c.Poll = time.Second
	}
	if c.Timeout <= 0 {
		c.Timeout = 15 * time.Second
	}
	if c.DisableAfter <= 0 {
		c.DisableAfter = 72 * time.Hour
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
}

// Actor delivers one endpoint's events.
type Actor struct {
	cfg      *Config
	org, id  string
	ep       *webhooks.Endpoint
	cursor   uint64
	open     map[string]*webhooks.Delivery
	inflight string
	waiting  map[string]*actor.PID // SendTest callers' futures by delivery id
	gen      uint64
	// received counts the messages that came through the system.Directory;
	// stopping is set once the endpoint is disabled or deleted and the
	// actor waits to have received them all before it stops.
	received uint64
	stopping bool
	// log carries the endpoint's ids; a delivery's lines add its id.
	log *slog.Logger
}

func props(cfg *Config, org, id string) *actor.Props {
	return system.Props(func() actor.Actor {
		return &Actor{cfg: cfg, org: org, id: id, open: map[string]*webhooks.Delivery{}, waiting: map[string]*actor.PID{},
			log: cfg.Logger.With("actor", "webhook", "org", org, "endpoint", id)}
	})
}

// Receive is the actor's one switch.
func (a *Actor) Receive(ctx actor.Context) {
	var err error
	switch ctx.Message().(type) {
	case *Reload, *Redeliver, *SendTest:
		a.received++
		if a.stopping {
			a.whileStopping(ctx)
			return
		}
	}
	switch m := ctx.Message().(type) {
	case *actor.Started:
		err = a.load(ctx)
	case *Reload:
		err = a.load(ctx)
	case *tick:
		if m.gen == a.gen {
			err = a.poll()
			a.dispatch(ctx)
			a.arm(ctx)
		}
	case *attemptDone:
		err = a.onAttempt(ctx, m)
	case *Redeliver:
		err = a.onRedeliver(ctx, m)
	case *SendTest:
		err = a.onTest(ctx)
	}
	if err != nil {
		a.log.Error("webhook actor", "err", err)
		if ctx.Sender() != nil {
			ctx.Respond(err)
		}
	}
}

// whileStopping handles a message that came after the endpoint was
// disabled or deleted: a Reload looks again (it may be enabled anew), a
// request is refused; then the actor tries to stop again.
func (a *Actor) whileStopping(ctx actor.Context) {
	if _, ok := ctx.Message().(*Reload); ok {
		a.stopping = false
		if err := a.load(ctx); err != nil {
			a.log.Error("webhook actor", "err", err)
		}
		return
	}
	if ctx.Sender() != nil {
		ctx.Respond(errDisabled)
	}
	a.stop(ctx)
}

// stop ends the actor of a disabled or deleted endpoint: at once when it
// has received everything the system.Directory sent it, else after those
// messages (a Reload after a re-enable must not be lost in a stopped
// mailbox). Pending ticks go stale.
func (a *Actor) stop(ctx actor.Context) {
	a.stopping = true
	a.gen++
	if a.cfg.actors.Passivate(Ref(a.org, a.id), ctx.Self(), a.received) {
		ctx.Stop(ctx.Self())
	}
}

func (a *Actor) load(ctx actor.Context) error {
	ep, err := webhooks.Get(a.cfg.Store, a.org, a.id)
	if err != nil {
		a.stop(ctx)
		return nil
	}
	a.ep = ep
	if !ep.Enabled {
		a.stop(ctx)
		return nil
	}
	if a.cursor, err = webhooks.Cursor(a.cfg.Store, a.org, a.id); err != nil {
		return err
	}
	a.open = map[string]*webhooks.Delivery{}
	if err := webhooks.Open(a.cfg.Store, a.org, a.id, func(d *webhooks.Delivery) { a.open[d.ID] = d }); err != nil {
		return err
	}
	a.arm(ctx)
	return nil
}

func (a *Actor) arm(ctx actor.Context) {
	a.gen++
	system.SendAfter(ctx, a.cfg.Clock, a.cfg.Poll, &tick{gen: a.gen})
}

// poll turns new events into deliveries, moving the cursor in the same batch.
// An event that cannot be read or encoded becomes a failed delivery saying
// why, and the cursor moves past it like any other: one bad record never
// stops the endpoint.
func (a *Actor) poll() error {
	now := a.cfg.Clock.Now()
	b := a.cfg.Store.NewBatch()
	defer b.Discard()
	var made []*webhooks.Delivery
	var skipped []skip
	last := a.cursor
	err := a.cfg.Store.Scan(events.Prefix(a.org), storage.ScanOptions{After: events.Key(a.org, a.cursor), Limit: 500},
		func(k, v []byte) (bool, error) {
			last = events.SeqOfKey(k)
			var ev events.Event
			if err := storage.DecodeJSON(v, &ev); err != nil {
				webhooks.PutDelivery(b, skippedDelivery(a.ep, last, "", "", "the event could not be read: "+err.Error(), now))
				skipped = append(skipped, skip{key: k, reason: storage.SkipUndecodable, err: err})
				return true, nil
			}
			if !a.ep.Matches(ev.Type) {
				return true, nil
			}
			d, err := newDelivery(a.ep, &ev, now)
			if err != nil {
				webhooks.PutDelivery(b, skippedDelivery(a.ep, last, ev.ID, ev.Type, "the event could not be encoded: "+err.Error(), now))
				skipped = append(skipped, skip{key: k, reason: storage.SkipUnprocessable, err: err})
				return true, nil
			}
			webhooks.PutDelivery(b, d)
			made = append(made, d)
			return true, nil
		})
	if err != nil || last == a.cursor {
		return err
	}
	webhooks.SetCursor(b, a.org, a.id, last)
	if err := b.Commit(storage.Sync); err != nil {
		return err
	}
	a.cursor = last
	for _, d := range made {
		a.open[d.ID] = d
	}
	for _, sk := range skipped {
		a.cfg.Skips.Skip("webhook", sk.reason, sk.key, sk.err, "org", a.org, "endpoint", a.id)
	}
	return nil
}

// skip is a record poll went past, reported once its batch commits.
type skip struct {
	key    []byte
	reason string
	err    error
}

// skippedDelivery records an event the endpoint will never get: failed at
// once, with no attempt and no payload, and why in Error.
func skippedDelivery(ep *webhooks.Endpoint, seq uint64, eventID, eventType, why string, now time.Time) *webhooks.Delivery {
	return &webhooks.Delivery{ID: storage.NewID("msg"), OrgID: ep.OrgID, EndpointID: ep.ID, EventID: eventID, EventType: eventType,
		Seq: seq, Status: webhooks.Failed, Attempts: []webhooks.Attempt{}, Error: truncate(why, 500), CreatedAt: now}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "..."
}

func newDelivery(ep *webhooks.Endpoint, ev *events.Event, now time.Time) (*webhooks.Delivery, error) {
	payload, err := json.Marshal(map[string]any{"id": ev.ID, "type": ev.Type, "created_at": ev.CreatedAt, "org_id": ev.OrgID, "data": ev.Data})
	if err != nil {
		return nil, err
	}
	return &webhooks.Delivery{ID: storage.NewID("msg"), OrgID: ep.OrgID, EndpointID: ep.ID, EventID: ev.ID, EventType: ev.Type,
		Seq: ev.Seq, Payload: string(payload), Status: webhooks.Pending, Attempts: []webhooks.Attempt{}, NextRetryAt: &now, CreatedAt: now}, nil
}

// dispatch starts the most overdue delivery when none is in flight.
func (a *Actor) dispatch(ctx actor.Context) {
	if a.inflight != "" || a.ep == nil || !a.ep.Enabled {
		return
	}
	now := a.cfg.Clock.Now()
	var next *webhooks.Delivery
	for _, d := range a.open {
		if d.NextRetryAt != nil && !d.NextRetryAt.After(now) && (next == nil || d.NextRetryAt.Before(*next.NextRetryAt) ||
			(d.NextRetryAt.Equal(*next.NextRetryAt) && d.ID < next.ID)) {
			next = d
		}
	}
	if next == nil {
		return
	}
	a.inflight = next.ID
	req := &request{url: a.ep.URL, id: next.ID, typ: next.EventType, payload: []byte(next.Payload), headers: a.ep.Headers,
		secrets: a.ep.Secrets(now), at: now}
	cfg, self, root := a.cfg, ctx.Self(), ctx.ActorSystem().Root
	go func() {
		att, retryAfter := send(cfg, req)
		root.Send(self, &attemptDone{id: req.id, attempt: att, retryAfter: retryAfter})
	}()
}

type request struct {
	url, id, typ string
	payload      []byte
	headers      map[string]string
	secrets      []string
	at           time.Time
}

// send makes one attempt; it runs in a worker, never in Receive.
func send(cfg *Config, r *request) (webhooks.Attempt, time.Duration) {
	att := webhooks.Attempt{At: r.at}
	var sigs []string
	for _, sec := range r.secrets {
		wh, err := standardwebhooks.NewWebhook(sec)
		if err != nil {
			att.Error = "bad secret: " + err.Error()
			return att, 0
		}
		sig, err := wh.Sign(r.id, r.at, r.payload)
		if err != nil {
			att.Error = err.Error()
			return att, 0
		}
		sigs = append(sigs, sig)
	}
	headers := make([][2]string, 0, len(r.headers)+4)
	for k, v := range r.headers {
		headers = append(headers, [2]string{k, v})
	}
	headers = append(headers, [2]string{standardwebhooks.HeaderWebhookID, r.id},
		[2]string{standardwebhooks.HeaderWebhookTimestamp, strconv.FormatInt(r.at.Unix(), 10)},
		[2]string{standardwebhooks.HeaderWebhookSignature, strings.Join(sigs, " ")}, [2]string{"X-HUM-Event", r.typ})
	res := cfg.Post(&egress.Request{URL: r.url, UserAgent: "hum-webhooks/1.0", Headers: headers, Body: r.payload, Timeout: cfg.Timeout})
	att.ResponseMS = res.Elapsed.Milliseconds()
	if res.Err != nil {
		att.Error = res.Err.Error()
		return att, 0
	}
	att.ResponseStatus, att.Excerpt = res.Status, string(res.Body)
	return att, res.RetryAfter
}

func (a *Actor) onAttempt(ctx actor.Context, m *attemptDone) error {
	a.inflight = ""
	d := a.open[m.id]
	if d == nil {
		a.dispatch(ctx)
		return nil
	}
	now := a.cfg.Clock.Now()
	d.Attempts = append(d.Attempts, m.attempt)
	st := m.attempt.ResponseStatus
	ep := *a.ep
	epChanged := false
	switch {
	case st >= 200 && st < 300:
		d.Status, d.NextRetryAt = webhooks.Succeeded, nil
		if ep.FailingSince != nil {
			ep.FailingSince, epChanged = nil, true
		}
	case st == 410:
		d.Status, d.NextRetryAt = webhooks.Failed, nil
		ep.Enabled, ep.DisabledReason, epChanged = false, "gone: the endpoint answered 410", true
	default:
		if ep.FailingSince == nil {
			ep.FailingSince, epChanged = &now, true
		}
		if n := len(d.Attempts); n <= len(webhooks.Schedule) {
			at := now.Add(webhooks.Jitter(max(webhooks.Schedule[n-1], m.retryAfter)))
			d.Status, d.NextRetryAt = webhooks.Retrying, &at
		} else {
			d.Status, d.NextRetryAt = webhooks.Failed, nil
		}
		if now.Sub(*ep.FailingSince) >= a.cfg.DisableAfter {
			ep.Enabled, ep.DisabledReason, epChanged = false, "failing for 3 days", true
		}
	}
	b := a.cfg.Store.NewBatch()
	webhooks.PutDelivery(b, d)
	if err := b.Commit(storage.Sync); err != nil {
		return err
	}
	countAttempt(a.ep.ID, st)
	a.logAttempt(d, &m.attempt)
	if d.Status == webhooks.Succeeded || d.Status == webhooks.Failed {
		delete(a.open, d.ID)
	}
	if w := a.waiting[d.ID]; w != nil {
		delete(a.waiting, d.ID)
		ctx.Send(w, &TestResult{DeliveryID: d.ID, ResponseStatus: st, DurationMS: m.attempt.ResponseMS, Error: m.attempt.Error})
	}
	if epChanged {
		ep.UpdatedAt = now
		b := a.cfg.Store.NewBatch()
		webhooks.PutIn(a.cfg.Store, b, &ep)
		if !ep.Enabled {
			if _, err := events.Append(a.cfg.Store, b, ep.OrgID, events.WebhookDisabled, now, map[string]any{
				"endpoint_id": ep.ID, "url": ep.URL, "reason": ep.DisabledReason}); err != nil {
				b.Discard()
				return err
			}
		}
		if err := b.Commit(storage.Sync); err != nil {
			return err
		}
		a.ep = &ep
		if !ep.Enabled {
			a.log.Warn("webhook endpoint disabled", "reason", ep.DisabledReason)
			a.stop(ctx)
			return nil
		}
	}
	a.dispatch(ctx)
	return nil
}

func (a *Actor) onRedeliver(ctx actor.Context, m *Redeliver) error {
	d, err := webhooks.GetDelivery(a.cfg.Store, a.org, a.id, m.ID)
	if err != nil {
		return err
	}
	if open := a.open[d.ID]; open != nil {
		d = open
	}
	if d.Unsendable() {
		ctx.Respond(errUnsendable)
		return nil
	}
	now := a.cfg.Clock.Now()
	d.Status, d.NextRetryAt = webhooks.Pending, &now
	b := a.cfg.Store.NewBatch()
	webhooks.PutDelivery(b, d)
	if err := b.Commit(storage.Sync); err != nil {
		return err
	}
	a.open[d.ID] = d
	ctx.Respond(d)
	a.dispatch(ctx)
	return nil
}

func (a *Actor) onTest(ctx actor.Context) error {
	now := a.cfg.Clock.Now()
	data, _ := json.Marshal(map[string]any{"message": "This is a test event from humd."})
	ev := &events.Event{ID: storage.NewID("evt"), Type: "webhook.test", OrgID: a.org, CreatedAt: now, Data: data}
	d, err := newDelivery(a.ep, ev, now)
	if err != nil {
		return err
	}
	// A test jumps the queue: it is the oldest due delivery.
	early := now.Add(-24 * time.Hour)
	d.NextRetryAt = &early
	b := a.cfg.Store.NewBatch()
	webhooks.PutDelivery(b, d)
	if err := b.Commit(storage.Sync); err != nil {
		return err
	}
	a.open[d.ID] = d
	a.waiting[d.ID] = ctx.Sender()
	a.dispatch(ctx)
	return nil
}

// logAttempt logs a failed attempt (a success only at debug level) with
// the delivery's ids; never the payload, the response body or the URL,
// which may hold a customer's token.
func (a *Actor) logAttempt(d *webhooks.Delivery, att *webhooks.Attempt) {
	log := a.log.With("delivery", d.ID, "event", d.EventID, "event_type", d.EventType, "attempt", len(d.Attempts),
		"response_status", att.ResponseStatus, "status", d.Status)
	switch {
	case d.Status == webhooks.Succeeded:
		log.Debug("webhook delivered")
	case d.NextRetryAt != nil:
		log.Warn("webhook attempt failed", "err", att.Error, "next_retry_at", *d.NextRetryAt)
	default:
		log.Warn("webhook attempt failed", "err", att.Error)
	}
}
