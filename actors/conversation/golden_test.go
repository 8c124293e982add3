package conversation_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"github.com/humd/humd/storage/flows"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cockroachdb/datadriven"

	"github.com/humd/humd/actors/actortest"
	"github.com/humd/humd/actors/conversation"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/sms"
	"github.com/humd/humd/storage/tenancy"
)

const (
	ourNumber = "+15005550006"
	contact   = "+13175550100"
)

// TestGoldenSMS runs the scripts in testdata/sms against the conversation
// actors of an actortest.World (fake clock, in-memory Pebble, fake carrier
// playing the sandbox's status callbacks): inbound texts, sends, status
// callbacks, clock advances and restarts, printing the state that results.
// Commands answer what the API answers for the same operation (200 for a
// stored inbound text, 201/202/200 for a send by its outcome), so the scripts
// read as the end-to-end ones do. Commands, besides World.Common's:
//
//	start [at=RFC3339]          a fresh world with +15005550006 registered
//	hours                       the org's business_hours_json (the input)
//	inbound sid= [from=]        an inbound text (input is the body)
//	send [send_at=] [quiet=false]                    send the input on the thread
//	status n= status= [code=]   a status callback for the n-th carrier send
//	optout [e164=] [via=] | optin [e164=] [via=]     an opt-out (or its end) by a person: via=consent
//	                            through the contact's consent actor (the API's path), else written to
//	                            the store without telling the threads
//	thread | conv | optouts | scheduled              print state
//
// Signed webhooks, forged signatures and HTTP statuses of bad requests
// belong to the edge and are tested there.
func TestGoldenSMS(t *testing.T) {
	t.Parallel()
	goldenWalk(t, "testdata/sms")
}

// TestGoldenAI runs the scripts in testdata/ai: the SMS AI against the
// scripted model (start ai, with the flow's sms_config_json as input), plus:
//
//	model       queue answers, one per line: "text: ...", "tool: name {json}", "fail: msg"
//	requests    the model requests made since the last "requests"
//	runs        the thread's run records, oldest first
//	pause ai=   set the thread's ai_paused
func TestGoldenAI(t *testing.T) {
	t.Parallel()
	goldenWalk(t, "testdata/ai")
}

func goldenWalk(t *testing.T, dir string) {
	datadriven.Walk(t, dir, func(t *testing.T, path string) {
		t.Parallel()
		g := &golden{t: t}
		datadriven.RunTest(t, path, g.run)
	})
}

type golden struct {
	t       *testing.T
	w       *actortest.World
	n       *sms.Number
	conv    string
	reqSeen int
}

var apiAuthor = sms.Author{Type: "api", ID: "key_golden"}

