package call

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/humd/humd/actors/ai"
	"github.com/humd/humd/actors/call/live"
	"github.com/humd/humd/actors/system"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/calls"
	"github.com/humd/humd/storage/flows"
)

// msgTrouble is spoken when a turn fails before any word was said.
const msgTrouble = "Sorry, I'm having trouble right now. Could you say that again?"

// voiceGuide tells the model it is on the phone.
const voiceGuide = `# Voice
You are speaking with a caller on a phone call; your words are read aloud. Answer in one to three short spoken sentences.
No markdown, lists, emojis or URLs. Ask one question at a time. Use the tools when they help: end_call when the caller is
done, transfer_call when they ask for a person or another department, report_outcome once the purpose of the call is clear,
opt_out as soon as they ask in any words not to be called or texted again (then confirm it once, and send no text).`

// onAttach binds the relay socket to the call; the greeting Twilio speaks
// from the TwiML is the transcript's first agent line.
func (a *Actor) onAttach(ctx actor.Context, m *Attach) (*Attached, error) {
	if a.call == nil {
		return nil, fmt.Errorf("call %s: %w", a.id, storage.ErrNotFound)
	}
	if a.finalized || a.call.Route != RouteConnect {
		return nil, storage.Conflict("call_not_live", "the call is over or is not answered by an agent")
	}
	if a.out != nil && a.out != m.Out {
		a.out.Close()
	}
	a.out = m.Out
	a.detachGen++
	c := *a.call
	if statusRank(c.Status) < statusRank(calls.StatusInProgress) {
		now := a.now()
		c.Status, c.AnsweredAt = calls.StatusInProgress, &now
	}
	b := a.d.Store.NewBatch()
	first := a.turnSeq == 0
	if first && a.flow != nil && Greeting(a.flow) != "" {
		a.addTurn(b, &calls.Turn{Role: "agent", Text: Greeting(a.flow), FlowID: a.flow.ID})
	}
	if err := a.save(b, &c); err != nil {
		return nil, err
	}
	a.setState(&c)
	if !a.hooked {
		a.startHooks(ctx)
	}
	return &Attached{Call: a.call}, nil
}

// RecordingNotice is said first when a flow announces recording.
const RecordingNotice = "This call may be recorded."

// Greeting is what the agent says first: the flow's greeting, after the
// recording notice when the flow announces recording.
func Greeting(f *flows.Flow) string {
	if f.AnnounceRecording {
		return strings.TrimSpace(RecordingNotice + " " + f.Greeting)
	}
	return f.Greeting
}

// addTurn numbers a transcript line, puts it in b and in the model's history,
// and shows it on the live stream.
func (a *Actor) addTurn(b *storage.Batch, t *calls.Turn) {
	a.turnSeq++
	t.Seq, t.At = a.turnSeq, a.now()
	calls.PutTurn(b, a.call.OrgID, a.call.ID, t)
	a.history = appendHistory(a.history, t)
	a.last = t
	a.publish(live.Final, t)
}

// saveTurn writes one transcript line on its own, with the call's counters.
func (a *Actor) saveTurn(t *calls.Turn) error { return a.saveTurnUsage(t, nil) }

// saveTurnUsage records a transcript line and, with the agent's line, the
// tokens of the model run that said it, in the same write (saveLater: the
// next prompt does not wait for its fsync).
func (a *Actor) saveTurnUsage(t *calls.Turn, res *ai.Result) error {
	b := a.d.Store.NewBatch()
	a.addTurn(b, t)
	c := *a.call
	c.TurnCount = int(a.turnSeq)
	if res != nil {
		c.AIUsage.Add(res.Usage)
	}
	return a.saveLater(b, &c)
}

