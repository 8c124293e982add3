package conversation

import (
	"github.com/asynkron/protoactor-go/actor"

	"github.com/humd/humd/actors/system"
)

// Directory finds or spawns the actor of a thread.
type Directory struct {
	Root *actor.RootContext
	Deps *Deps
}

// NewDirectory fills Deps' defaults and answers a directory over them.
func NewDirectory(root *actor.RootContext, d *Deps) *Directory {
	d.defaults()
	return &Directory{Root: root, Deps: d}
}

// PID answers the live actor of (org, number, contact), spawning it if idle.
func (d *Directory) PID(orgID, numberID, e164 string) (*actor.PID, error) {
	return system.GetOrSpawn(d.Root, Name(numberID, e164), Props(d.Deps, orgID, numberID, e164))
}
