package conversation

import (
	"strings"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/humd/humd/actors/system"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/sms"
)

// Kind is the conversation actors' kind in the system.Directory.
const Kind system.Kind = "conv"

// Ref is the identity of the thread (org, our number, contact E.164).
func Ref(orgID, numberID, e164 string) system.Ref {
	return system.Ref{Kind: Kind, ID: orgID + "/" + numberID + "/" + e164}
}

// splitRef parses a Ref's id; the contact comes last and may hold a '/'.
func splitRef(id string) (orgID, numberID, e164 string) {
	orgID, rest, _ := strings.Cut(id, "/")
	numberID, e164, _ = strings.Cut(rest, "/")
	return orgID, numberID, e164
}

// Directory reaches threads' actors through the actor system's
// system.Registry, by Ref: it registers the conversation kind, and its
// methods are Tell and Request with the thread named by its parts. The
// registry spawns actors on demand and counts messages so an idle actor can
// passivate without losing one.
type Directory struct {
	Root *actor.RootContext
	Deps *Deps
	reg  *system.Registry
}

// NewDirectory fills Deps' defaults, registers the conversation kind and
// answers a directory over them.
func NewDirectory(root *actor.RootContext, d *Deps) *Directory {
	d.defaults()
	reg := system.RegistryOf(root.ActorSystem())
	dir := &Directory{Root: root, Deps: d, reg: reg}
	d.dir, d.actors = dir, reg
	reg.Register(Kind, func(id string) *actor.Props {
		orgID, numberID, e164 := splitRef(id)
		return Props(d, orgID, numberID, e164)
	})
	return dir
}

// Tell posts msg to the thread's actor without waiting.
func (d *Directory) Tell(orgID, numberID, e164 string, msg any) {
	d.reg.Tell(Ref(orgID, numberID, e164), msg)
}

// Request posts msg to the thread's actor and answers the future of its reply.
func (d *Directory) Request(orgID, numberID, e164 string, msg any, timeout time.Duration) *actor.Future {
	return d.reg.Request(Ref(orgID, numberID, e164), msg, timeout)
}

// Live counts the threads that have an actor now.
func (d *Directory) Live() int { return d.reg.Live(Kind) }

// OptedOut tells every thread the org has with e164, except the one on
// exceptNumber ("" for none), that the contact opted out (STOP, or on a
// call), so each cancels its pending
// scheduled texts (SPEC 2.6: STOP cancels "that contact's pending scheduled
// messages"). Each thread owns its schedule, hence a message rather than a
// write here; a text that comes due first still meets the opt-out.
func (d *Directory) OptedOut(orgID, e164, exceptNumber string) error {
	st := d.Deps.Store
	return st.Scan(sms.PrefixNumbers(orgID), storage.ScanOptions{}, func(_, v []byte) (bool, error) {
		var n sms.Number
		if err := storage.DecodeJSON(v, &n); err != nil {
			return false, err
		}
		if n.ID == exceptNumber {
			return true, nil
		}
		if ok, err := st.Has(sms.KeyConvPair(n.ID, e164)); err != nil || !ok {
			return err == nil, err
		}
		d.Tell(orgID, n.ID, e164, &OptedOut{})
		return true, nil
	})
}
