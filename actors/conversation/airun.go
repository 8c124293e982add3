package conversation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/humd/humd/actors/ai"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/events"
	"github.com/humd/humd/storage/sms"
)

// builtinTools are the SMS tools every SMS flow has (SPEC 1.10).
func builtinTools() []ai.Tool {
	obj := func(req []string, props map[string]any) map[string]any {
		return map[string]any{"type": "object", "properties": props, "required": req, "additionalProperties": false}
	}
	s := map[string]any{"type": "string"}
	return []ai.Tool{
		{Name: "assign_to_human", Description: "Hand the thread to a person: pauses the AI after this reply.",
			Parameters: obj([]string{"reason"}, map[string]any{"reason": s, "assignee_user_id": s})},
		{Name: "close_conversation", Description: "Close the thread after this reply.",
			Parameters: obj(nil, map[string]any{"reason": s})},
		{Name: "transfer_sms_to_flow", Description: "Let another SMS flow answer the contact's next text.",
			Parameters: obj([]string{"flow_id"}, map[string]any{"flow_id": s, "note": s})},
		{Name: "schedule_followup_sms", Description: "Schedule a follow-up text (1 minute to 30 days ahead). Give send_at (ISO 8601) or delay_minutes.",
			Parameters: obj([]string{"body"}, map[string]any{"body": s, "send_at": s, "delay_minutes": map[string]any{"type": "integer"}})},
		{Name: "lookup_knowledge", Description: "Search the organization's knowledge base; answers the best passages.",
			Parameters: obj([]string{"query"}, map[string]any{"query": s})},
		{Name: "report_outcome", Description: "Record a structured outcome of this conversation.",
			Parameters: obj([]string{"outcome"}, map[string]any{"outcome": s, "data": map[string]any{"type": "object"}})},
	}
}

// onToolCall executes one of the model's calls inside the mailbox, so tools
// act on the thread's state in order with everything else. Calls arrive one
// at a time because the worker waits for each answer. A call that already
// ran on the worker (an external tool) is only recorded.
func (a *Actor) onToolCall(m *toolCall) {
	start := a.now()
	var out string
	var err error
	var millis int64
	if d := m.call.Done; d != nil {
		out, err, millis = d.Out, d.Err, d.Millis
	} else {
		out, err = a.tool(m.call)
		millis = a.now().Sub(start).Milliseconds()
	}
	if a.run != nil {
		rt := sms.RunTool{Name: m.call.Name, Args: m.call.Arguments, Result: summary(out), Millis: millis}
		if err != nil {
			rt.Error = err.Error()
		}
		a.run.rec.ToolCalls = append(a.run.rec.ToolCalls, rt)
	}
	m.reply <- ai.ToolOutcome{Out: out, Err: err}
}

func summary(s string) string {
	if len(s) > 500 {
		return s[:500] + "…"
	}
	return s
}

