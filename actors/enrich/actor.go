package enrich

import (
	"cmp"
	"container/heap"
	"context"
	"encoding/json"
	"errors"
	"maps"
	"math"
	"slices"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/humd/humd/actors/system"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/calls"
	"github.com/humd/humd/storage/events"
	"github.com/humd/humd/storage/phone"
	"github.com/humd/humd/storage/sms"
)

// Actor is the one enrich actor (see the package comment).
type Actor struct {
	cfg     *Config
	loaded  bool
	cursors map[string]uint64             // org -> last event seq looked at
	pending map[string]*sms.PendingLookup // org|e164 -> queue entry
	// inflight holds the queue entries being looked up right now.
	inflight map[string]bool
	jobs     map[string]*jobState // org|job -> running backfill
	limit    *bucket              // every automatic lookup, all orgs
	gen      uint64
}

// jobState is a running backfill as the actor sees it.
type jobState struct {
	job   *sms.LookupJob
	limit *bucket
	// outstanding counts queue entries that count toward the job.
	outstanding int
}

func newActor(cfg *Config) *Actor {
	return &Actor{cfg: cfg, inflight: map[string]bool{}, limit: newBucket(cfg.Rate)}
}

func key(org, e164 string) string { return org + "|" + e164 }

// Receive is the actor's one switch; every handled message may make a
// lookup due, so each ends with dispatch.
func (a *Actor) Receive(ctx actor.Context) {
	var err error
	switch m := ctx.Message().(type) {
	case *actor.Started:
		err = a.load()
		a.arm(ctx)
	case *tick:
		if m.gen != a.gen {
			return
		}
		err = a.onTick()
		a.arm(ctx)
	case *JobStarted:
		err = a.onJobStarted(m)
	case *lookedUp:
		err = a.onLookedUp(m)
	default:
		return
	}
	if err != nil {
		a.cfg.Logger.Error("enrich actor", "err", err)
	}
	a.dispatch(ctx)
}

func (a *Actor) arm(ctx actor.Context) {
	a.gen++
	system.SendAfter(ctx, a.cfg.Clock, a.cfg.Poll, &tick{gen: a.gen})
}

// initCursors runs before the actor starts: on the first start ever, every
// existing event log's cursor is set to its head, so the contacts of past
// events are left to a backfill rather than looked up unasked.
func initCursors(st storage.Store) error {
	started, err := st.Has(sms.KeyLookupStarted())
	if err != nil || started {
		return err
	}
	var orgs []string
	if err := events.Orgs(st, func(org string) { orgs = append(orgs, org) }); err != nil {
		return err
	}
	b := st.NewBatch()
	defer b.Discard()
	for _, org := range orgs {
		last, err := events.LastSeq(st, org)
		if err != nil {
			return err
		}
		sms.SetLookupCursor(b, org, last)
	}
	b.Set(sms.KeyLookupStarted(), nil)
	return b.Commit(storage.Sync)
}

// load reads the durable state: running jobs and queue entries. Cursors
// are read as each log is first polled.
func (a *Actor) load() error {
	st := a.cfg.Store
	jobs := map[string]*jobState{}
	if err := sms.ActiveLookupJobs(st, func(j *sms.LookupJob) {
		jobs[key(j.OrgID, j.ID)] = &jobState{job: j, limit: newBucket(j.PerSecond)}
	}); err != nil {
		return err
	}
	pending := map[string]*sms.PendingLookup{}
	if err := sms.AllPendingLookups(st, func(p *sms.PendingLookup) {
		pending[key(p.OrgID, p.E164)] = p
		if js := jobs[key(p.OrgID, p.JobID)]; p.JobID != "" && js != nil {
			js.outstanding++
		}
	}); err != nil {
		return err
	}
	a.cursors, a.pending, a.jobs, a.loaded = map[string]uint64{}, pending, jobs, true
	return nil
}

func (a *Actor) onTick() error {
	if !a.loaded {
		if err := a.load(); err != nil {
			return err
		}
	}
	errs := []error{a.poll()}
	for _, k := range slices.Sorted(maps.Keys(a.jobs)) {
		if js := a.jobs[k]; js != nil {
			errs = append(errs, a.feed(js))
		}
	}
	return errors.Join(errs...)
}

// poll reads every org's event log past its cursor (one seek per org when
// nothing is new).
func (a *Actor) poll() error {
	var orgs []string
	if err := events.Orgs(a.cfg.Store, func(org string) { orgs = append(orgs, org) }); err != nil {
		return err
	}
	var errs []error
	for _, org := range orgs {
		cur, ok := a.cursors[org]
		if !ok {
			// No stored cursor: the org's log began after the first start.
			c, _, err := sms.LookupCursor(a.cfg.Store, org)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			cur, a.cursors[org] = c, c
		}
		errs = append(errs, a.pollOrg(org, cur))
	}
	return errors.Join(errs...)
}

