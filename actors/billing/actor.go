package billing

import (
	"context"
	"errors"
	"fmt"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/humd/humd/actors/system"
	"github.com/humd/humd/storage"
	storebilling "github.com/humd/humd/storage/billing"
)

// Actor is the one billing actor (see the package comment).
type Actor struct {
	cfg    *Config
	states map[string]*storebilling.State // org -> subscription state
	// customers maps a provider customer to its org.
	customers map[string]string
	// waiting holds, per org, the checkouts and portals that wait for the
	// org's customer to be created.
	waiting map[string][]pendingAsk
	// sending marks the meter slices being reported (org/unix).
	sending map[string]bool
	gen     uint64
}

type pendingAsk struct {
	asker *actor.PID
	msg   any
}

func newActor(cfg *Config) *Actor {
	return &Actor{cfg: cfg, states: map[string]*storebilling.State{}, customers: map[string]string{},
		waiting: map[string][]pendingAsk{}, sending: map[string]bool{}}
}

// Receive is the actor's one switch.
func (a *Actor) Receive(ctx actor.Context) {
	var err error
	switch m := ctx.Message().(type) {
	case *actor.Started:
		if err = a.load(); err == nil {
			err = a.resend(ctx)
		}
		a.arm(ctx)
	case *Checkout:
		err = a.onHostedAsk(ctx, m.OrgID, m.OrgName, m)
	case *Portal:
		err = a.onHostedAsk(ctx, m.OrgID, "", m)
	case *customerMade:
		err = a.onCustomerMade(ctx, m)
	case *hosted:
		if m.err != nil {
			ctx.Send(m.asker, m.err)
		} else {
			ctx.Send(m.asker, &Hosted{URL: m.url})
		}
	case *Ingest:
		var res *Ingested
		res, err = a.onIngest(m.Event)
		system.Answer(ctx, res, err, a.cfg.Logger)
		return
	case *meterTick:
		if m.gen != a.gen {
			return
		}
		err = a.onTick(ctx)
		a.arm(ctx)
	case *sliceSent:
		err = a.onSliceSent(m)
	default:
		return
	}
	if err != nil {
		if ctx.Sender() != nil {
			ctx.Respond(err)
			return
		}
		a.cfg.Logger.Error("billing actor", "err", err)
	}
}

func (a *Actor) load() error {
	return a.cfg.Store.Scan(storebilling.PrefixStates, storage.ScanOptions{}, func(_, v []byte) (bool, error) {
		var st storebilling.State
		if err := storage.DecodeJSON(v, &st); err != nil {
			return false, err
		}
		a.states[st.OrgID] = &st
		if st.CustomerID != "" {
			a.customers[st.CustomerID] = st.OrgID
		}
		return true, nil
	})
}

func (a *Actor) state(org string) *storebilling.State {
	if st := a.states[org]; st != nil {
		return st
	}
	return &storebilling.State{OrgID: org}
}

// onHostedAsk opens a checkout or portal page, creating the org's customer
// first if it has none.
func (a *Actor) onHostedAsk(ctx actor.Context, org, name string, msg any) error {
	if ctx.Sender() == nil {
		return nil
	}
	st := a.state(org)
	if st.CustomerID != "" {
		a.open(ctx, ctx.Sender(), st.CustomerID, msg)
		return nil
	}
	if _, ok := msg.(*Portal); ok {
		ctx.Respond(ErrNoCustomer)
		return nil
	}
	first := len(a.waiting[org]) == 0
	a.waiting[org] = append(a.waiting[org], pendingAsk{asker: ctx.Sender(), msg: msg})
	if !first {
		return nil // a creation is already on its way
	}
	cfg, self, root := a.cfg, ctx.Self(), ctx.ActorSystem().Root
	go func() {
		pctx, cancel := context.WithTimeout(context.Background(), cfg.Timeout)
		defer cancel()
		// Our own key: a creation retried after a crash finds the customer
		// the first try made, so an org never gets two.
		id, err := cfg.Provider.CreateCustomer(pctx, CustomerRequest{OrgID: org, Name: name, IdempotencyKey: "humd-customer-" + org})
		root.Send(self, &customerMade{org: org, id: id, err: err})
	}()
	return nil
}