func (a *Actor) tool(call ai.ToolCall) (string, error) {
	if a.run == nil || a.conv == nil {
		return "", errors.New("no run in progress")
	}
	var args map[string]any
	if err := json.Unmarshal([]byte(call.Arguments), &args); err != nil {
		return "", fmt.Errorf("arguments are not a JSON object: %w", err)
	}
	str := func(k string) string { v, _ := args[k].(string); return v }
	now := a.now()
	if !a.run.flow.allows(call.Name) {
		// Offered tools only, but a model may still name another.
		return "", fmt.Errorf("tool %q is not enabled for this flow", call.Name)
	}
	switch call.Name {
	case "assign_to_human":
		c := *a.conv
		c.AIPaused, c.AIPausedReason, c.UpdatedAt = true, sms.AIPausedHandoff, now
		b := a.d.Store.NewBatch()
		if id := str("assignee_user_id"); id != "" {
			if ok, _ := a.d.Store.Has(storage.Key("member", a.orgID, id)); !ok {
				b.Discard()
				return "", errors.New("assignee_user_id is not a member of the org")
			}
			c.AssigneeUserID = &id
			if _, err := events.Append(a.d.Store, b, a.orgID, events.ConvAssigned, now, map[string]any{
				"conversation": &c, "assignee": id, "assigned_by": "ai", "reason": str("reason")}); err != nil {
				b.Discard()
				return "", err
			}
		}
		if err := a.cancelPending(b, sms.SourceAIFollowup, "human_takeover", now); err != nil {
			b.Discard()
			return "", err
		}
		if _, err := a.commit(b, &c); err != nil {
			return "", err
		}
		a.run.assigned = true
		return `{"ok":true,"status":"assigned"}`, nil
	case "close_conversation":
		a.run.closeAfter = true
		return `{"ok":true,"status":"will_close_after_reply"}`, nil
	case "transfer_sms_to_flow":
		id := str("flow_id")
		f, err := a.d.Flow(a.orgID, id)
		if err != nil || f.Channel != "sms" {
			return "", errors.New("flow_id must be an SMS flow of this org")
		}
		c := *a.conv
		c.FlowOverrideID, c.FlowOverrideUntil, c.UpdatedAt = &id, nil, now
		if _, err := a.commit(a.d.Store.NewBatch(), &c); err != nil {
			return "", err
		}
		return `{"ok":true,"status":"transferred"}`, nil
	case "schedule_followup_sms":
		return a.followup(args, now)
	case "lookup_knowledge":
		if a.d.Knowledge == nil {
			return `{"passages":[]}`, nil
		}
		return a.d.Knowledge(a.orgID, str("query"), 3)
	case "report_outcome":
		if str("outcome") == "" {
			return "", errors.New("outcome is required")
		}
		a.run.outcome = []byte(call.Arguments)
		return `{"ok":true}`, nil
	}
	return "", fmt.Errorf("unknown tool %q", call.Name)
}

// followup schedules an ai_followup text, refused past max_pending_followups.
func (a *Actor) followup(args map[string]any, now time.Time) (string, error) {
	body, _ := args["body"].(string)
	if n := utf8.RuneCountInString(body); n == 0 || n > a.run.flow.Config.MaxReplyChars {
		return "", fmt.Errorf("body must be 1 to %d characters", a.run.flow.Config.MaxReplyChars)
	}
	var at time.Time
	switch {
	case args["send_at"] != nil:
		s, _ := args["send_at"].(string)
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			return "", errors.New("send_at must be an ISO 8601 time")
		}
		at = t
	case args["delay_minutes"] != nil:
		d, ok := args["delay_minutes"].(float64)
		if !ok {
			return "", errors.New("delay_minutes must be an integer")
		}
		at = now.Add(time.Duration(d) * time.Minute)
	default:
		return "", errors.New("give send_at or delay_minutes")
	}
	if at.Before(now.Add(time.Minute)) || at.After(now.Add(30*24*time.Hour)) {
		return "", errors.New("the follow-up must be between 1 minute and 30 days ahead")
	}
	pending, err := sms.PendingScheduled(a.d.Store, a.orgID, a.conv.ID)
	if err != nil {
		return "", err
	}
	n := 0
	for _, sc := range pending {
		if sc.Source == sms.SourceAIFollowup {
			n++
		}
	}
	if n >= a.run.flow.Config.MaxPendingFollowups {
		return "", fmt.Errorf("max_pending_followups reached (%d pending); no follow-up scheduled", n)
	}
	if next, closed, err := a.quietAt(at); err != nil {
		return "", err
	} else if closed {
		at = next // follow-ups honour quiet hours: moved to the next open minute
	}
	res, err := a.schedule(&Send{Body: body, HonorQuietHours: true, Author: sms.Author{Type: "ai", ID: a.run.flow.ID},
		Source: sms.SourceAIFollowup}, at, sms.SourceAIFollowup, now)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf(`{"ok":true,"scheduled_message_id":%q,"send_at":%q}`, res.Scheduled.ID, res.Scheduled.SendAt.Format(time.RFC3339)), nil
}

