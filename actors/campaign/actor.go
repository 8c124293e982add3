package campaign

import (
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/humd/humd/actors/clock"
	"github.com/humd/humd/actors/conversation"
	"github.com/humd/humd/actors/system"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/campaigns"
	"github.com/humd/humd/storage/tenancy"
)

// Deps are what every campaign actor shares; app wires the real ones.
type Deps struct {
	Store  storage.Store
	Clock  clock.Clock
	Logger *slog.Logger
	// Threads reaches the conversation actors by conversation.Ref: the
	// system.Directory (app hands it the actor system's Registry).
	Threads system.Directory
	// Org loads an org (time zone, business hours).
	Org func(orgID string) (*tenancy.Org, error)
	// Hours parses an org's business hours; nil means always open.
	Hours func(org *tenancy.Org) (conversation.QuietHours, error)
	// FlowChannel answers a flow's channel (patch validation).
	FlowChannel func(org, id string) (string, error)
	// SendTimeout bounds one ask to a conversation actor (default 30s); a
	// timed-out recipient is marked unknown, never resent.
	SendTimeout time.Duration
	// MaxInflight bounds concurrent asks per campaign (default 8).
	MaxInflight int
	// BatchSize is how many pending rows are read ahead (default 256).
	BatchSize int

	actors *system.Registry
	// observe, when set (tests), sees the read-ahead and in-flight sizes
	// after every dispatch step: the actor's memory bound.
	observe func(buffered, inflight int)
}

func (d *Deps) defaults() {
	if d.SendTimeout == 0 {
		d.SendTimeout = 30 * time.Second
	}
	if d.MaxInflight == 0 {
		d.MaxInflight = 8
	}
	if d.BatchSize == 0 {
		d.BatchSize = 256
	}
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
}

// ErrTransition is the 409 for a state change SPEC 2.9 does not allow.
func errTransition(op, status string) error {
	return storage.Conflict("invalid_transition", fmt.Sprintf("cannot %s a campaign that is %s", op, status))
}

// Actor owns one campaign.
type Actor struct {
	d     *Deps
	orgID string
	id    string
	c     *campaigns.Campaign

	gen      uint64 // timer generation
	cursor   uint64 // last recipient seq read in this pass
	buf      []*campaigns.Recipient
	deferred bool      // this pass left someone pending for their local hours
	wakeAt   time.Time // earliest opening among them
	drained  bool      // a pass ended with nobody left to send
	inflight map[uint64]bool
	received uint64
	finished int // sends answered since load, for the failure-rate check
	locs     map[string]*time.Location
}

// Props builds the actor of one campaign.
func Props(d *Deps, orgID, id string) *actor.Props {
	return system.Props(func() actor.Actor {
		return &Actor{d: d, orgID: orgID, id: id, inflight: map[uint64]bool{}, locs: map[string]*time.Location{}}
	})
}

func viaDirectory(m any) bool {
	switch m.(type) {
	case *Launch, *Pause, *Cancel, *Patch, *Resume:
		return true
	}
	return false
}

// Receive is one type switch; handlers return (reply, error).
func (a *Actor) Receive(ctx actor.Context) {
	msg := ctx.Message()
	if _, ok := msg.(*actor.Started); ok {
		return
	}
	if viaDirectory(msg) {
		a.received++
	}
	if a.c == nil {
		if err := a.load(); err != nil {
			a.answer(ctx, nil, err)
			a.passivate(ctx)
			return
		}
	}
	var (
		reply any
		err   error
	)
	switch m := msg.(type) {
	case *Launch:
		reply, err = a.onLaunch(ctx)
	case *Pause:
		reply, err = a.onPause()
	case *Cancel:
		reply, err = a.onCancel()
	case *Patch:
		reply, err = a.onPatch(m)
	case *Resume:
		err = a.dispatch(ctx)
	case *tick:
		if m.gen == a.gen {
			err = a.dispatch(ctx)
		}
	case *sendDone:
		err = a.onSendDone(ctx, m)
	default:
		return
	}
	a.answer(ctx, reply, err)
	a.passivate(ctx)
}

func (a *Actor) answer(ctx actor.Context, reply any, err error) {
	system.Answer(ctx, reply, err, a.d.Logger, "actor", "campaign", "org", a.orgID, "campaign", a.id)
}

// passivate stops an actor that has nothing to dispatch and nothing in flight.
func (a *Actor) passivate(ctx actor.Context) {
	if a.c != nil && campaigns.Active(a.c.Status) || len(a.inflight) > 0 || a.d.actors == nil {
		return
	}
	if a.d.actors.Passivate(Ref(a.orgID, a.id), ctx.Self(), a.received) {
		ctx.Stop(ctx.Self())
	}
}

