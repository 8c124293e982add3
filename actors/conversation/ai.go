package conversation

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/humd/humd/actors/ai"
	"github.com/humd/humd/actors/system"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/phone"
	"github.com/humd/humd/storage/sms"
)

// AIFlow is what the AI needs of an SMS flow (adapted from storage/flows by
// the wiring, so this package does not depend on the flow API's shape).
type AIFlow struct {
	ID           string
	Name         string
	Channel      string
	SystemPrompt string
	Model        string
	Config       SMSConfig
	// Builtins allow-lists the built-in tools (tools_json.builtin); nil
	// offers them all.
	Builtins []string
}

// allows reports whether the flow lets its agent use the built-in tool.
func (f *AIFlow) allows(name string) bool {
	return f.Builtins == nil || slices.Contains(f.Builtins, name)
}

// SMSConfig is a flow's sms_config_json with defaults filled (SPEC 1.10).
type SMSConfig struct {
	MaxReplyChars       int
	DebounceMS          int
	MaxTurnsPerWindow   int
	MaxMessagesPerRun   int
	MaxPendingFollowups int
	MaxToolCallsPerTurn int
	FallbackMessage     string
	ReplyAfterHours     bool
}

// turnWindow is the rolling window of max_turns_per_window (A6: fixed, 10 min).
const turnWindow = 10 * time.Minute

// runState is the one AI run in flight.
type runState struct {
	rec        *sms.Run
	flow       *AIFlow
	batch      []*sms.Message
	closeAfter bool
	assigned   bool
	outcome    []byte
	// seen is the thread's newest messages as buildTurn read them, oldest
	// first; repeatedReply adds only the ones stored after them.
	seen []*sms.Message
}

// debounceFired is the debounce timer; stale generations are ignored.
type debounceFired struct{ gen uint64 }

// toolCall carries one of the model's function calls from the run's worker
// into the mailbox; the worker waits on reply, the actor never waits.
type toolCall struct {
	call  ai.ToolCall
	reply chan<- ai.ToolOutcome
}

// runDone carries the model's result back into the mailbox.
type runDone struct {
	res *ai.Result
	err error
}

type inboundMark struct {
	body string
	at   time.Time
}

// aiFlow answers the flow that should answer this thread, if any (SPEC 2.2
// step 7: a flow override from a campaign or transfer, else the number's
// sms_flow_id when sms_enabled).
func (a *Actor) aiFlow(n *sms.Number) (*AIFlow, error) {
	if a.d.Model == nil || a.d.Flow == nil || a.conv == nil {
		return nil, nil
	}
	id := ""
	if o := a.conv.Override(a.now()); o != nil {
		id = *o
	} else if n.SMSEnabled && n.SMSFlowID != nil {
		id = *n.SMSFlowID
	}
	if id == "" {
		return nil, nil
	}
	f, err := a.d.Flow(a.orgID, id)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, nil
	}
	if err != nil || f.Channel != "sms" {
		return nil, err
	}
	return f, nil
}

// considerAI runs after an inbound text is durable: if the thread is eligible
// (SPEC 2.2 step 7, 2.5 rule 10), the text joins the pending batch and the
// debounce timer is re-armed.
func (a *Actor) considerAI(ctx actor.Context, msg *sms.Message, kind string, blocked, optedOut bool) error {
	if kind != "" || blocked || optedOut || a.conv.AIPaused || a.conv.AssigneeUserID != nil {
		return nil // keywords, blocked, opted-out, paused and human-owned threads never run
	}
	// The flow first: most numbers have none, and it is the cheaper question.
	n, err := a.number()
	if err != nil {
		return err
	}
	flow, err := a.aiFlow(n)
	if err != nil || flow == nil {
		return err
	}
	if phone.Sender(msg.From) != "e164" || (a.d.OwnNumber != nil && a.d.OwnNumber(msg.From)) {
		return nil // short codes, sender ids and humd's own numbers (no bot-to-bot loops)
	}
	if held, err := sms.IsOptOutSuspected(a.d.Store, a.orgID, a.e164); err != nil || held {
		return err // the contact may have asked to stop on another of the org's numbers
	}
	now := a.now()
	if a.autoResponder(msg.Body, now) {
		return a.pauseAI(sms.AIPausedAutoResponder)
	}
	if len(a.pending) == 0 {
		a.firstPending = now
	}
	a.pending = append(a.pending, msg)
	if a.run == nil {
		a.armDebounce(ctx, flow, now)
	}
	return nil
}

// autoResponder is anti-loop guard (d): the same text three times in ten
// minutes looks like a machine, not a person.
func (a *Actor) autoResponder(body string, now time.Time) bool {
	norm := strings.ToLower(strings.Join(strings.Fields(body), " "))
	keep := a.recentInbound[:0]
	same := 1
	for _, m := range a.recentInbound {
		if now.Sub(m.at) < turnWindow {
			keep = append(keep, m)
			if m.body == norm {
				same++
			}
		}
	}
	a.recentInbound = append(keep, inboundMark{body: norm, at: now})
	return same >= 3
}

func (a *Actor) pauseAI(reason string) error {
	c := *a.conv
	c.AIPaused, c.AIPausedReason, c.UpdatedAt = true, reason, a.now()
	a.pending = nil
	_, err := a.commit(a.d.Store.NewBatch(), &c)
	if err == nil {
		a.logger().Info("ai paused", "reason", reason)
	}
	return err
}

// armDebounce (re)starts the quiet-period timer: debounce_ms after the last
// text, but never later than the starvation guard max(10s, 5 x debounce)
// after the first unanswered one (SPEC 2.4).
func (a *Actor) armDebounce(ctx actor.Context, flow *AIFlow, now time.Time) {
	d := time.Duration(flow.Config.DebounceMS) * time.Millisecond
	guard := max(10*time.Second, 5*d)
	wait := min(d, a.firstPending.Add(guard).Sub(now))
	a.debGen++
	system.SendAfter(ctx, a.d.Clock, max(wait, 0), &debounceFired{gen: a.debGen})
}

