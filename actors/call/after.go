package call

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/humd/humd/actors/ai"
	"github.com/humd/humd/actors/call/live"
	"github.com/humd/humd/storage/calls"
)

// summaryPrompt asks for the post-call record (SPEC 2.13 step 5). ai.Turn's
// Purpose lets the built-in local model answer it without a provider.
const summaryPrompt = `You review finished phone calls. Read the transcript and answer only a JSON object:
{"summary": "two or three sentences", "key_points": ["..."], "next_actions": ["..."],
 "outcome_label": "a short snake_case label such as appointment_booked, question_answered, callback_requested, transferred, no_resolution",
 "outcome": {any structured details worth keeping}}`

// finalize closes the call: final status and times, call.completed, the end
// of the live stream, then the summary on a worker.
func (a *Actor) finalize(ctx actor.Context, reason string) error {
	if a.finalized || a.call == nil {
		return nil
	}
	if t := a.stopTurn(""); t != nil && t.Text != "" {
		if err := a.saveTurn(t); err != nil {
			return err
		}
	}
	if a.out != nil {
		a.out.Close()
		a.out = nil
	}
	now := a.now()
	c := *a.call
	if !c.Ended() {
		c.Status = calls.StatusCompleted
	}
	if c.EndedAt == nil {
		c.EndedAt = &now
	}
	if from := c.AnsweredAt; c.DurationS == 0 {
		if from == nil && c.Route != RouteConnect {
			from = &c.StartedAt // Twilio's TwiML (the message, the beep) answered at once
		}
		if from != nil {
			c.DurationS = int(c.EndedAt.Sub(*from).Seconds())
		}
	}
	if c.EndReason == "" {
		c.EndReason = reason
		if c.Transfer != nil && c.Route == RouteConnect { // not a voicemail after an unanswered transfer
			c.EndReason = "transfer"
		}
	}
	c.TurnCount = int(a.turnSeq)
	b := a.d.Store.NewBatch()
	if err := a.event(b, c.OrgID, calls.EvCallCompleted, map[string]any{"call": &c}); err != nil {
		return err
	}
	if err := a.save(b, &c); err != nil {
		return err
	}
	a.finalized = true
	a.publish(live.Ended, map[string]any{"status": c.Status, "reason": c.EndReason, "duration_s": c.DurationS})
	if a.turnSeq == 0 || a.d.Model == nil || c.Route != RouteConnect {
		a.summarized = true
		return nil
	}
	a.startSummary(ctx)
	return nil
}

func (a *Actor) startSummary(ctx actor.Context) {
	turns, err := calls.Turns(a.d.Store, a.call.OrgID, a.call.ID)
	if err != nil {
		a.logger().Error("call summary: transcript", "err", err)
		a.summarized = true
		return
	}
	var sb strings.Builder
	for _, t := range turns {
		text := t.Text
		if t.Interrupted {
			text = t.Heard + " [interrupted]"
		}
		fmt.Fprintf(&sb, "%s: %s\n", t.Role, text)
	}
	model := ""
	if a.flow != nil {
		model = a.flow.Model
	}
	turn := &ai.Turn{OrgID: a.call.OrgID, Model: model, Instructions: summaryPrompt, Input: []string{sb.String()},
		Timeout: a.d.SummaryTimeout, Purpose: ai.PurposeSummary}
	self, root, m, timeout := ctx.Self(), ctx.ActorSystem().Root, a.d.Model, a.d.SummaryTimeout
	go func() {
		cctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		res, err := m.Run(cctx, turn, func(context.Context, ai.ToolCall) (string, error) {
			return "", fmt.Errorf("no tools while summarizing")
		})
		root.Send(self, &summaryDone{res: res, err: err})
	}()
}

type summaryJSON struct {
	Summary      string          `json:"summary"`
	KeyPoints    []string        `json:"key_points"`
	NextActions  []string        `json:"next_actions"`
	OutcomeLabel string          `json:"outcome_label"`
	Outcome      json.RawMessage `json:"outcome"`
}

// onSummaryDone stores the summary and outcome and fires call.outcome. An
// outcome the agent reported during the call wins over the extracted one.
func (a *Actor) onSummaryDone(m *summaryDone) error {
	if a.summarized || a.call == nil {
		return nil
	}
	a.summarized = true
	c := *a.call
	var s summaryJSON
	if m.err != nil || m.res == nil || json.Unmarshal([]byte(stripFence(m.res.Text)), &s) != nil || s.Summary == "" {
		a.logger().Warn("call summary unusable", "err", m.err)
		s = summaryJSON{Summary: "No summary: the model did not answer one.", OutcomeLabel: "unknown"}
	}
	c.Summary = &calls.Summary{Text: s.Summary, KeyPoints: nonNil(s.KeyPoints), NextActions: nonNil(s.NextActions)}
	if m.res != nil {
		c.AIUsage.Add(m.res.Usage) // the summary is billed like a turn
	}
	if c.OutcomeLabel == "" {
		c.OutcomeLabel = s.OutcomeLabel
		// The outcome is stored verbatim, so it is held to the JSON input limits.
		if len(s.Outcome) > 0 && string(s.Outcome) != "null" && outcomeFits(s.Outcome) {
			c.Outcome = s.Outcome
		}
	}
	b := a.d.Store.NewBatch()
	if err := a.event(b, c.OrgID, calls.EvCallOutcome, map[string]any{"call_id": c.ID, "flow_id": c.FlowID,
		"outcome_label": c.OutcomeLabel, "outcome": c.Outcome, "summary": c.Summary}); err != nil {
		return err
	}
	return a.save(b, &c)
}

func stripFence(s string) string {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(s, "```json")
	s = strings.TrimPrefix(s, "```")
	s = strings.TrimSuffix(s, "```")
	if i, j := strings.Index(s, "{"), strings.LastIndex(s, "}"); i >= 0 && j > i {
		s = s[i : j+1]
	}
	return s
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
