package system

import (
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/humd/humd/actors/clock"
)

// SendAfter delivers msg to the calling actor's own mailbox after d on c.
// Timers are how actors wait (debounce, passivation, polling, retries): the
// callback only posts a message, so the state it concerns is touched in
// Receive. Messages carry a generation so a re-armed timer makes older ones
// stale.
func SendAfter(ctx actor.Context, c clock.Clock, d time.Duration, msg any) {
	self, root := ctx.Self(), ctx.ActorSystem().Root
	c.AfterFunc(d, func() { root.Send(self, msg) })
}
