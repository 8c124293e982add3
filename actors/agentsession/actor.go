package agentsession

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/humd/humd/actors/ai"
	"github.com/humd/humd/actors/clock"
	"github.com/humd/humd/actors/system"
	"github.com/humd/humd/storage"
)

var errNotActive = storage.Conflict("session_not_active", "Session is not active")

// Chat is what an agent_chat reply needs: the flow's instructions and model.
type Chat struct {
	Instructions string
	Model        string
}

// Deps are shared by every session actor.
type Deps struct {
	Store  storage.Store
	Clock  clock.Clock
	Logger *slog.Logger
	Model  ai.Model
	// Knowledge answers the lookup_knowledge tool (nil: no tools).
	Knowledge func(orgID, query string, k int) (string, error)
	// Chat loads the flow behind a session for agent_chat replies.
	Chat      func(orgID, flowID string) (*Chat, error)
	IdleAfter time.Duration
	// IdleLimit is the sweeper's bound (Config.IdleLimit): an idle End is
	// dropped when the session had activity within it.
	IdleLimit time.Duration
	actors    *system.Registry
}

// Actor owns one session: its record and the order of its messages.
type Actor struct {
	d        *Deps
	org      string
	id       uint64
	s        *Session
	idle     system.IdleTimer
	received uint64
	// waiting is the request whose answer waits for the model.
	waiting *actor.PID
	posted  *Message
}

func (a *Actor) Receive(ctx actor.Context) {
	switch ctx.Message().(type) {
	case *actor.Started:
		a.armIdle(ctx)
		return
	case *Get, *Post, *End:
		a.received++
	}
	if a.s == nil {
		s, err := load(a.d.Store, a.org, a.id)
		if err != nil {
			a.answer(ctx, nil, fmt.Errorf("session %d: %w", a.id, err))
			return
		}
		a.s = s
	}
	var (
		reply any
		err   error
	)
	switch m := ctx.Message().(type) {
	case *Get:
		reply = a.copy()
	case *Post:
		p, e := a.onPost(ctx, m)
		if p == nil && e == nil {
			return // answered when the model replies
		}
		reply, err = p, e
	case *End:
		reply, err = a.onEnd(m)
	case *replyDone:
		a.onReply(ctx, m)
		return
	case *system.IdleTick:
		if a.idle.Fired(ctx, a.d.Clock, m, a.d.IdleAfter) && a.waiting == nil && a.d.actors.Passivate(Ref(a.org, a.id), ctx.Self(), a.received) {
			ctx.Stop(ctx.Self())
		}
		return
	default:
		return
	}
	a.answer(ctx, reply, err)
	a.armIdle(ctx)
}

func (a *Actor) answer(ctx actor.Context, reply any, err error) {
	system.Answer(ctx, reply, err, nil)
}

func (a *Actor) copy() *Session { s := *a.s; return &s }

func (a *Actor) armIdle(ctx actor.Context) { a.idle.Touch(ctx, a.d.Clock, a.d.IdleAfter) }

func (a *Actor) onPost(ctx actor.Context, m *Post) (*Posted, error) {
	if a.s.Status != StatusActive {
		return nil, errNotActive
	}
	if a.waiting != nil {
		return nil, storage.Conflict("reply_in_progress", "the agent is still answering the previous message")
	}
	msg, err := a.store(m.Role, m.Content, m.Metadata, storage.Tokens{})
	if err != nil {
		return nil, err
	}
	if a.s.SessionType != "agent_chat" || a.d.Model == nil || a.d.Chat == nil || m.Role != "user" {
		return &Posted{Message: msg}, nil
	}
	chat, err := a.d.Chat(a.org, a.s.FlowID)
	if err != nil {
		return &Posted{Message: msg}, nil // the agent was deleted: keep the message, no reply
	}
	history, err := a.history()
	if err != nil {
		return nil, err
	}
	a.waiting, a.posted = ctx.Sender(), msg
	turn := &ai.Turn{OrgID: a.org, Model: chat.Model, Instructions: chat.Instructions, History: history[:len(history)-1],
		Input: []string{m.Content}, MaxToolCalls: 3, MaxReplyChars: 4000, Timeout: 20 * time.Second}
	kb, org := a.d.Knowledge, a.org
	if kb != nil {
		turn.Tools = []ai.Tool{knowledgeTool}
	}
	self, root, model := ctx.Self(), ctx.ActorSystem().Root, a.d.Model
	go func() {
		cctx, cancel := context.WithTimeout(context.Background(), turn.Timeout)
		defer cancel()
		// The worker runs the tool (a local Pebble read), never the actor.
		res, err := model.Run(cctx, turn, func(_ context.Context, call ai.ToolCall) (string, error) {
			if call.Name != knowledgeTool.Name || kb == nil {
				return "", errors.New("unknown tool " + call.Name)
			}
			var args struct {
				Query string `json:"query"`
			}
			if err := jsonUnmarshal([]byte(call.Arguments), &args); err != nil {
				return "", err
			}
			return kb(org, args.Query, 3)
		})
		root.Send(self, &replyDone{res: res, err: err})
	}()
	return nil, nil
}

