package consent

import (
	"log/slog"
	"strings"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/humd/humd/actors/clock"
	"github.com/humd/humd/actors/conversation"
	"github.com/humd/humd/actors/system"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/sms"
)

// Kind is the kind of the consent actors: one per (org, contact E.164).
const Kind system.Kind = "consent"

// Ref is the identity of the consent actor of (org, contact).
func Ref(orgID, e164 string) system.Ref {
	return system.Ref{Kind: Kind, ID: orgID + "/" + e164}
}

// OptOut opts the consent actor's contact out of the org's texts and calls
// (idempotent: a second one changes nothing). Answered with *OptOutResult.
type OptOut struct {
	Reason string
	Source string // sms.OptOutSourceAPI, ...
}

// OptOutResult answers OptOut: the record in force, and whether this
// message created it (and so fired sms.opt_out).
type OptOutResult struct {
	OptOut  *sms.OptOut
	Created bool
}

// OptIn lifts the contact's opt-out and fires sms.opt_in. Answered with
// *OptedIn, or storage.ErrNotFound when the contact was not opted out.
type OptIn struct{ Source string }

// OptedIn answers OptIn.
type OptedIn struct{}

// consentActor serializes a person's opt-outs and opt-ins of one contact:
// the record and its event are written here, so a repeated opt-out is one
// record and one sms.opt_out, and a new opt-out tells every thread of the
// contact to cancel its pending scheduled texts. The keyword path (STOP and
// START, inside a thread's inbound batch) writes the same family from the
// thread, since it must commit with the inbound text.
type consentActor struct {
	d        *Directory
	ref      system.Ref
	orgID    string
	e164     string
	idle     system.IdleTimer
	received uint64
}

func (a *consentActor) Receive(ctx actor.Context) {
	var (
		reply any
		err   error
	)
	switch m := ctx.Message().(type) {
	case *actor.Started:
		a.idle.Touch(ctx, a.d.clock, a.d.idleAfter)
		return
	case *system.IdleTick:
		if a.idle.Fired(ctx, a.d.clock, m, a.d.idleAfter) && a.d.reg.Passivate(a.ref, ctx.Self(), a.received) {
			ctx.Stop(ctx.Self())
		}
		return
	case *OptOut:
		a.received++
		reply, err = a.onOptOut(m)
	case *OptIn:
		a.received++
		err = sms.RemoveOptOut(a.d.store, a.orgID, a.e164, m.Source, a.d.clock.Now().UTC())
		reply = &OptedIn{}
	default:
		return
	}
	system.Answer(ctx, reply, err, a.d.log, "actor", "consent", "org", a.orgID, "contact", a.e164)
	a.idle.Touch(ctx, a.d.clock, a.d.idleAfter)
}

func (a *consentActor) onOptOut(m *OptOut) (*OptOutResult, error) {
	o, created, err := sms.AddOptOut(a.d.store, a.orgID, sms.ListEntry{E164: a.e164, Reason: m.Reason}, m.Source, a.d.clock.Now().UTC())
	if err != nil {
		return nil, err
	}
	if created {
		// Each thread owns its schedule: tell them all (SPEC 2.6, STOP
		// cancels the contact's pending scheduled messages; a person's
		// opt-out does the same). A text that comes due first still meets
		// the opt-out in the send pipeline.
		if err := a.d.threads.OptedOut(a.orgID, a.e164, ""); err != nil {
			return nil, err
		}
	}
	return &OptOutResult{OptOut: o, Created: created}, nil
}

// Directory is the door to the consent actors, beside the threads they
// tell.
type Directory struct {
	threads   *conversation.Directory
	reg       *system.Registry
	store     storage.Store
	clock     clock.Clock
	log       *slog.Logger
	idleAfter time.Duration
}

// NewDirectory registers the consent kind in threads' actor system and
// answers its door. Consent actors share the threads' store, clock, log and
// idle time.
func NewDirectory(threads *conversation.Directory) *Directory {
	td := threads.Deps
	d := &Directory{threads: threads, reg: system.RegistryOf(threads.Root.ActorSystem()), store: td.Store, clock: td.Clock,
		log: td.Logger, idleAfter: td.IdleAfter}
	d.reg.Register(Kind, func(id string) *actor.Props {
		orgID, e164, _ := strings.Cut(id, "/")
		return system.Props(func() actor.Actor {
			return &consentActor{d: d, ref: Ref(orgID, e164), orgID: orgID, e164: e164}
		})
	})
	return d
}

// OptOut opts in.E164 out of the org's texts and calls through the
// contact's consent actor, with source (sms.OptOutSourceAPI, ...). It
// answers the record in force and whether this call created it; the
// contact's threads cancel their pending scheduled texts.
func (d *Directory) OptOut(orgID string, in sms.ListEntry, source string, timeout time.Duration) (*OptOutResult, error) {
	if err := in.Check(); err != nil {
		return nil, err
	}
	msg := &OptOut{Reason: in.Reason, Source: source}
	return system.Await[*OptOutResult](d.reg.Request(Ref(orgID, in.E164), msg, timeout), msg)
}

// OptIn lifts e164's opt-out through the contact's consent actor;
// storage.ErrNotFound when it was not opted out.
func (d *Directory) OptIn(orgID, e164, source string, timeout time.Duration) error {
	msg := &OptIn{Source: source}
	_, err := system.Await[*OptedIn](d.reg.Request(Ref(orgID, e164), msg, timeout), msg)
	return err
}