// startHooks runs the pre-call hooks concurrently within the budget; the
// ones that have not answered by then are dropped (SPEC 2.13).
func (a *Actor) startHooks(ctx actor.Context) {
	if len(a.d.PreCall) == 0 {
		a.hooked = true
		return
	}
	self, root := ctx.Self(), ctx.ActorSystem().Root
	hooks, budget, c := a.d.PreCall, a.d.PreCallBudget, *a.call
	go func() {
		cctx, cancel := context.WithTimeout(context.Background(), budget)
		defer cancel()
		results := make([]string, len(hooks))
		var wg sync.WaitGroup
		var mu sync.Mutex
		for i, h := range hooks {
			wg.Add(1)
			go func() {
				defer wg.Done()
				out, err := h(cctx, &c)
				if err == nil && cctx.Err() == nil {
					mu.Lock()
					results[i] = strings.TrimSpace(out)
					mu.Unlock()
				}
			}()
		}
		done := make(chan struct{})
		go func() { wg.Wait(); close(done) }()
		select {
		case <-done:
		case <-cctx.Done():
		}
		mu.Lock()
		var parts []string
		for _, r := range results {
			if r != "" {
				parts = append(parts, r)
			}
		}
		mu.Unlock()
		root.Send(self, &hooksDone{context: strings.Join(parts, "\n")})
	}()
}

func (a *Actor) onHooksDone(ctx actor.Context, m *hooksDone) error {
	if a.hooked {
		return nil
	}
	a.hooked = true
	if m.context != "" && a.call != nil {
		c := *a.call
		c.CallerContext = m.context
		if err := a.save(a.d.Store.NewBatch(), &c); err != nil {
			return err
		}
	}
	if a.waiting > 0 && !a.finalized {
		k := a.waiting
		a.waiting = 0
		a.startTurn(ctx, k)
	}
	return nil
}

// onPrompt records what the caller said and answers it. A final prompt
// while the agent is still talking cuts the agent off first.
func (a *Actor) onPrompt(ctx actor.Context, m *Prompt) error {
	text := strings.TrimSpace(m.Text)
	if !m.Last || text == "" || a.out == nil || a.finalized {
		return nil
	}
	return a.callerLine(ctx, &calls.Turn{Role: "caller", Text: text})
}

func (a *Actor) onDTMF(ctx actor.Context, m *DTMF) error {
	if a.out == nil || a.finalized || m.Digit == "" {
		return nil
	}
	return a.callerLine(ctx, &calls.Turn{Role: "system", Text: fmt.Sprintf("The caller pressed %s on the keypad.", m.Digit)})
}

// callerLine records what cut the agent off (if it was talking), then the
// caller's line, and answers it. The model turn starts first, and the line
// is applied without waiting for its fsync (saveLater): the request, the
// fsync and the first tokens overlap instead of adding up.
func (a *Actor) callerLine(ctx actor.Context, t *calls.Turn) error {
	if err := a.recordStopped(a.stopTurn("")); err != nil {
		return err
	}
	b := a.d.Store.NewBatch()
	a.addTurn(b, t)
	a.answerCaller(ctx)
	c := *a.call
	c.TurnCount = int(a.turnSeq)
	return a.saveLater(b, &c)
}

// answerCaller starts a turn for the newest line, or holds it until the
// pre-call hooks are done.
func (a *Actor) answerCaller(ctx actor.Context) {
	if !a.hooked {
		a.waiting++
		return
	}
	k := a.waiting + 1
	a.waiting = 0
	a.startTurn(ctx, k)
}

// onInterrupt cancels the turn in flight and records what the caller heard.
// Twilio's speech lags the token stream, so the usual interrupt comes after
// the model has finished: then the agent's last line, already written, is
// what gets cut (SPEC C.3.8).
func (a *Actor) onInterrupt(m *Interrupt) error {
	if a.turn != nil {
		return a.recordStopped(a.stopTurn(m.Heard))
	}
	return a.cutLast(m.Heard)
}

// cutLast marks the agent's last line interrupted with what the caller heard,
// and puts only that in the model's history: the next turn must not build on
// words the caller never heard. An interrupt without an utterance tells
// nothing and changes nothing.
func (a *Actor) cutLast(heard string) error {
	t := a.last
	if t == nil || t.Role != "agent" || t.Interrupted || strings.TrimSpace(heard) == "" || a.call == nil || a.finalized {
		return nil
	}
	cut := *t
	cut.Interrupted, cut.Heard = true, heard
	b := a.d.Store.NewBatch()
	calls.PutTurn(b, a.call.OrgID, a.call.ID, &cut)
	if err := a.commitLater(b); err != nil {
		return err
	}
	a.last = &cut
	// appendHistory added the line's text as the newest assistant message.
	if n := len(a.history); n > 0 && a.history[n-1].Role == "assistant" {
		a.history[n-1].Text = heard
	}
	a.publish(live.Final, &cut)
	return nil
}

