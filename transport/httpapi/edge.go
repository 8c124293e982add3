package httpapi

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"sync"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/humd/humd/actors/sender"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/idem"
)

// Limits holds one token bucket per id (a trigger, an API key, a key and a
// thread), in memory: a restart refills them, which is harmless for a flood
// guard.
type Limits struct {
	rate, burst float64
	mu          sync.Mutex
	m           map[string]*sender.Limiter
	// nextPrune is the size that triggers the next prune: twice what the
	// last one kept, so a map of busy buckets is not walked on every call.
	nextPrune int
}

// limitsPruneAt is the map size at which refilled buckets are dropped (a
// full bucket is the same as a new one), so ids seen once do not pile up.
const limitsPruneAt = 10000

// NewLimits is rate tokens a second per id, in bursts of up to burst.
func NewLimits(rate, burst float64) *Limits { return &Limits{rate: rate, burst: burst} }

// Allow takes a token of id's bucket, or tells how long until one refills.
func (l *Limits) Allow(id string, now time.Time) (bool, time.Duration) { return l.allow(id, now) }

// Check takes a token of id's bucket; without one it sets Retry-After and
// answers storage.ErrRateLimited saying what was limited.
func (l *Limits) Check(c *Call, id string, now time.Time, what string) error {
	ok, wait := l.allow(id, now)
	if ok {
		return nil
	}
	c.Ctx.Response.Header.Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
	return fmt.Errorf("%s: %w", what, storage.ErrRateLimited)
}

func (l *Limits) allow(id string, now time.Time) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.m == nil {
		l.m = map[string]*sender.Limiter{}
	}
	if len(l.m) >= max(limitsPruneAt, l.nextPrune) {
		for k, lim := range l.m {
			if lim.Full(now) {
				delete(l.m, k)
			}
		}
		l.nextPrune = 2 * len(l.m)
	}
	lim := l.m[id]
	if lim == nil {
		lim = sender.NewLimiterBurst(l.rate, l.burst, now)
		l.m[id] = lim
	}
	return lim.Allow(now, 1)
}

// mcpInner marks an operation /mcp runs in-process: its /mcp request was
// counted against the key, so the operation is not counted again. Only code
// can set a user value, so a client cannot claim it.
const mcpInner = "humd.mcp.inner"

// limitKey applies the per-key request limit (A35: 600 a minute, as a
// bucket of a minute's worth refilled at 10 a second).
func (s *Server) limitKey(c *Call) error {
	id := limitID(c.Principal)
	if s.keyLimits == nil || id == "" || c.Ctx.UserValue(mcpInner) != nil {
		return nil
	}
	return s.keyLimits.Check(c, id, s.cfg.Clock.Now(),
		fmt.Sprintf("more than %d requests a minute with this API key", s.cfg.KeyRequestsPerMinute))
}

var errIdemInFlight = &StatusError{409, "idempotency_key_in_use", "a request with this Idempotency-Key is still being answered; retry later"}

// idempotent answers a request carrying an Idempotency-Key: the kept answer
// when the same request was answered before, 422 when the key came with
// another request, 409 while the first is still running; otherwise the
// handler runs and a 2xx answer is kept. Only 2xx answers are kept: an
// error acted on nothing, so a retry may run again.
func (s *Server) idempotent(c *Call, key string) error {
	if len(key) > 255 {
		return storage.Invalid("Idempotency-Key", "at most 255 characters")
	}
	org := c.Principal.OrgID
	fp := fingerprint(c.Route.Method, string(c.Ctx.Path()), c.Ctx.PostBody())
	slot := org + "\x00" + key
	if _, busy := s.idemInFlight.LoadOrStore(slot, struct{}{}); busy {
		return errIdemInFlight
	}
	defer s.idemInFlight.Delete(slot)
	now := s.cfg.Clock.Now()
	rec, err := idem.Get(s.cfg.Store, org, key, now)
	switch {
	case err == nil && rec.Fingerprint != fp:
		return &StatusError{422, "idempotency_key_reused", "this Idempotency-Key was used with a different request in the last 24 hours"}
	case err == nil:
		c.Ctx.Response.Header.Set("Idempotent-Replayed", "true")
		c.Ctx.SetStatusCode(rec.Status)
		c.Ctx.SetContentType(rec.ContentType)
		c.Ctx.SetBody(rec.Body)
		return nil
	case !errors.Is(err, storage.ErrNotFound):
		return err
	}
	if err := c.Route.Handle(c); err != nil {
		return err
	}
	if st := c.Ctx.Response.StatusCode(); st >= 200 && st < 300 {
		rec := &idem.Record{Fingerprint: fp, Status: st, ContentType: string(c.Ctx.Response.Header.ContentType()),
			Body: bytes.Clone(c.Ctx.Response.Body()), CreatedAt: now}
		if err := idem.Put(s.cfg.Store, org, key, rec); err != nil {
			// The request has acted and its answer stands; a retry may act again.
			s.cfg.Logger.Error("keep idempotent answer", "route", c.Route.Path, "err", err, "request_id", c.RequestID)
		}
	}
	return nil
}

// declaresConfirm reports whether the route's own body declares confirm.
func declaresConfirm(r *Route) bool {
	if r.Request != nil {
		t := deref(r.Request)
		if t.Kind() != reflect.Struct {
			return false
		}
		for _, f := range jsonFields(t) {
			if f.name == "confirm" {
				return true
			}
		}
		return false
	}
	props, _ := r.RequestSchema["properties"].(map[string]Schema)
	_, ok := props["confirm"]
	return ok
}

// dropConfirm removes a top-level boolean "confirm" from a JSON object body:
// D-11 lets any REST call send it, and only MCP's gate reads it, so routes
// that do not use it must not refuse it as an unknown field.
func dropConfirm(ctx *fasthttp.RequestCtx) {
	body := ctx.PostBody()
	if !bytes.Contains(body, []byte(`"confirm"`)) {
		return
	}
	var fields map[string]json.RawMessage
	if json.Unmarshal(body, &fields) != nil {
		return // not an object: the handler's decoding says what is wrong
	}
	v, ok := fields["confirm"]
	if !ok || (string(v) != "true" && string(v) != "false") {
		return
	}
	delete(fields, "confirm")
	raw, err := json.Marshal(fields)
	if err != nil {
		return
	}
	ctx.Request.SetBodyRaw(raw)
}

// fingerprint hashes what makes two requests the same request, so an
// Idempotency-Key sent with another request is told apart from a retry.
func fingerprint(method, path string, body []byte) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s %s\n", method, path)
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil))
}