func (g *golden) run(t *testing.T, d *datadriven.TestData) string {
	w := g.w
	if out, ok := actortest.Prelude(t, w, d); ok {
		return out
	}
	switch d.Cmd {
	case "start":
		g.w = actortest.NewWorld(t, actortest.Options{Now: actortest.StartTime(t, d)})
		// A fast sender: scripts test order and state, not throttling.
		g.n = g.w.AddNumber(ourNumber, 100)
		if len(d.CmdArgs) > 0 && d.CmdArgs[0].Key == "ai" {
			g.startAI(t, d)
		}
		return "ok"
	case "hours":
		if _, err := w.Tenancy.PatchOrg(w.OrgID, tenancy.OrgPatch{BusinessHoursJSON: storage.Some(json.RawMessage(d.Input))}); err != nil {
			return answerErr(err)
		}
		return "200"
	case "inbound":
		if actortest.Arg(d, "sig", "") != "" || actortest.Arg(d, "token", "") != "" {
			t.Fatalf("%s: signatures are checked at the edge (transport), not by the actor", d.Pos)
		}
		res, err := w.Inbound(actortest.Arg(d, "sid", ""), actortest.Arg(d, "from", contact), ourNumber, d.Input)
		if err != nil {
			return answerErr(err)
		}
		if g.conv == "" && res.Message != nil {
			g.conv = res.Message.ConversationID
		}
		return "200"
	case "send":
		return g.send(t, d)
	case "status":
		var n int
		fmt.Sscan(actortest.Arg(d, "n", "1"), &n)
		var sid string
		actortest.WaitFor(t, 10*time.Second, func() error {
			if sent := w.Carrier.Sent(); len(sent) >= n {
				sid = sent[n-1].SID
				return nil
			}
			return fmt.Errorf("%s: %d carrier sends; want #%d", d.Pos, len(w.Carrier.Sent()), n)
		})
		var code int
		fmt.Sscan(actortest.Arg(d, "code", "0"), &code)
		if err := w.ApplyStatus(sid, actortest.Arg(d, "status", ""), code); err != nil {
			return answerErr(err)
		}
		return "200"
	case "optout":
		if actortest.Arg(d, "via", "") == "consent" {
			res, err := w.Consent.OptOut(w.OrgID, sms.ListEntry{E164: actortest.Arg(d, "e164", contact)}, sms.OptOutSourceAPI, actortest.AskTimeout)
			switch {
			case err != nil:
				return answerErr(err)
			case res.Created:
				return "201"
			}
			return "200"
		}
		_, created, err := sms.RecordOptOut(w.Store, &sms.OptOut{OrgID: w.OrgID, E164: actortest.Arg(d, "e164", contact),
			Source: "api", CreatedAt: w.Clock.Now()}, nil)
		switch {
		case err != nil:
			return answerErr(err)
		case created:
			return "201"
		}
		return "200"
	case "optin":
		if actortest.Arg(d, "via", "") == "consent" {
			if err := w.Consent.OptIn(w.OrgID, actortest.Arg(d, "e164", contact), sms.OptOutSourceAPI, actortest.AskTimeout); err != nil {
				return answerErr(err)
			}
			return "204"
		}
		if err := sms.RemoveOptOut(w.Store, w.OrgID, actortest.Arg(d, "e164", contact), "api", w.Clock.Now()); err != nil {
			return answerErr(err)
		}
		return "204"
	case "pause":
		paused := actortest.Arg(d, "ai", "true") == "true"
		msg := &conversation.Patch{AIPaused: &paused, By: apiAuthor}
		if _, err := actortest.Await[*sms.Conversation](w.Threads.Request(w.OrgID, g.n.ID, contact, msg, actortest.AskTimeout), msg); err != nil {
			return answerErr(err)
		}
		return "200"
	case "thread":
		return actortest.Poll(d, func() string { return g.thread(t) })
	case "conv":
		return actortest.Poll(d, func() string {
			c, err := sms.GetConversation(w.Store, w.OrgID, g.conv)
			if err != nil {
				return err.Error()
			}
			return fmt.Sprintf("status=%v ai_paused=%v reason=%v", c.Status, c.AIPaused, orNil(c.AIPausedReason))
		})
	case "optouts":
		return actortest.Poll(d, func() string {
			list, _, err := sms.ListOptOuts(w.Store, w.OrgID, "", storage.PageRequest{Limit: 200})
			if err != nil {
				return err.Error()
			}
			var lines []string
			for _, o := range list {
				lines = append(lines, fmt.Sprintf("%s source=%s keyword=%v", o.E164, o.Source, orNil(o.Keyword)))
			}
			return actortest.OrNone(lines)
		})
	case "scheduled":
		return actortest.Poll(d, func() string {
			var lines []string
			err := w.Store.Scan(sms.PrefixSched(w.OrgID), storage.ScanOptions{}, func(_, v []byte) (bool, error) {
				var sc sms.Scheduled
				if err := json.Unmarshal(v, &sc); err != nil {
					return false, err
				}
				lines = append(lines, fmt.Sprintf("%s %s %s %q", sc.SendAt.Format(time.RFC3339Nano), sc.Source, sc.Status, sc.Body))
				return true, nil
			})
			if err != nil {
				return err.Error()
			}
			return actortest.OrNone(lines)
		})
	case "runs":
		return actortest.Poll(d, func() string { return g.runs() })
	case "requests":
		out := actortest.Poll(d, func() string { return g.requests() })
		g.reqSeen = len(w.Model.Requests())
		return out
	}
	t.Fatalf("%s: unknown command %q", d.Pos, d.Cmd)
	return ""
}

// startAI gives the number an SMS flow whose sms_config_json is the input;
// builtin=(a,b) is its tools_json allow-list.
func (g *golden) startAI(t *testing.T, d *datadriven.TestData) {
	var cfg any
	if err := json.Unmarshal([]byte(d.Input), &cfg); err != nil {
		t.Fatalf("%s: sms_config_json: %v", d.Pos, err)
	}
	body := map[string]any{"name": "Texts", "channel": "sms", "trigger_type": "message",
		"system_prompt": "You are the shop's texting assistant.", "sms_config_json": cfg}
	if b := actortest.Args(d, "builtin"); b != nil {
		body["tools_json"] = map[string]any{"builtin": b}
	}
	raw, _ := json.Marshal(body)
	var in flows.Input
	if err := json.Unmarshal(raw, &in); err != nil {
		t.Fatalf("%s: flow: %v", d.Pos, err)
	}
	f, err := g.w.Flows.Create(g.w.OrgID, in)
	if err != nil {
		t.Fatalf("%s: create flow: %v", d.Pos, err)
	}
	g.n.SMSFlowID = &f.ID
	g.w.PutNumber(g.n)
}