// stopTurn cancels the turn in flight; it answers the interrupted agent line
// (nil if none) for the caller to record.
func (a *Actor) stopTurn(heard string) *calls.Turn {
	ts := a.turn
	if ts == nil {
		return nil
	}
	ts.cancel()
	a.turn = nil
	said := ts.spoken.String()
	if heard == "" {
		heard = said
	}
	return &calls.Turn{Role: "agent", Text: said, Interrupted: true, Heard: heard, FlowID: ts.flowID}
}

func (a *Actor) recordStopped(t *calls.Turn) error {
	if t == nil || t.Text == "" {
		return nil
	}
	if err := a.saveTurn(t); err != nil {
		return err
	}
	return a.applyPending()
}

// startTurn hands the newest k lines to the model on a worker. Tokens come
// back as delta messages, tool calls as toolCall, the end as turnDone. The
// flow's external (MCP) tools are listed and run on the worker; their
// outcome comes in as a toolCall that is only recorded.
func (a *Actor) startTurn(ctx actor.Context, k int) {
	if a.flow == nil || a.d.Model == nil || k <= 0 || k > len(a.history) {
		return
	}
	a.gen++
	gen := a.gen
	cctx, cancel := context.WithTimeout(context.Background(), a.d.TurnTimeout)
	a.turn = &turnState{gen: gen, cancel: cancel, flowID: a.flow.ID, started: a.now()}
	self, root, model := ctx.Self(), ctx.ActorSystem().Root, a.d.Model
	w := &ai.Worker{External: a.d.External, Now: a.d.Clock.Now, Logger: a.logger(), FlowID: a.flow.ID,
		Subject: ai.Subject{Type: ai.SubjectCall, ID: a.call.ID},
		Ask: func(call ai.ToolCall, reply chan<- ai.ToolOutcome) {
			root.Send(self, &toolCall{gen: gen, call: call, reply: reply})
		}}
	n := len(a.history)
	input := make([]string, 0, k)
	for _, h := range a.history[n-k:] {
		input = append(input, h.Text)
	}
	turn := &ai.Turn{OrgID: a.call.OrgID, Model: a.flow.Model, Instructions: a.instructions(),
		History: append([]ai.Message(nil), a.history[:n-k]...), Input: input, Tools: a.turnTools(),
		MaxToolCalls: a.d.MaxToolCalls, Timeout: a.d.TurnTimeout,
		OnDelta: func(text string) { root.Send(self, &delta{gen: gen, text: text}) }}
	go func() {
		defer cancel()
		w.AddTools(cctx, turn) // the flow's external tools: listed and run here, off the mailbox
		res, err := model.Run(cctx, turn, w.Exec(turn.OrgID))
		root.Send(self, &turnDone{gen: gen, res: res, err: err})
	}()
}

func (a *Actor) instructions() string {
	var sb strings.Builder
	sb.WriteString(strings.TrimSpace(a.flow.SystemPrompt))
	sb.WriteString("\n\n")
	sb.WriteString(voiceGuide)
	if a.call.CallerContext != "" {
		sb.WriteString("\n\n# Caller Context\n")
		sb.WriteString(a.call.CallerContext)
	}
	fmt.Fprintf(&sb, "\n\n# Call\nDirection: %s. Caller: %s.", a.call.Direction, a.call.From)
	if a.call.Direction == "outbound" {
		fmt.Fprintf(&sb, " You called %s.", a.call.To)
	}
	if len(a.call.TaskContext) > 0 && string(a.call.TaskContext) != "null" {
		sb.WriteString("\n\n# Task\nThis call has a purpose; work toward it:\n")
		sb.Write(a.call.TaskContext)
	}
	return sb.String()
}