// pollOrg queues the new contacts of up to 500 events after cur, moving
// the cursor in the same batch.
func (a *Actor) pollOrg(org string, cur uint64) error {
	st := a.cfg.Store
	last := cur
	var phones []string
	type skip struct {
		key []byte
		err error
	}
	var skipped []skip
	err := st.Scan(events.Prefix(org), storage.ScanOptions{After: events.Key(org, cur), Limit: 500}, func(k, v []byte) (bool, error) {
		last = events.SeqOfKey(k)
		var ev events.Event
		if err := storage.DecodeJSON(v, &ev); err != nil {
			skipped = append(skipped, skip{k, err}) // reported once the cursor has moved past it
			return true, nil
		}
		if e164 := contactOf(&ev); e164 != "" {
			phones = append(phones, e164)
		}
		return true, nil
	})
	if err != nil || last == cur {
		return err
	}
	now := a.cfg.Clock.Now()
	b := st.NewBatch()
	defer b.Discard()
	added := map[string]*sms.PendingLookup{}
	for _, e164 := range phones {
		k := key(org, e164)
		if a.pending[k] != nil || added[k] != nil {
			continue
		}
		need, err := a.needsLookup(org, e164)
		if err != nil {
			return err
		}
		if need {
			p := &sms.PendingLookup{OrgID: org, E164: e164, NextAt: now, CreatedAt: now}
			sms.PutPendingLookup(b, p)
			added[k] = p
		}
	}
	sms.SetLookupCursor(b, org, last)
	if err := b.Commit(storage.Sync); err != nil {
		return err
	}
	a.cursors[org] = last
	for _, sk := range skipped {
		a.cfg.Skips.Skip("enrich", storage.SkipUndecodable, sk.key, sk.err, "org", org)
	}
	for k, p := range added {
		a.pending[k] = p
	}
	return nil
}

// contactOf answers the contact a conversation.started or call.started
// event is about: the thread's contact, the caller of an inbound call, the
// callee of an outbound one.
func contactOf(ev *events.Event) string {
	switch ev.Type {
	case events.ConvStarted:
		var d struct {
			Conversation struct {
				ContactE164 string `json:"contact_e164"`
			} `json:"conversation"`
		}
		if json.Unmarshal(ev.Data, &d) == nil {
			return d.Conversation.ContactE164
		}
	case calls.EvCallStarted:
		var d struct {
			Call struct {
				Direction string `json:"direction"`
				From      string `json:"from"`
				To        string `json:"to"`
			} `json:"call"`
		}
		if json.Unmarshal(ev.Data, &d) == nil {
			if d.Call.Direction == "outbound" {
				return d.Call.To
			}
			return d.Call.From
		}
	}
	return ""
}

// needsLookup: an E.164 contact that exists, was never looked up and is not
// blocked (a blocked caller costs no lookup).
func (a *Actor) needsLookup(org, e164 string) (bool, error) {
	if !phone.Valid(e164) {
		return false, nil
	}
	c, err := sms.ContactByE164(a.cfg.Store, org, e164)
	if errors.Is(err, storage.ErrNotFound) {
		return false, nil
	}
	if err != nil || c.LookupAt != nil {
		return false, err
	}
	blocked, err := a.cfg.Store.Has(sms.KeyBlock(org, e164))
	return !blocked, err
}

func (a *Actor) onJobStarted(m *JobStarted) error {
	k := key(m.OrgID, m.JobID)
	if !a.loaded || a.jobs[k] != nil {
		return nil // load picks the job up from its active index
	}
	j, err := sms.GetLookupJob(a.cfg.Store, m.OrgID, m.JobID)
	if err != nil || j.Status != sms.JobRunning {
		return err
	}
	js := &jobState{job: j, limit: newBucket(j.PerSecond)}
	a.jobs[k] = js
	return a.feed(js)
}

