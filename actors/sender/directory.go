package sender

import (
	"github.com/asynkron/protoactor-go/actor"

	"github.com/humd/humd/actors/system"
	"github.com/humd/humd/storage/sms"
)

// Kind is the sender actors' kind in the system.Directory; a sender's id is
// its number's id.
const Kind system.Kind = "sender"

// Ref is the identity of a number's sender.
func Ref(numberID string) system.Ref { return system.Ref{Kind: Kind, ID: numberID} }

// Directory reaches the sender actor of a number through the actor system's
// system.Registry. Senders are few (one per number) and stay alive; one is
// spawned by the first message for its number, which carries the number's
// rate.
type Directory struct {
	reg *system.Registry
}

// NewDirectory registers the sender kind, built from cfg.
func NewDirectory(root *actor.RootContext, cfg Config) *Directory {
	reg := system.RegistryOf(root.ActorSystem())
	reg.Register(Kind, func(numberID string) *actor.Props {
		return system.Props(func() actor.Actor {
			c := cfg.defaults()
			c.Logger = c.Logger.With("actor", "sender", "number", numberID)
			return &Actor{cfg: c, waiting: queueDepth.WithLabelValues(numberID)}
		})
	})
	return &Directory{reg: reg}
}

// Enqueue hands e to n's sender (conversation.Senders).
func (d *Directory) Enqueue(n *sms.Number, e *Enqueue) {
	e.MPS = n.MPS
	d.reg.Tell(Ref(n.ID), e)
}

// SetRate tells a number's sender its new rate.
func (d *Directory) SetRate(n *sms.Number) {
	d.reg.Tell(Ref(n.ID), &SetRate{MPS: n.MPS})
}
