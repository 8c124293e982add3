package addresssession

import (
	"log/slog"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/humd/humd/actors/addresssession/address"
	"github.com/humd/humd/actors/addresssession/geo"
	"github.com/humd/humd/actors/clock"
	"github.com/humd/humd/actors/system"
	"github.com/humd/humd/storage"
)

// Deps are shared by every session actor.
type Deps struct {
	Store      storage.Store
	Clock      clock.Clock
	Geo        *geo.DB
	Logger     *slog.Logger
	IdleExpiry time.Duration // 30 minutes without access
	IdleAfter  time.Duration // passivation
	actors     *system.Registry
}

// Touch is an access (GET): it extends the session and answers *Session.
type Touch struct{}

// Start runs the agents; Wait makes the answer wait until they finish (sync).
type Start struct {
	Req  *address.Request
	Wait bool
}

// Close closes the session. Answered with *Session (or storage.ErrGone).
type Close struct{}

type agentsDone struct {
	addr      *ServiceAddress
	geoOK     bool
	providers []*Provider
	err       error
}

type expire struct{ gen uint64 }

// Actor owns one address session: its agents, its expiry and its record.
type Actor struct {
	d        *Deps
	token    string
	s        *Session
	waiting  []*actor.PID
	expGen   uint64
	idle     system.IdleTimer
	received uint64
}

func (a *Actor) Receive(ctx actor.Context) {
	switch ctx.Message().(type) {
	case *actor.Started:
		a.armIdle(ctx)
		return
	case *Touch, *Start, *Close:
		a.received++
	}
	if a.s == nil {
		s, err := load(a.d.Store, a.token)
		if err != nil {
			a.answer(ctx, nil, err)
			return
		}
		a.s = s
		a.expireIfIdle()
	}
	switch m := ctx.Message().(type) {
	case *Start:
		a.start(ctx, m)
	case *Touch:
		a.answer(ctx, a.touch(ctx), nil)
	case *Close:
		s, err := a.close()
		a.answer(ctx, s, err)
	case *agentsDone:
		a.finish(ctx, m)
	case *expire:
		if m.gen == a.expGen {
			a.expireIfIdle()
		}
	case *system.IdleTick:
		if a.idle.Fired(ctx, a.d.Clock, m, a.d.IdleAfter) && len(a.waiting) == 0 && !a.s.working() && a.d.actors.Passivate(Ref(a.token), ctx.Self(), a.received) {
			ctx.Stop(ctx.Self())
		}
		return
	}
	a.armIdle(ctx)
}

func (a *Actor) answer(ctx actor.Context, reply any, err error) {
	system.Answer(ctx, reply, err, nil)
}

func (a *Actor) snapshot() *Session { s := *a.s; return &s }

func (a *Actor) armIdle(ctx actor.Context) { a.idle.Touch(ctx, a.d.Clock, a.d.IdleAfter) }

func (a *Actor) armExpiry(ctx actor.Context) {
	a.expGen++
	system.SendAfter(ctx, a.d.Clock, a.d.IdleExpiry, &expire{gen: a.expGen})
}

// expireIfIdle expires an open session not accessed for IdleExpiry (also
// on reload, so a passivated session still expires on time).
func (a *Actor) expireIfIdle() {
	now := a.d.Clock.Now().UTC()
	if a.s.Status != Open || now.Sub(a.s.LastAccessAt) < a.d.IdleExpiry {
		return
	}
	s := *a.s
	s.Status, s.UpdatedAt = Expired, now
	if err := save(a.d.Store, &s, storage.Sync); err == nil {
		a.s = &s
	}
}

func (a *Actor) touch(ctx actor.Context) *Session {
	if a.s.Status == Open {
		s := *a.s
		s.LastAccessAt = a.d.Clock.Now().UTC()
		// An access only extends the session: losing it in a crash costs at
		// most an earlier expiry, so it needs no fsync of its own.
		if err := save(a.d.Store, &s, storage.NoSync); err == nil {
			a.s = &s
		}
		a.armExpiry(ctx)
	}
	return a.snapshot()
}