// onRunDone sends the run's reply (or the fallback) through the send
// pipeline, applies close-after-reply, and records the run.
func (a *Actor) onRunDone(ctx actor.Context, m *runDone) error {
	r := a.run
	a.run = nil
	if r == nil {
		return nil
	}
	defer a.rearm(ctx, r.flow)
	now := a.now()
	rec := r.rec
	if m.res != nil {
		rec.Model = m.res.Model
		rec.Usage = m.res.Usage
	}
	text := ""
	if m.err == nil && m.res != nil {
		text = cleanReply(m.res.Text, r.flow.Config.MaxReplyChars)
	}
	if m.err != nil {
		rec.Error = m.err.Error()
	}
	if a.conv.AIPaused && !r.assigned {
		rec.Status, rec.Error = sms.RunSkipped, "a person took over during the run"
		return a.saveRun(rec, nil)
	}
	rec.Status = sms.RunCompleted
	if text == "" {
		rec.Status = sms.RunFailed
		if rec.Error == "" {
			rec.Error = "empty reply"
		}
		fb := cleanReply(r.flow.Config.FallbackMessage, r.flow.Config.MaxReplyChars)
		used, err := a.fallbackUsed(now)
		if err != nil {
			return err
		}
		if fb == "" || used {
			return a.saveRun(rec, nil)
		}
		rec.Status, text = sms.RunFallback, fb
	}
	if dup, err := a.repeatedReply(text, now, r.seen); err != nil {
		return err
	} else if dup {
		rec.Status, rec.Error = sms.RunSkipped, "identical reply sent in the last 10 minutes"
		return a.saveRun(rec, nil)
	}
	res, err := a.onSend(ctx, &Send{Body: text, HonorQuietHours: !r.flow.Config.ReplyAfterHours,
		Author: sms.Author{Type: "ai", ID: r.flow.ID}, Source: "ai"}, nil)
	switch {
	case err != nil:
		rec.Status, rec.Error = sms.RunFailed, err.Error()
	case res.Message != nil:
		rec.OutboundMessageIDs = append(rec.OutboundMessageIDs, res.Message.ID)
		rec.Reply = text
	case res.Scheduled != nil:
		rec.OutboundMessageIDs = append(rec.OutboundMessageIDs, res.Scheduled.ID)
		rec.Reply = text
	}
	if r.outcome != nil {
		rec.Outcome = r.outcome
	}
	if err := a.saveRun(rec, nil); err != nil {
		return err
	}
	if r.closeAfter {
		_, err := a.onClose(&Close{By: sms.Author{Type: "ai", ID: r.flow.ID}})
		return err
	}
	return nil
}

// rearm starts a new debounce for texts that arrived during the run.
func (a *Actor) rearm(ctx actor.Context, flow *AIFlow) {
	if len(a.pending) > 0 && a.run == nil {
		now := a.now()
		if a.firstPending.IsZero() || a.firstPending.After(now) {
			a.firstPending = now
		}
		a.armDebounce(ctx, flow, now)
	}
}

// saveRun writes the run record (and the thread, when it changed) in one batch.
func (a *Actor) saveRun(rec *sms.Run, c *sms.Conversation) error {
	if _, err := a.runWindow(rec.StartedAt); err != nil {
		return err
	}
	a.runSeq++
	rec.Seq, rec.EndedAt = a.runSeq, a.now()
	b := a.d.Store.NewBatch()
	b.SetJSON(sms.KeyRun(a.orgID, rec.ConversationID, rec.Seq), rec)
	if rec.Outcome != nil {
		if _, err := events.Append(a.d.Store, b, a.orgID, "conversation.outcome", rec.EndedAt, map[string]any{
			"conversation_id": rec.ConversationID, "run_id": rec.ID, "outcome": json.RawMessage(rec.Outcome)}); err != nil {
			b.Discard()
			return err
		}
	}
	var err error
	if c != nil {
		_, err = a.commit(b, c)
	} else {
		err = b.Commit(storage.Sync)
	}
	if err == nil {
		a.runs = append(a.runs, runMark{started: rec.StartedAt, status: rec.Status})
		level := slog.LevelDebug
		if rec.Status == sms.RunFailed || rec.Status == sms.RunFallback {
			level = slog.LevelWarn
		}
		a.logger().Log(context.Background(), level, "ai run", "run", rec.ID, "status", rec.Status, "error", rec.Error)
	}
	return err
}

