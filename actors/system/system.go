package system

import (
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/asynkron/protoactor-go/actor"
)

// New starts the process's one actor system with protoactor's logging routed
// to logger (protoactor's default is a tint handler on stderr at INFO).
func New(logger *slog.Logger) *actor.ActorSystem {
	if logger == nil {
		logger = slog.Default()
	}
	l := logger.With("component", "actor")
	return actor.NewActorSystem(
		actor.WithLoggerFactory(func(*actor.ActorSystem) *slog.Logger { return l }),
		actor.WithDeadLetterThrottleCount(3),
		actor.WithDeadLetterThrottleInterval(time.Second),
	)
}

// GetOrSpawn returns the live actor registered under name, spawning it from
// props if there is none. protoactor's SpawnNamed answers ErrNameExists with the
// existing PID, which makes this a race-free get-or-create.
func GetOrSpawn(root *actor.RootContext, name string, props *actor.Props) (*actor.PID, error) {
	pid, err := root.SpawnNamed(props, name)
	if errors.Is(err, actor.ErrNameExists) {
		return pid, nil
	}
	if err != nil {
		return nil, fmt.Errorf("spawn %s: %w", name, err)
	}
	return pid, nil
}
