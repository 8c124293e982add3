package conversation

import (
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/humd/humd/actors/system"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/sms"
)

// Directory is the only way to reach a thread's actor: it spawns actors on
// demand and counts messages so an idle actor can passivate without losing
// one (see system.Directory).
type Directory struct {
	Root *actor.RootContext
	Deps *Deps
	dir  *system.Directory
}

// NewDirectory fills Deps' defaults and answers a directory over them.
func NewDirectory(root *actor.RootContext, d *Deps) *Directory {
	d.defaults()
	dir := &Directory{Root: root, Deps: d, dir: system.NewDirectory(root, "conv")}
	d.dir = dir
	return dir
}

func threadKey(numberID, e164 string) string { return numberID + "/" + e164 }

func (d *Directory) props(orgID, numberID, e164 string) func() *actor.Props {
	return func() *actor.Props { return Props(d.Deps, orgID, numberID, e164) }
}

// Tell posts msg to the thread's actor without waiting.
func (d *Directory) Tell(orgID, numberID, e164 string, msg any) {
	d.dir.Tell(threadKey(numberID, e164), d.props(orgID, numberID, e164), msg)
}

// Request posts msg to the thread's actor and answers the future of its reply.
func (d *Directory) Request(orgID, numberID, e164 string, msg any, timeout time.Duration) *actor.Future {
	return d.dir.Request(threadKey(numberID, e164), d.props(orgID, numberID, e164), msg, timeout)
}

func (d *Directory) passivate(numberID, e164 string, pid *actor.PID, received uint64) bool {
	return d.dir.Passivate(threadKey(numberID, e164), pid, received)
}

// Live counts the threads that have an actor now.
func (d *Directory) Live() int { return d.dir.Live() }

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