// feed walks the job's contacts past its scan position, queueing those
// without lookup data until the job has a window of two seconds' worth
// outstanding, and completes the job once the walk ended and nothing is
// outstanding.
func (a *Actor) feed(js *jobState) error {
	j := *js.job
	window := max(1, int(math.Ceil(2*j.PerSecond)))
	room := window - js.outstanding
	if j.Status != sms.JobRunning || (j.Scanned && js.outstanding > 0) || (!j.Scanned && room <= 0) {
		return nil
	}
	now := a.cfg.Clock.Now()
	b := a.cfg.Store.NewBatch()
	defer b.Discard()
	var added []*sms.PendingLookup
	if !j.Scanned {
		cs, err := sms.ContactsAfter(a.cfg.Store, j.OrgID, j.Scan, room)
		if err != nil {
			return err
		}
		for _, c := range cs {
			j.Scan = c.ID
			if c.LookupAt != nil {
				// Counted at the start, looked up since. Strictly after: one
				// looked up in the very instant the job started (the fake clock
				// of the tests) was already enriched and never counted.
				if c.LookupAt.After(j.StartedAt) {
					j.Done++
				}
				continue
			}
			if c.CreatedAt.After(j.StartedAt) {
				j.Total++ // added while the job ran
			}
			p := &sms.PendingLookup{OrgID: j.OrgID, E164: c.E164, JobID: j.ID, NextAt: now, CreatedAt: now}
			if old := a.pending[key(j.OrgID, c.E164)]; old != nil {
				if old.JobID != "" {
					continue
				}
				cp := *old // already queued from the event log: it now counts toward the job
				cp.JobID = j.ID
				p = &cp
			}
			sms.PutPendingLookup(b, p)
			added = append(added, p)
		}
		if len(cs) < room {
			j.Scanned = true
		}
	}
	outstanding := js.outstanding + len(added)
	a.complete(&j, outstanding)
	sms.PutLookupJob(b, &j)
	if err := b.Commit(storage.Sync); err != nil {
		return err
	}
	for _, p := range added {
		a.pending[key(p.OrgID, p.E164)] = p
	}
	js.job, js.outstanding = &j, outstanding
	a.finished(js)
	return nil
}

// complete ends a running job whose walk is over and whose lookups are all
// settled.
func (a *Actor) complete(j *sms.LookupJob, outstanding int) {
	if j.Status != sms.JobRunning || !j.Scanned || outstanding > 0 {
		return
	}
	j.Status, j.Total = sms.JobCompleted, j.Done+j.Failed
	if j.Done == 0 && j.Failed > 0 {
		j.Status, j.Error = sms.JobFailed, "every lookup failed"
	}
	at := a.cfg.Clock.Now().UTC()
	j.FinishedAt = &at
}

func (a *Actor) finished(js *jobState) {
	if j := js.job; j.Status != sms.JobRunning {
		delete(a.jobs, key(j.OrgID, j.ID))
		a.cfg.Logger.Info("contact lookup backfill finished", "org", j.OrgID, "job", j.ID, "status", j.Status,
			"done", j.Done, "failed", j.Failed)
	}
}

// dispatch starts due lookups while the concurrency and rate limits allow:
// entries from the event log first, then backfill entries under their
// job's own cap, oldest due first.
func (a *Actor) dispatch(ctx actor.Context) {
	if !a.loaded || len(a.inflight) >= a.cfg.Concurrency {
		return
	}
	now := a.cfg.Clock.Now()
	if !a.limit.ready(now) {
		return // the next tick or result comes back here
	}
	due := a.firstDue(now, a.cfg.Concurrency-len(a.inflight)+dispatchSlack)
	for _, p := range due {
		if len(a.inflight) >= a.cfg.Concurrency {
			return
		}
		var js *jobState
		if p.JobID != "" {
			js = a.jobs[key(p.OrgID, p.JobID)]
		}
		if js != nil && !js.limit.ready(now) {
			continue
		}
		// An entry whose contact was deleted, or looked up meanwhile (an
		// operator's re-lookup), is settled without a lookup.
		c, err := sms.ContactByE164(a.cfg.Store, p.OrgID, p.E164)
		switch {
		case errors.Is(err, storage.ErrNotFound):
			err = a.settle(p, nil, outcomeGone)
		case err == nil && c.LookupAt != nil:
			err = a.settle(p, nil, outcomeDone)
		case err == nil:
			if !a.limit.allow(now) {
				return
			}
			if js != nil {
				js.limit.allow(now)
			}
			a.start(ctx, p)
		}
		if err != nil {
			a.cfg.Logger.Error("enrich dispatch", "org", p.OrgID, "err", err)
			return
		}
	}
}

// start runs one lookup in a worker goroutine; the result comes back as
// lookedUp.
func (a *Actor) start(ctx actor.Context, p *sms.PendingLookup) {
	k := key(p.OrgID, p.E164)
	a.inflight[k] = true
	cfg, self, root, e164 := a.cfg, ctx.Self(), ctx.ActorSystem().Root, p.E164
	go func() {
		lctx, cancel := context.WithTimeout(context.Background(), cfg.Timeout)
		defer cancel()
		res, err := cfg.Lookuper.Lookup(lctx, e164)
		if err == nil && res == nil {
			err = errors.New("enrich: the lookup answered nothing")
		}
		root.Send(self, &lookedUp{key: k, res: res, err: err})
	}()
}

