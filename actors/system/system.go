package system

import (
	"log/slog"
	"time"

	"github.com/asynkron/protoactor-go/actor"
)

// New starts the process's one actor system with protoactor's logging routed
// to logger (protoactor's default is a tint handler on stderr at INFO), and
// its Registry (RegistryOf), through which every actor is reached.
func New(logger *slog.Logger) *actor.ActorSystem {
	if logger == nil {
		logger = slog.Default()
	}
	l := logger.With("component", "actor")
	sys := actor.NewActorSystem(
		actor.WithLoggerFactory(func(*actor.ActorSystem) *slog.Logger { return l }),
		actor.WithDeadLetterThrottleCount(3),
		actor.WithDeadLetterThrottleInterval(time.Second),
	)
	sys.Extensions.Register(newRegistry(sys.Root))
	return sys
}