func (a *Actor) onDelta(m *delta) {
	if a.turn == nil || m.gen != a.turn.gen || a.out == nil {
		return
	}
	if a.turn.spoken.Len() == 0 {
		observeSince(firstToken, a.turn.started, a.now())
	}
	a.turn.spoken.WriteString(m.text)
	a.out.Text(m.text, false)
	a.publish(live.Delta, map[string]any{"role": "agent", "text": m.text})
}

// onTurnDone closes the agent's line: the last token, the transcript line,
// then what the agent asked for (hang up, transfer, switch agents).
func (a *Actor) onTurnDone(_ actor.Context, m *turnDone) error {
	ts := a.turn
	if ts == nil || m.gen != ts.gen {
		// Cut off earlier and recorded then, but an answer that still came
		// was billed: its tokens count.
		return a.addUsage(m.res)
	}
	a.turn = nil
	ts.cancel()
	observeSince(turnSeconds, ts.started, a.now())
	said := ts.spoken.String()
	switch {
	case m.err != nil && said == "":
		a.logger().Warn("call turn failed", "err", m.err)
		said = msgTrouble
		a.say(said)
	case said == "" && m.res != nil:
		said = m.res.Text // a model that does not stream
		a.say(said)
	default:
		if a.out != nil {
			a.out.Text("", true)
		}
	}
	if err := a.saveTurnUsage(&calls.Turn{Role: "agent", Text: said, FlowID: ts.flowID}, m.res); err != nil {
		return err
	}
	return a.applyPending()
}

// addUsage adds a late turn's tokens to the call record on their own; a
// result with no tokens (the local model, a failed run) writes nothing.
func (a *Actor) addUsage(res *ai.Result) error {
	if res == nil || res.Usage.IsZero() || a.call == nil {
		return nil
	}
	c := *a.call
	c.AIUsage.Add(res.Usage)
	return a.save(a.d.Store.NewBatch(), &c)
}

func (a *Actor) say(text string) {
	if a.out != nil {
		a.out.Text(text, true)
	}
}

// applyPending carries out an agent's hang-up or transfer once its words are
// out; the transfer itself is the <Dial> Twilio asks for at the action URL.
func (a *Actor) applyPending() error {
	if a.out == nil {
		return nil
	}
	switch {
	case a.call.Transfer != nil && !a.transferSent:
		a.transferSent = true
		a.out.End(map[string]any{"reason": "transfer", "label": a.call.Transfer.Label, "e164": a.call.Transfer.E164})
	case a.endAfter != nil:
		a.out.End(a.endAfter)
		a.endAfter = nil
	case a.switched != "":
		text := a.switched
		a.switched = ""
		a.say(text)
		return a.saveTurn(&calls.Turn{Role: "agent", Text: text, FlowID: a.flow.ID})
	}
	return nil
}

// onDetach notes the socket is gone; Twilio's final status closes the call,
// or the grace timer does if it never comes.
func (a *Actor) onDetach(ctx actor.Context, m *Detach) {
	if m.Out != a.out || a.out == nil {
		return
	}
	a.out = nil
	_ = a.recordStopped(a.stopTurn(""))
	if a.finalized {
		return
	}
	a.armDetach(ctx, a.d.DetachGrace)
}

// armDetach closes a call with no socket after d unless the socket (re)opens
// or Twilio's final status comes first: a caller whose socket never opened,
// or closed without a status callback, must not keep a live call (and its
// actor) forever.
func (a *Actor) armDetach(ctx actor.Context, d time.Duration) {
	a.detachGen++
	system.SendAfter(ctx, a.d.Clock, d, &detachTimeout{gen: a.detachGen})
}

func (a *Actor) onDetachTimeout(ctx actor.Context, m *detachTimeout) error {
	if m.gen != a.detachGen || a.out != nil || a.finalized || a.call == nil {
		return nil
	}
	if a.call.Transfer != nil {
		return nil // the caller is on the transferred leg; its status ends the call
	}
	if a.call.AnsweredAt == nil {
		c := *a.call
		c.Status, c.EndReason = calls.StatusFailed, "relay_never_connected"
		if err := a.save(a.d.Store.NewBatch(), &c); err != nil {
			return err
		}
	}
	return a.finalize(ctx, "relay_closed")
}

// marshal is json.Marshal for tool answers, which are always encodable.
func marshal(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