// load reads the campaign and repairs what a crash left: rows still
// "sending" (their ask's outcome is unknown) become unknown, and a cancelled
// campaign's pending rows become cancelled.
func (a *Actor) load() error {
	c, err := campaigns.Get(a.d.Store, a.orgID, a.id)
	if err != nil {
		return err
	}
	if c.Status != campaigns.Draft {
		now := a.now()
		b := a.d.Store.NewBatch()
		n := 0
		err := campaigns.ScanRecipients(a.d.Store, a.orgID, a.id, 0, func(r *campaigns.Recipient) (bool, error) {
			switch {
			case r.Status == campaigns.RSending:
				r.Status, r.Error, r.UpdatedAt = campaigns.RUnknown, "humd stopped while this text was being handed to the provider", &now
			case r.Status == campaigns.RPending && c.Status == campaigns.Cancelled:
				r.Status, r.UpdatedAt = campaigns.RCancelled, &now
			default:
				return true, nil
			}
			campaigns.PutRecipient(b, a.orgID, a.id, r)
			n++
			return true, nil
		})
		if err != nil {
			b.Discard()
			return err
		}
		if n > 0 {
			if err := b.Commit(storage.Sync); err != nil {
				return err
			}
		} else {
			b.Discard()
		}
	}
	a.c = c
	return nil
}

// commit writes the campaign (and whatever else b holds) and adopts c.
func (a *Actor) commit(b *storage.Batch, c *campaigns.Campaign) (*campaigns.Campaign, error) {
	campaigns.Put(b, c)
	if err := b.Commit(storage.Sync); err != nil {
		return nil, err
	}
	a.c = c
	out := *c
	return &out, nil
}

// reset forgets the dispatch pass and invalidates armed timers.
func (a *Actor) reset() {
	a.gen++
	a.cursor, a.buf, a.deferred, a.wakeAt, a.drained = 0, nil, false, time.Time{}, false
}

func (a *Actor) onLaunch(ctx actor.Context) (*campaigns.Campaign, error) {
	if a.c.Status != campaigns.Draft && a.c.Status != campaigns.Paused {
		return nil, errTransition("launch", a.c.Status)
	}
	now := a.now()
	c := *a.c
	c.Status, c.LaunchedAt, c.UpdatedAt, c.PauseReason = campaigns.Queued, &now, now, ""
	out, err := a.commit(a.d.Store.NewBatch(), &c)
	if err != nil {
		return nil, err
	}
	a.reset()
	if err := a.dispatch(ctx); err != nil {
		return nil, err
	}
	*out = *a.c
	return out, nil
}

func (a *Actor) onPause() (*campaigns.Campaign, error) {
	if !campaigns.Active(a.c.Status) {
		return nil, errTransition("pause", a.c.Status)
	}
	c := *a.c
	c.Status, c.UpdatedAt = campaigns.Paused, a.now()
	a.reset()
	return a.commit(a.d.Store.NewBatch(), &c)
}

// onCancel marks every pending row cancelled with the campaign, in one batch.
func (a *Actor) onCancel() (*campaigns.Campaign, error) {
	if campaigns.Terminal(a.c.Status) {
		return nil, errTransition("cancel", a.c.Status)
	}
	now := a.now()
	b := a.d.Store.NewBatch()
	err := campaigns.ScanRecipients(a.d.Store, a.orgID, a.id, 0, func(r *campaigns.Recipient) (bool, error) {
		if r.Status == campaigns.RPending {
			r.Status, r.UpdatedAt = campaigns.RCancelled, &now
			campaigns.PutRecipient(b, a.orgID, a.id, r)
		}
		return true, nil
	})
	if err != nil {
		b.Discard()
		return nil, err
	}
	c := *a.c
	c.Status, c.UpdatedAt, c.FinishedAt = campaigns.Cancelled, now, &now
	a.reset()
	return a.commit(b, &c)
}

func (a *Actor) onPatch(m *Patch) (*campaigns.Campaign, error) {
	if a.c.Status != campaigns.Draft && a.c.Status != campaigns.Paused {
		return nil, storage.Conflict("not_editable", "a campaign can be edited only while draft or paused (it is "+a.c.Status+")")
	}
	c, err := campaigns.ApplyPatch(a.c, m.In, campaigns.Checks{Store: a.d.Store, FlowChannel: a.d.FlowChannel, Admin: m.Admin}, a.now())
	if err != nil {
		return nil, err
	}
	if c.BodyTemplate != a.c.BodyTemplate {
		if c.Warnings, err = campaigns.Warnings(a.d.Store, a.orgID, a.id, c.BodyTemplate); err != nil {
			return nil, err
		}
	}
	return a.commit(a.d.Store.NewBatch(), c)
}

func (a *Actor) now() time.Time { return a.d.Clock.Now().UTC() }

// arm schedules the next dispatch after d (at least a millisecond), replacing
// any armed one.
func (a *Actor) arm(ctx actor.Context, d time.Duration) {
	a.gen++
	system.SendAfter(ctx, a.d.Clock, max(d, time.Millisecond), &tick{gen: a.gen})
}

var errNoNumber = errors.New("campaign: the sending number is gone or has SMS disabled")