// open starts the provider call of a checkout or portal on a goroutine.
func (a *Actor) open(ctx actor.Context, asker *actor.PID, customer string, msg any) {
	cfg, self, root := a.cfg, ctx.Self(), ctx.ActorSystem().Root
	go func() {
		pctx, cancel := context.WithTimeout(context.Background(), cfg.Timeout)
		defer cancel()
		var url string
		var err error
		switch m := msg.(type) {
		case *Checkout:
			url, err = cfg.Provider.CreateCheckout(pctx, CheckoutRequest{OrgID: m.OrgID, CustomerID: customer, Plan: m.Plan,
				SuccessURL: cfg.PublicURL + "/billing/done?checkout=complete", CancelURL: cfg.PublicURL + "/billing/done?checkout=canceled",
				IdempotencyKey: m.IdempotencyKey})
		case *Portal:
			url, err = cfg.Provider.CreatePortal(pctx, PortalRequest{OrgID: m.OrgID, CustomerID: customer,
				ReturnURL: cfg.PublicURL + "/billing/done", IdempotencyKey: m.IdempotencyKey})
		}
		root.Send(self, &hosted{asker: asker, url: url, err: err})
	}()
}

// onCustomerMade stores the org's new customer (Sync, before any page
// names it) and opens the pages that waited for it.
func (a *Actor) onCustomerMade(ctx actor.Context, m *customerMade) error {
	waiting := a.waiting[m.org]
	delete(a.waiting, m.org)
	err := m.err
	if err == nil && m.id == "" {
		err = fmt.Errorf("%w: no customer id", ErrProviderRejected)
	}
	if err == nil {
		st := *a.state(m.org)
		st.CustomerID = m.id
		st.UpdatedAt = a.cfg.Clock.Now().UTC()
		b := a.cfg.Store.NewBatch()
		b.SetJSON(storebilling.KeyState(m.org), &st)
		b.Set(storebilling.KeyCustomer(m.id), []byte(m.org))
		if err = b.Commit(storage.Sync); err == nil {
			a.states[m.org] = &st
			a.customers[m.id] = m.org
		}
	}
	for _, w := range waiting {
		if err != nil {
			ctx.Send(w.asker, err)
			continue
		}
		a.open(ctx, w.asker, m.id, w.msg)
	}
	return nil
}

// onIngest stores a webhook event and applies it in one Sync batch.
func (a *Actor) onIngest(ev *storebilling.Event) (*Ingested, error) {
	if ev == nil || ev.ID == "" {
		return nil, storage.Invalid("id", "the event has no id")
	}
	if old, err := storebilling.GetEvent(a.cfg.Store, ev.ID); err == nil {
		return &Ingested{Outcome: old.Outcome, Duplicate: true}, nil
	} else if !errors.Is(err, storage.ErrNotFound) {
		return nil, err
	}
	now := a.cfg.Clock.Now().UTC()
	org := a.orgOf(ev)
	rec := &storebilling.EventRecord{Event: *ev, ReceivedAt: now, Outcome: storebilling.OutcomeUnmatched}
	if rec.OrgID == "" {
		rec.OrgID = org
	}
	b := a.cfg.Store.NewBatch()
	var st storebilling.State
	if org != "" {
		st = *a.state(org)
		rec.Outcome = st.Apply(ev, a.cfg.Catalog, now)
		if rec.Outcome == storebilling.OutcomeApplied {
			b.SetJSON(storebilling.KeyState(org), &st)
			if st.CustomerID != "" {
				b.Set(storebilling.KeyCustomer(st.CustomerID), []byte(org))
			}
		}
	}
	b.SetJSON(storebilling.KeyEvent(ev.ID), rec)
	if err := b.Commit(storage.Sync); err != nil {
		return nil, err
	}
	if rec.Outcome == storebilling.OutcomeApplied {
		a.states[org] = &st
		if st.CustomerID != "" {
			a.customers[st.CustomerID] = org
		}
	}
	return &Ingested{Outcome: rec.Outcome}, nil
}

// orgOf finds the org an event is about: the one it names, else the
// owner of its customer, else of its subscription.
func (a *Actor) orgOf(ev *storebilling.Event) string {
	if ev.OrgID != "" {
		return ev.OrgID
	}
	if org := a.customers[ev.CustomerID]; org != "" && ev.CustomerID != "" {
		return org
	}
	for org, st := range a.states {
		if ev.SubscriptionID != "" && st.SubscriptionID == ev.SubscriptionID {
			return org
		}
	}
	return ""
}
