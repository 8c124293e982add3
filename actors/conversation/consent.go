package conversation

import (
	"strings"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/humd/humd/actors/system"
	"github.com/humd/humd/storage/sms"
)

// ConsentKind is the kind of the consent actors: one per (org, contact
// E.164), the writer of a person's opt-outs and opt-ins of that contact
// (the API's, and later the console's). A contact's consent spans every
// number of the org, and the contact may have no thread at all (an org can
// opt out a number it never texted, or have no number yet), so no thread
// actor is its natural owner; this actor is, and it tells the threads.
const ConsentKind system.Kind = "consent"

// ConsentRef is the identity of the consent actor of (org, contact).
func ConsentRef(orgID, e164 string) system.Ref {
	return system.Ref{Kind: ConsentKind, ID: orgID + "/" + e164}
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
	d        *Deps
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
		a.idle.Touch(ctx, a.d.Clock, a.d.IdleAfter)
		return
	case *system.IdleTick:
		if a.idle.Fired(ctx, a.d.Clock, m, a.d.IdleAfter) && a.d.actors.Passivate(a.ref, ctx.Self(), a.received) {
			ctx.Stop(ctx.Self())
		}
		return
	case *OptOut:
		a.received++
		reply, err = a.onOptOut(m)
	case *OptIn:
		a.received++
		err = sms.RemoveOptOut(a.d.Store, a.orgID, a.e164, m.Source, a.d.Clock.Now().UTC())
		reply = &OptedIn{}
	default:
		return
	}
	system.Answer(ctx, reply, err, a.d.Logger, "actor", "consent", "org", a.orgID, "contact", a.e164)
	a.idle.Touch(ctx, a.d.Clock, a.d.IdleAfter)
}

func (a *consentActor) onOptOut(m *OptOut) (*OptOutResult, error) {
	o, created, err := sms.AddOptOut(a.d.Store, a.orgID, sms.ListEntry{E164: a.e164, Reason: m.Reason}, m.Source, a.d.Clock.Now().UTC())
	if err != nil {
		return nil, err
	}
	if created {
		// Each thread owns its schedule: tell them all (SPEC 2.6, STOP
		// cancels the contact's pending scheduled messages; a person's
		// opt-out does the same). A text that comes due first still meets
		// the opt-out in the send pipeline.
		if err := a.d.dir.OptedOut(a.orgID, a.e164, ""); err != nil {
			return nil, err
		}
	}
	return &OptOutResult{OptOut: o, Created: created}, nil
}

func registerConsent(reg *system.Registry, d *Deps) {
	reg.Register(ConsentKind, func(id string) *actor.Props {
		orgID, e164, _ := strings.Cut(id, "/")
		return system.Props(func() actor.Actor {
			return &consentActor{d: d, ref: ConsentRef(orgID, e164), orgID: orgID, e164: e164}
		})
	})
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
	return system.Await[*OptOutResult](d.reg.Request(ConsentRef(orgID, in.E164), msg, timeout), msg)
}

// OptIn lifts e164's opt-out through the contact's consent actor;
// storage.ErrNotFound when it was not opted out.
func (d *Directory) OptIn(orgID, e164, source string, timeout time.Duration) error {
	msg := &OptIn{Source: source}
	_, err := system.Await[*OptedIn](d.reg.Request(ConsentRef(orgID, e164), msg, timeout), msg)
	return err
}