func (a *Actor) onLookedUp(m *lookedUp) error {
	delete(a.inflight, m.key)
	p := a.pending[m.key]
	if p == nil {
		return nil
	}
	if m.err == nil {
		return a.settle(p, m.res, outcomeDone)
	}
	attempt := p.Attempts + 1
	contact := sms.ContactID(p.OrgID, p.E164)
	if errors.Is(m.err, ErrPermanent) || attempt >= a.cfg.MaxAttempts {
		a.cfg.Logger.Warn("contact lookup failed; giving up", "org", p.OrgID, "contact", contact, "attempts", attempt, "err", m.err)
		return a.settle(p, nil, outcomeFailed)
	}
	p2 := *p
	p2.Attempts, p2.LastError, p2.NextAt = attempt, m.err.Error(), a.cfg.Clock.Now().Add(a.cfg.backoff(attempt))
	b := a.cfg.Store.NewBatch()
	sms.PutPendingLookup(b, &p2)
	if err := b.Commit(storage.Sync); err != nil {
		return err
	}
	a.pending[m.key] = &p2
	a.cfg.Logger.Warn("contact lookup failed; will retry", "org", p.OrgID, "contact", contact, "attempt", attempt,
		"retry_at", p2.NextAt, "err", m.err)
	return nil
}

// How a queue entry ended.
const (
	outcomeDone   = iota // looked up (now or meanwhile)
	outcomeFailed        // every attempt failed
	outcomeGone          // the contact was deleted
)

// settle removes a queue entry, counts it toward its job and, with a
// result, writes the lookup onto the contact, all in one batch.
func (a *Actor) settle(p *sms.PendingLookup, res *Result, outcome int) error {
	st := a.cfg.Store
	b := st.NewBatch()
	defer b.Discard()
	sms.DeletePendingLookup(b, p.OrgID, p.E164)
	var js *jobState
	var j sms.LookupJob
	if p.JobID != "" {
		js = a.jobs[key(p.OrgID, p.JobID)]
	}
	if js != nil {
		j = *js.job
		switch outcome {
		case outcomeDone:
			j.Done++
		case outcomeFailed:
			j.Failed++
		}
		a.complete(&j, js.outstanding-1)
		sms.PutLookupJob(b, &j)
	}
	if res != nil {
		if _, err := sms.ApplyLookup(st, b, p.OrgID, p.E164, res, a.cfg.Clock.Now()); err != nil {
			return err
		}
	} else if err := b.Commit(storage.Sync); err != nil {
		return err
	}
	delete(a.pending, key(p.OrgID, p.E164))
	if js != nil {
		js.job = &j
		js.outstanding--
		a.finished(js)
	}
	return nil
}

// dispatchSlack is how many candidates beyond the free slots one dispatch
// considers: entries it settles without a lookup, or whose job waits on its
// own rate, do not use a slot.
const dispatchSlack = 64

// duePriority orders due lookups: event-log entries before backfill ones,
// then oldest due first, then by org and number for a stable order.
func duePriority(x, y *sms.PendingLookup) int {
	if (x.JobID == "") != (y.JobID == "") {
		if x.JobID == "" {
			return -1
		}
		return 1
	}
	return cmp.Or(x.NextAt.Compare(y.NextAt), cmp.Compare(x.OrgID, y.OrgID), cmp.Compare(x.E164, y.E164))
}

// firstDue answers at most n due, idle entries in priority order. The queue
// can hold every new contact of a busy ingest (lookups go at a few per
// second), so this keeps a bounded max-heap instead of sorting it all.
func (a *Actor) firstDue(now time.Time, n int) []*sms.PendingLookup {
	h := &dueHeap{}
	for k, p := range a.pending {
		if a.inflight[k] || p.NextAt.After(now) {
			continue
		}
		if h.Len() < n {
			heap.Push(h, p)
		} else if duePriority(p, (*h)[0]) < 0 {
			(*h)[0] = p
			heap.Fix(h, 0)
		}
	}
	out := make([]*sms.PendingLookup, h.Len())
	for i := len(out) - 1; i >= 0; i-- {
		out[i] = heap.Pop(h).(*sms.PendingLookup)
	}
	return out
}

// dueHeap is a max-heap by duePriority: its root is the worst kept entry.
type dueHeap []*sms.PendingLookup

func (h dueHeap) Len() int           { return len(h) }
func (h dueHeap) Less(i, j int) bool { return duePriority(h[i], h[j]) > 0 }
func (h dueHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *dueHeap) Push(x any)        { *h = append(*h, x.(*sms.PendingLookup)) }
func (h *dueHeap) Pop() any {
	old := *h
	p := old[len(old)-1]
	*h = old[:len(old)-1]
	return p
}
