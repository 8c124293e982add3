package sender

import (
	"github.com/asynkron/protoactor-go/actor"

	"github.com/humd/humd/actors/system"
	"github.com/humd/humd/storage/sms"
)

// Directory finds or spawns the sender actor of a number. Senders are few
// (one per number) and stay alive.
type Directory struct {
	Root   *actor.RootContext
	Config Config
}

// Sender answers the sender of n (conversation.Senders).
func (d *Directory) Sender(n *sms.Number) (*actor.PID, error) {
	return system.GetOrSpawn(d.Root, "sender/"+n.ID, Props(d.Config, n.MPS))
}

// SetRate tells a number's sender its new rate.
func (d *Directory) SetRate(n *sms.Number) {
	if pid, err := d.Sender(n); err == nil {
		d.Root.Send(pid, &SetRate{MPS: n.MPS})
	}
}