func (a *Actor) fallbackUsed(now time.Time) (bool, error) {
	runs, err := a.runWindow(now)
	if err != nil {
		return false, err
	}
	for _, r := range runs {
		if r.status == sms.RunFallback {
			return true, nil
		}
	}
	return false, nil
}

// replyLookback is how many of the newest texts repeatedReply looks at.
const replyLookback = 50

// repeatedReply is anti-loop guard (e): never send the same AI text to the
// same contact twice in ten minutes.
func (a *Actor) repeatedReply(text string, now time.Time, seen []*sms.Message) (bool, error) {
	var recent []*sms.Message
	if seen != nil {
		// The messages buildTurn read, plus the ones stored since (inbound
		// during the run); bodies, authors and times never change.
		recent = seen
		opts := storage.ScanOptions{}
		if len(recent) > 0 {
			opts.After = sms.KeyMsg(a.orgID, a.conv.ID, recent[len(recent)-1].Seq)
		}
		err := a.d.Store.Scan(sms.PrefixMsgs(a.orgID, a.conv.ID), opts, func(_, v []byte) (bool, error) {
			var m sms.Message
			if err := storage.DecodeJSON(v, &m); err != nil {
				return false, err
			}
			recent = append(recent, &m)
			return true, nil
		})
		if err != nil {
			return false, err
		}
		recent = recent[max(0, len(recent)-replyLookback):]
	} else {
		var err error
		if recent, err = sms.RecentMessages(a.d.Store, a.orgID, a.conv.ID, replyLookback); err != nil {
			return false, err
		}
	}
	for _, m := range recent {
		if m.Direction == sms.Outbound && m.Author.Type == "ai" && m.Body == text && now.Sub(m.CreatedAt) < turnWindow {
			return true, nil
		}
	}
	return false, nil
}

// cleanReply strips markdown emphasis and cuts to limit at a word boundary
// with an ellipsis (A26); never split into several texts.
func cleanReply(s string, limit int) string {
	s = strings.NewReplacer("**", "", "__", "", "`", "").Replace(strings.TrimSpace(s))
	if limit <= 0 || utf8.RuneCountInString(s) <= limit {
		return s
	}
	r := []rune(s)[:limit-1]
	cut := string(r)
	if i := strings.LastIndexAny(cut, " \n\t"); i > limit/2 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,;:") + "…"
}

// quietAt is quiet for an arbitrary instant.
func (a *Actor) quietAt(t time.Time) (time.Time, bool, error) { return a.quiet(t) }

// runMark is what the rate cap and the fallback guard need of a run.
type runMark struct {
	started time.Time
	status  string
}

// runWindow answers the thread's runs started in the last turnWindow before
// now. The first call loads them and the last run seq from
// storage; later calls only drop marks that left the window.
func (a *Actor) runWindow(now time.Time) ([]runMark, error) {
	if !a.runsLoaded {
		recent, err := sms.RecentRuns(a.d.Store, a.orgID, a.conv.ID, now.Add(-turnWindow), 600)
		if err != nil {
			return nil, err
		}
		seq, err := sms.LastRunSeq(a.d.Store, a.orgID, a.conv.ID)
		if err != nil {
			return nil, err
		}
		a.runs = a.runs[:0]
		for i := len(recent) - 1; i >= 0; i-- {
			a.runs = append(a.runs, runMark{started: recent[i].StartedAt, status: recent[i].Status})
		}
		a.runSeq, a.runsLoaded = seq, true
	}
	since := now.Add(-turnWindow)
	kept := a.runs[:0]
	for _, r := range a.runs {
		if !r.started.Before(since) {
			kept = append(kept, r)
		}
	}
	a.runs = kept
	return a.runs, nil
}
