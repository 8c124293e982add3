package ai

import (
	"context"
	"log/slog"
	"time"
)

// Worker is the part of a model turn that runs on an actor's AI worker
// goroutine, off the mailbox: listing and calling the flow's external tools
// (they block on the network) and waiting for the actor's answer to every
// other tool call. The SMS conversation and the voice call actors share it.
type Worker struct {
	External ExternalTools // nil: built-in tools only
	Now      func() time.Time
	Logger   *slog.Logger
	FlowID   string
	Subject  Subject
	// Ask delivers a call to the owning actor, which runs it in its mailbox
	// (or, when call.Done is set, only records the outcome) and answers once
	// on reply.
	Ask func(call ToolCall, reply chan<- ToolOutcome)
}

// AddTools appends the flow's external tools to t; a failure is logged and
// the turn goes on with the tools it has.
func (w *Worker) AddTools(ctx context.Context, t *Turn) {
	if w.External == nil {
		return
	}
	tools, err := w.External.Tools(ctx, t.OrgID, w.FlowID)
	if err != nil {
		w.Logger.Warn("external tools unavailable", "subject", w.Subject.ID, "err", err)
	}
	t.Tools = append(t.Tools, tools...)
}

// Exec is a turn's ToolExec: an external tool runs here and its outcome goes
// to the actor to be recorded; any other call goes to the actor to run.
func (w *Worker) Exec(orgID string) ToolExec {
	return func(ctx context.Context, call ToolCall) (string, error) {
		if w.External != nil {
			start := w.Now()
			out, handled, err := w.External.Call(ctx, orgID, w.FlowID, w.Subject, call)
			if handled {
				call.Done = &ToolOutcome{Out: out, Err: err, Millis: w.Now().Sub(start).Milliseconds()}
			}
		}
		reply := make(chan ToolOutcome, 1)
		w.Ask(call, reply)
		select {
		case r := <-reply:
			return r.Out, r.Err
		case <-ctx.Done():
			return "", ctx.Err()
		}
	}
}