// knowledgeTool is agent chat's one tool, as the SMS AI names it.
var knowledgeTool = ai.Tool{Name: "lookup_knowledge", Description: "Search the organization's knowledge base; answers the best passages.",
	Parameters: map[string]any{"type": "object", "required": []string{"query"},
		"properties": map[string]any{"query": map[string]any{"type": "string"}}}}

func (a *Actor) onReply(ctx actor.Context, m *replyDone) {
	waiting, posted := a.waiting, a.posted
	a.waiting, a.posted = nil, nil
	out := &Posted{Message: posted}
	if m.err != nil || m.res == nil || m.res.Text == "" {
		if m.err != nil {
			a.d.Logger.Warn("agent chat reply failed", "org", a.org, "session", a.id, "err", m.err)
		}
		if m.res != nil && !m.res.Usage.IsZero() {
			if err := a.bill(m.res.Usage); err != nil {
				a.d.Logger.Error("agent chat usage not recorded", "org", a.org, "session", a.id, "err", err)
			}
		}
	} else if reply, err := a.store("assistant", m.res.Text, nil, m.res.Usage); err == nil {
		out.Reply = reply
	}
	if waiting != nil {
		ctx.Send(waiting, out)
	}
	a.armIdle(ctx)
}

// bill adds the tokens of a reply that failed after the provider had
// answered part of it: no message, but they were billed.
func (a *Actor) bill(used storage.Tokens) error {
	s := *a.s
	s.Usage.Add(used)
	b := a.d.Store.NewBatch()
	put(b, &s)
	if err := b.Commit(storage.Sync); err != nil {
		return err
	}
	a.s = &s
	return nil
}

// store writes a message and the session it moves, with the model tokens
// that message cost (a reply's), in one batch.
func (a *Actor) store(role, content string, meta []byte, used storage.Tokens) (*Message, error) {
	now := a.d.Clock.Now().UTC()
	s := *a.s
	s.Usage.Add(used)
	s.MsgSeq++
	s.LastActivity = now
	msg := &Message{MessageID: storage.NewID("smsg"), SessionID: s.SessionID, Seq: s.MsgSeq, Role: role, Content: content,
		Metadata: meta, CreatedAt: now}
	b := a.d.Store.NewBatch()
	b.SetJSON(keyMsg(a.org, s.SessionID, msg.Seq), msg)
	put(b, &s)
	if err := b.Commit(storage.Sync); err != nil {
		return nil, err
	}
	a.s = &s
	return msg, nil
}

func (a *Actor) history() ([]ai.Message, error) {
	var out []ai.Message
	err := a.d.Store.Scan(prefixMsgs(a.org, a.id), storage.ScanOptions{Reverse: true, Limit: 30}, func(_, v []byte) (bool, error) {
		var m Message
		if err := jsonUnmarshal(v, &m); err != nil {
			return false, err
		}
		role := "user"
		if m.Role == "assistant" {
			role = "assistant"
		}
		out = append([]ai.Message{{Role: role, Text: m.Content}}, out...)
		return true, nil
	})
	return out, err
}

func (a *Actor) onEnd(m *End) (*Session, error) {
	if a.s.Status != StatusActive {
		return a.copy(), nil // ending twice is a safe retry
	}
	now := a.d.Clock.Now().UTC()
	end := now
	if m.Reason == ReasonIdle {
		// The sweeper read the active index before a message may have
		// landed: a session with activity since is not idle any more.
		if now.Sub(a.s.LastActivity) < a.d.IdleLimit {
			return a.copy(), nil
		}
		// Nobody was there after the last activity: the session ended
		// then, and the idle tail before the sweep is neither duration
		// nor billed minutes.
		end = a.s.LastActivity
		if end.Before(a.s.StartedAt) {
			end = a.s.StartedAt
		}
	}
	s := *a.s
	s.Status, s.EndedAt, s.LastActivity, s.EndReason = StatusCompleted, &end, end, m.Reason
	d := int64(math.Max(0, end.Sub(s.StartedAt).Seconds()))
	if m.Duration != nil {
		d = *m.Duration
	}
	mins := (d + 59) / 60
	s.Duration, s.BillingMinutes = &d, &mins
	if m.Transcript != nil {
		s.Transcript = m.Transcript
	}
	if len(m.Metadata) > 0 {
		merged, err := mergeMeta(s.Metadata, m.Metadata)
		if err != nil {
			return nil, err
		}
		s.Metadata = merged
	}
	b := a.d.Store.NewBatch()
	put(b, &s)
	if err := b.Commit(storage.Sync); err != nil {
		return nil, err
	}
	a.s = &s
	return a.copy(), nil
}