func (g *golden) send(t *testing.T, d *datadriven.TestData) string {
	msg := &conversation.Send{Body: d.Input, HonorQuietHours: actortest.Arg(d, "quiet", "") != "false",
		Author: apiAuthor, Source: sms.SourceManual}
	if at := actortest.Arg(d, "send_at", ""); at != "" {
		ts, err := time.Parse(time.RFC3339, at)
		if err != nil {
			t.Fatalf("%s: send_at: %v", d.Pos, err)
		}
		msg.SendAt = &ts
	}
	res, err := actortest.Await[*conversation.SendResult](g.w.Threads.Request(g.w.OrgID, g.n.ID, contact, msg, actortest.AskTimeout), msg)
	if err != nil {
		return answerErr(err)
	}
	if res.Status == sms.MsgQueued && res.Message != nil {
		g.handedOver(t, d, res.Message)
	}
	// The status the API answers a send with (SPEC 1.9).
	code, status, source, when := 201, res.Status, "", ""
	if res.Message != nil {
		status, source = res.Message.Status, res.Message.Source
	}
	if sc := res.Scheduled; sc != nil {
		status, source, when = sms.MsgScheduled, sc.Source, " scheduled_for="+sc.SendAt.Format(time.RFC3339Nano)
	}
	switch res.Status {
	case sms.MsgScheduled:
		code = 202
	case sms.MsgOptedOut, sms.MsgBlocked:
		code = 200
	}
	return fmt.Sprintf("%d status=%s source=%s%s", code, status, source, when)
}

// handedOver waits until a queued text reached the carrier (or the sender
// settled it otherwise): the next command happens after it, as the next
// request of a person at the API would.
func (g *golden) handedOver(t *testing.T, d *datadriven.TestData, m *sms.Message) {
	actortest.WaitFor(t, 10*time.Second, func() error {
		for _, s := range g.w.Carrier.Sent() {
			if s.MessageID == m.ID {
				return nil
			}
		}
		if cur, err := sms.GetMessage(g.w.Store, m.OrgID, m.ConversationID, m.Seq); err == nil && cur.Status != sms.MsgQueued {
			return nil
		}
		return fmt.Errorf("%s: text %s not handed to the carrier", d.Pos, m.ID)
	})
}

func (g *golden) thread(t *testing.T) string {
	var lines []string
	err := g.w.Store.Scan(sms.PrefixMsgs(g.w.OrgID, g.conv), storage.ScanOptions{}, func(_, v []byte) (bool, error) {
		var m sms.Message
		if err := json.Unmarshal(v, &m); err != nil {
			return false, err
		}
		dir := "in "
		if m.Direction == sms.Outbound {
			dir = "out"
		}
		line := fmt.Sprintf("%s %-9s %q", dir, m.Status, m.Body)
		if m.IsSystem {
			line += " system"
		}
		if m.ErrorCode != 0 {
			line += fmt.Sprintf(" error=%d", m.ErrorCode)
		}
		if m.OptOutSuspected {
			line += " opt_out_suspected"
		}
		lines = append(lines, line)
		return true, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(lines, "\n")
}

func (g *golden) runs() string {
	var lines []string
	err := g.w.Store.Scan(sms.PrefixRuns(g.w.OrgID, g.conv), storage.ScanOptions{}, func(_, v []byte) (bool, error) {
		var r sms.Run
		if err := json.Unmarshal(v, &r); err != nil {
			return false, err
		}
		var tools []string
		for _, tc := range r.ToolCalls {
			tools = append(tools, tc.Name)
		}
		lines = append(lines, fmt.Sprintf("%s inbound=%d tools=[%s] outbound=%d", r.Status, len(r.InboundMessageIDs),
			strings.Join(tools, " "), len(r.OutboundMessageIDs)))
		return true, nil
	})
	if err != nil {
		return err.Error()
	}
	return actortest.OrNone(lines)
}

// requests prints the model requests since the last "requests": what the
// thread asked of the model (tools offered, transcript, tool calls and their
// outputs), not how a provider's wire carries it.
func (g *golden) requests() string {
	var lines []string
	for i, r := range g.w.Model.Requests()[g.reqSeen:] {
		lines = append(lines, fmt.Sprintf("request %d: tools=%d tool_choice=%s", g.reqSeen+i+1, len(r.Tools), r.ToolChoice))
		for _, it := range r.Items {
			lines = append(lines, "  "+it.String())
		}
	}
	return actortest.MaskIDs(actortest.OrNone(lines))
}

// answerErr prints an error the way scripts show a refusal: its API code
// when it has one.
func answerErr(err error) string {
	var ce *storage.ConflictError
	var ve *storage.ValidationError
	switch {
	case errors.As(err, &ce):
		return "409 " + ce.Code
	case errors.As(err, &ve):
		return "invalid " + strings.Join(slices.Sorted(maps.Keys(ve.Fields)), ",")
	case errors.Is(err, storage.ErrNotFound):
		return "404 not_found"
	}
	return "error: " + err.Error()
}

func orNil(s string) any {
	if s == "" {
		return nil
	}
	return s
}