// onDebounce starts a run over the pending batch, unless the caps say no.
func (a *Actor) onDebounce(ctx actor.Context, m *debounceFired) error {
	if m.gen != a.debGen || a.run != nil || len(a.pending) == 0 || a.conv == nil {
		return nil
	}
	n, err := a.number()
	if err != nil {
		return err
	}
	flow, err := a.aiFlow(n)
	if err != nil {
		return err
	}
	batch := a.pending
	a.pending = nil
	now := a.now()
	rec := &sms.Run{ID: storage.NewID("run"), OrgID: a.orgID, ConversationID: a.conv.ID, StartedAt: now,
		InboundMessageIDs: ids(batch), ToolCalls: []sms.RunTool{}, OutboundMessageIDs: []string{}}
	if flow == nil || a.conv.AIPaused || a.conv.AssigneeUserID != nil || a.conv.Status == sms.StatusClosed {
		rec.Status, rec.Error = sms.RunSkipped, "not eligible any more"
		return a.saveRun(rec, nil)
	}
	rec.FlowID = flow.ID
	if a.d.MayRunAI != nil {
		if err := a.d.MayRunAI(a.orgID); err != nil {
			rec.Status, rec.Error = sms.RunSkipped, "billing: "+err.Error()
			return a.saveRun(rec, nil)
		}
	}
	recent, err := a.runWindow(now)
	if err != nil {
		return err
	}
	counted := 0
	for _, r := range recent {
		if r.status != sms.RunCapped && r.status != sms.RunSkipped {
			counted++
		}
	}
	if counted >= flow.Config.MaxTurnsPerWindow {
		// Over the cap: no model call, no fallback (it would feed the loop);
		// the AI pauses and the thread waits for a person (A7).
		rec.Status, rec.Error = sms.RunCapped, fmt.Sprintf("%d runs in the last 10 minutes", counted)
		c := *a.conv
		c.AIPaused, c.AIPausedReason, c.UpdatedAt = true, sms.AIPausedCapped, now
		return a.saveRun(rec, &c)
	}
	a.run = &runState{rec: rec, flow: flow, batch: batch}
	turn, err := a.buildTurn(flow, batch)
	if err != nil {
		a.run = nil
		return err
	}
	a.startWorker(ctx, turn)
	return nil
}

func ids(ms []*sms.Message) []string {
	out := make([]string, 0, len(ms))
	for _, m := range ms {
		out = append(out, m.ID)
	}
	return out
}

// buildTurn gathers the history (the last 30 texts before the batch), the
// batch and the built-in tools.
func (a *Actor) buildTurn(flow *AIFlow, batch []*sms.Message) (*ai.Turn, error) {
	// One read serves the history and, kept in the run, repeatedReply's
	// look back over the last replyLookback texts.
	seen, err := sms.RecentMessages(a.d.Store, a.orgID, a.conv.ID, max(replyLookback, 30+len(batch)))
	if err != nil {
		return nil, err
	}
	if a.run != nil {
		a.run.seen = seen
	}
	recent := seen[max(0, len(seen)-(30+len(batch))):]
	first := batch[0].Seq
	t := &ai.Turn{OrgID: a.orgID, Model: flow.Model, MaxToolCalls: flow.Config.MaxToolCallsPerTurn,
		MaxReplyChars: flow.Config.MaxReplyChars, Timeout: a.d.RunTimeout}
	for _, tool := range builtinTools() {
		if flow.allows(tool.Name) {
			t.Tools = append(t.Tools, tool)
		}
	}
	t.Instructions = strings.TrimSpace(flow.SystemPrompt + "\n\n" + smsGuide(flow.Config.MaxReplyChars))
	for _, m := range recent {
		if m.Seq >= first || m.Body == "" || m.Status == sms.MsgOptedOut || m.Status == sms.MsgBlocked {
			continue
		}
		role := "user"
		if m.Direction == sms.Outbound {
			role = "assistant"
		}
		t.History = append(t.History, ai.Message{Role: role, Text: m.Body})
	}
	for _, m := range batch {
		t.Input = append(t.Input, m.Body)
	}
	return t, nil
}

func smsGuide(limit int) string {
	return fmt.Sprintf("You are replying by SMS. Write plain text (no markdown), one short message of at most %d characters. "+
		"If you cannot help, hand off to a person with assign_to_human rather than leaving the contact stuck.", limit)
}

// startWorker runs the model off the mailbox; tool calls come back in as
// toolCall messages, the result as runDone. The flow's external (MCP) tools
// are listed and run on the worker too, since they block on the network;
// their outcome still passes through the mailbox to join the run record.
func (a *Actor) startWorker(ctx actor.Context, turn *ai.Turn) {
	self, root, model, timeout := ctx.Self(), ctx.ActorSystem().Root, a.d.Model, a.d.RunTimeout
	w := &ai.Worker{External: a.d.External, Now: a.d.Clock.Now, Logger: a.logger(), FlowID: a.run.flow.ID,
		Subject: ai.Subject{Type: ai.SubjectConversation, ID: a.conv.ID},
		Ask: func(call ai.ToolCall, reply chan<- ai.ToolOutcome) {
			root.Send(self, &toolCall{call: call, reply: reply})
		}}
	go func() {
		cctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		w.AddTools(cctx, turn)
		res, err := model.Run(cctx, turn, w.Exec(turn.OrgID))
		root.Send(self, &runDone{res: res, err: err})
	}()
}