func (a *Actor) close() (*Session, error) {
	if a.s.Status != Open {
		return a.snapshot(), nil
	}
	s := *a.s
	s.Status, s.UpdatedAt = Closed, a.d.Clock.Now().UTC()
	if err := save(a.d.Store, &s, storage.Sync); err != nil {
		return nil, err
	}
	a.s = &s
	return a.snapshot(), nil
}

// start runs the geocoding and internet agents off the mailbox.
func (a *Actor) start(ctx actor.Context, m *Start) {
	a.armExpiry(ctx)
	if m.Wait {
		a.waiting = append(a.waiting, ctx.Sender())
	} else {
		a.answer(ctx, a.snapshot(), nil)
	}
	self, root, d := ctx.Self(), ctx.ActorSystem().Root, a.d
	go func() {
		addr, ok := geocode(d.Geo, m.Req)
		var provs []*Provider
		var err error
		if ok {
			provs, err = providersFor(d.Store, addr.Zip[:5])
		}
		root.Send(self, &agentsDone{addr: addr, geoOK: ok, providers: provs, err: err})
	}()
}

func (a *Actor) finish(ctx actor.Context, m *agentsDone) {
	s := *a.s
	s.AgentStatus = map[string]string{"geocoding": Unmatched, "internet": Unmatched, "checkout": Pending}
	s.ServiceAddress, s.UpdatedAt = m.addr, a.d.Clock.Now().UTC()
	if m.geoOK {
		s.AgentStatus["geocoding"] = Matched
	}
	switch {
	case m.err != nil:
		s.AgentStatus["internet"] = "error"
	case len(m.providers) > 0:
		s.AgentStatus["internet"], s.Providers = Matched, m.providers
	}
	if err := save(a.d.Store, &s, storage.Sync); err != nil {
		a.d.Logger.Error("address session", "token", a.token, "err", err)
	} else {
		a.s = &s
	}
	for _, w := range a.waiting {
		ctx.Send(w, a.snapshot())
	}
	a.waiting = nil
}

// geocode normalizes the address and places it from the ZIP table: by ZIP
// when given, else by city and state. Coordinates sent by the caller win.
func geocode(db *geo.DB, r *address.Request) (*ServiceAddress, bool) {
	sa := &ServiceAddress{Street: address.Street(r.Street1), City: address.City(r.City), State: r.State, Zip: r.Zip}
	if r.Street2 != "" {
		sa.Street2 = address.Street(r.Street2)
	}
	sa.StreetRange = address.StreetRange(sa.Street)
	var p *geo.Place
	ok := false
	if r.Zip != "" {
		p, ok = db.Zip(r.Zip[:5])
	} else {
		p, ok = db.City(r.City, r.State)
	}
	if ok {
		if sa.City == "" {
			sa.City = address.City(p.City)
		}
		if sa.State == "" {
			sa.State = p.State
		}
		if sa.Zip == "" {
			sa.Zip = p.Zip
		}
		lat, lon := p.Lat, p.Lon
		sa.Latitude, sa.Longitude = &lat, &lon
	}
	if r.Latitude != nil && r.Longitude != nil {
		sa.Latitude, sa.Longitude = r.Latitude, r.Longitude
	}
	parts := []string{sa.Street}
	if sa.Street2 != "" {
		parts[0] += " " + sa.Street2
	}
	for _, x := range []string{sa.City, sa.State, sa.Zip} {
		if x != "" {
			parts = append(parts, x)
		}
	}
	sa.Normalized = joinComma(parts)
	return sa, ok
}

func joinComma(parts []string) string {
	out := ""
	for i, p := range parts {
		if i > 0 {
			out += ", "
		}
		out += p
	}
	return out
}
