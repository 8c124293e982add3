package system

import (
	"fmt"
	"log/slog"

	"github.com/asynkron/protoactor-go/actor"
)

// Answer replies to a request with reply, or with err when it is set (the
// asker's Await turns it back into an error). A message that was
// told, not asked, has nobody to answer: its error goes to log with attrs,
// or is dropped when log is nil.
func Answer(ctx actor.Context, reply any, err error, log *slog.Logger, attrs ...any) {
	if ctx.Sender() == nil {
		if err != nil && log != nil {
			log.Error("actor message failed", append(attrs, "msg", fmt.Sprintf("%T", ctx.Message()), "err", err)...)
		}
		return
	}
	if err != nil {
		ctx.Respond(err)
		return
	}
	ctx.Respond(reply)
}
