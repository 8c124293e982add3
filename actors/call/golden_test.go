package call_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/humd/humd/storage/flows"

	"github.com/cockroachdb/datadriven"

	"github.com/humd/humd/actors/actortest"
	"github.com/humd/humd/actors/call"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/calls"
	"github.com/humd/humd/storage/sms"
)

const (
	ourNumber = "+15005550006"
	caller    = "+13175550100"
)

// TestGoldenCall runs the scripts in testdata: voice calls driven through
// the call actor's own protocol, the messages the Twilio webhooks and the
// ConversationRelay socket turn into (a ring, the socket's attach, the
// caller's prompts, interrupts and keys, status and recording callbacks),
// with a fake relay socket recording what the actor writes to it and the
// scripted model answering turns (streamed as one piece) and the post-call
// summary. Commands, besides World.Common's:
//
//	start [at=RFC3339]          a fresh world with +15005550006
//	flow name= [answers]        a voice flow from the input (JSON fields); answers: the number's flow
//	block e164= | optout e164=  the blocklist, the opt-out list
//	ring sid= [from=]           an inbound call rings; prints how it is answered
//	place to= flow=             an outbound call (input: task context JSON, optional)
//	attach | detach             the relay socket opens (a new socket) or closes
//	prompt [last=false] | dtmf digit=   the caller says the input (a partial transcript), or presses a key
//	interrupt                   the caller talks over the agent; the input is what they heard
//	status status= [duration=]  a call status callback
//	recording url= [voicemail=true] [duration=]   a recording callback
//	transcription               the voicemail's transcription (input)
//	action | dial status=       the relay session's end, a transfer's end: prints what comes next
//	relay                       frames the actor wrote to the socket since the last relay
//	transcript | tools | call | voicemail | dials   print state
//	requests                    the model requests since the last requests
func TestGoldenCall(t *testing.T) {
	datadriven.Walk(t, "testdata", func(t *testing.T, path string) {
		t.Parallel()
		g := &callScript{flows: map[string]string{}}
		datadriven.RunTest(t, path, g.run)
	})
}

type callScript struct {
	w       *actortest.World
	n       *sms.Number
	flows   map[string]string // name -> id
	id      string            // the call the script talks about
	relay   *actortest.Relay
	reqSeen int
}

func (g *callScript) ask(t *testing.T, msg any) (any, error) {
	t.Helper()
	return actortest.Await[any](g.w.Calls.Request(g.id, msg, actortest.AskTimeout), msg)
}

// deliver posts a socket frame's message and waits until the actor took it,
// so the script's next step (often a clock advance) comes after it, as the
// next frame on the socket would.
func (g *callScript) deliver(t *testing.T, msg any) {
	t.Helper()
	res, err := g.w.Calls.Request(g.id, msg, actortest.AskTimeout).Result()
	if err == nil {
		if e, ok := res.(error); ok {
			err = e
		}
	}
	if err != nil {
		t.Fatalf("%T: %v", msg, err)
	}
}

func (g *callScript) run(t *testing.T, d *datadriven.TestData) string {
	w := g.w
	if out, ok := actortest.Prelude(t, w, d); ok {
		return out
	}
	switch d.Cmd {
	case "start":
		g.w = actortest.NewWorld(t, actortest.Options{Now: actortest.StartTime(t, d)})
		g.n = g.w.AddNumber(ourNumber, 100)
		return "ok"
	case "flow":
		return g.flow(t, d)
	case "block":
		if _, err := sms.AddBlock(w.Store, w.OrgID, sms.ListEntry{E164: actortest.Arg(d, "e164", caller)}, w.Clock.Now()); err != nil {
			return refusal(err)
		}
		return "ok"
	case "optout":
		if _, _, err := sms.RecordOptOut(w.Store, &sms.OptOut{OrgID: w.OrgID, E164: actortest.Arg(d, "e164", caller), Source: "api",
			CreatedAt: w.Clock.Now()}, nil); err != nil {
			return refusal(err)
		}
		return "ok"
	case "ring":
		sid := actortest.Arg(d, "sid", "")
		g.id = call.IDForSID(sid)
		res, err := g.ask(t, &call.Ring{CallSID: sid, AccountSID: "ACtest", From: actortest.Arg(d, "from", caller), To: ourNumber,
			Status: "ringing"})
		if err != nil {
			return refusal(err)
		}
		r := res.(*call.Ringing)
		out := "route=" + r.Call.Route
		if r.Message != "" {
			out += fmt.Sprintf(" message=%q", r.Message)
		}
		return out
	case "place":
		g.id = storage.NewID("call")
		msg := &call.Place{OrgID: w.OrgID, FlowID: g.flows[actortest.Arg(d, "flow", "")], NumberID: g.n.ID, From: ourNumber,
			To: actortest.Arg(d, "to", caller)}
		if strings.TrimSpace(d.Input) != "" {
			msg.TaskContext = json.RawMessage(d.Input)
		}
		res, err := g.ask(t, msg)
		if err != nil {
			return refusal(err)
		}
		return "status=" + res.(*calls.Call).Status
	case "attach":
		g.relay = &actortest.Relay{}
		res, err := g.ask(t, &call.Attach{Out: g.relay, SessionID: "VX" + g.id})
		if err != nil {
			return refusal(err)
		}
		return "status=" + res.(*call.Attached).Call.Status
	case "detach":
		g.deliver(t, &call.Detach{Out: g.relay})
		return "ok"
	case "prompt":
		g.deliver(t, &call.Prompt{Text: d.Input, Last: actortest.Arg(d, "last", "true") == "true"})
		return "ok"
	case "dtmf":
		g.deliver(t, &call.DTMF{Digit: actortest.Arg(d, "digit", "")})
		return "ok"
	case "interrupt":
		g.deliver(t, &call.Interrupt{Heard: d.Input})
		return "ok"
	case "status":
		var secs int
		fmt.Sscan(actortest.Arg(d, "duration", "0"), &secs)
		res, err := g.ask(t, &call.Status{Status: actortest.Arg(d, "status", ""), DurationS: secs})
		if err != nil {
			return refusal(err)
		}
		return "status=" + res.(*calls.Call).Status
	case "recording":
		var secs int
		fmt.Sscan(actortest.Arg(d, "duration", "0"), &secs)
		res, err := g.ask(t, &call.Recording{URL: actortest.Arg(d, "url", ""), DurationS: secs,
			Voicemail: actortest.Arg(d, "voicemail", "") == "true"})
		if err != nil {
			return refusal(err)
		}
		return "status=" + res.(*calls.Call).Status
	case "transcription":
		if _, err := g.ask(t, &call.Transcription{Text: d.Input}); err != nil {
			return refusal(err)
		}
		return "ok"
	case "action", "dial":
		var msg any = &call.Action{}
		if d.Cmd == "dial" {
			msg = &call.DialDone{DialStatus: actortest.Arg(d, "status", "")}
		}
		res, err := g.ask(t, msg)
		if err != nil {
			return refusal(err)
		}
		return next(res.(*call.Next))
	case "relay":
		var n int
		out := actortest.Poll(d, func() string {
			frames := g.relay.Unseen()
			n = len(frames)
			return actortest.OrNone(frames)
		})
		g.relay.MarkSeen(n)
		return out
	case "transcript":
		return actortest.Poll(d, func() string { return g.transcript() })
	case "tools":
		return actortest.Poll(d, func() string { return g.tools() })
	case "call":
		return actortest.Poll(d, func() string { return g.call() })
	case "voicemail":
		return actortest.Poll(d, func() string {
			vm, err := calls.VoicemailOf(w.Store, w.OrgID, g.id)
			if err != nil {
				return refusal(err)
			}
			return fmt.Sprintf("%s duration=%d transcript=%q", vm.RecordingURL, vm.DurationS, vm.Transcript)
		})
	case "dials":
		return actortest.Poll(d, func() string {
			var lines []string
			for _, dl := range w.Dialer.Dials() {
				lines = append(lines, fmt.Sprintf("%s -> %s twiml=%s status_callback=%s", dl.From, dl.To, dl.TwiML,
					actortest.MaskIDs(dl.StatusCallback)))
			}
			return actortest.OrNone(lines)
		})
	case "requests":
		out := actortest.Poll(d, func() string { return g.requests() })
		g.reqSeen = len(w.Model.Requests())
		return out
	}
	t.Fatalf("%s: unknown command %q", d.Pos, d.Cmd)
	return ""
}

// flow stores a voice flow from the input's fields; "answers" makes it the
// number's flow, and a transfer's "flow" names another flow of the script.
func (g *callScript) flow(t *testing.T, d *datadriven.TestData) string {
	body := map[string]any{}
	if err := json.Unmarshal([]byte(d.Input), &body); err != nil {
		t.Fatalf("%s: %v", d.Pos, err)
	}
	name := actortest.Arg(d, "name", "Front desk")
	body["name"], body["channel"], body["trigger_type"] = name, "voice", "call"
	if ts, ok := body["transfers_json"].([]any); ok {
		for _, tr := range ts {
			if m := tr.(map[string]any); m["flow"] != nil {
				m["flow_id"] = g.flows[m["flow"].(string)]
				delete(m, "flow")
			}
		}
	}
	raw, _ := json.Marshal(body)
	var in flows.Input
	if err := json.Unmarshal(raw, &in); err != nil {
		t.Fatalf("%s: flow: %v", d.Pos, err)
	}
	f, err := g.w.Flows.Create(g.w.OrgID, in)
	if err != nil {
		return refusal(err)
	}
	g.flows[name] = f.ID
	for _, a := range d.CmdArgs {
		if a.Key == "answers" {
			g.n.FlowID = &f.ID
			g.w.PutNumber(g.n)
		}
	}
	return "ok"
}

func (g *callScript) transcript() string {
	turns, err := calls.Turns(g.w.Store, g.w.OrgID, g.id)
	if err != nil {
		return refusal(err)
	}
	var lines []string
	for _, tn := range turns {
		line := fmt.Sprintf("%s: %s", tn.Role, tn.Text)
		if tn.Interrupted {
			line += fmt.Sprintf(" [interrupted; heard %q]", tn.Heard)
		}
		if tn.FlowID != "" && len(g.flows) > 1 { // which agent said it
			for name, id := range g.flows {
				if id == tn.FlowID {
					line += " (" + name + ")"
				}
			}
		}
		lines = append(lines, line)
	}
	return actortest.OrNone(lines)
}

func (g *callScript) tools() string {
	rows, err := calls.Tools(g.w.Store, g.w.OrgID, g.id)
	if err != nil {
		return refusal(err)
	}
	var lines []string
	for _, r := range rows {
		out := "-> " + r.Result
		if r.Error != "" {
			out = "-> error: " + r.Error
		}
		lines = append(lines, fmt.Sprintf("%s %s %s", r.Name, r.Args, out))
	}
	return actortest.OrNone(lines)
}

func (g *callScript) call() string {
	c, err := calls.Get(g.w.Store, g.w.OrgID, g.id)
	if err != nil {
		return refusal(err)
	}
	out := fmt.Sprintf("%s %s status=%s route=%s", c.Direction, c.From, c.Status, c.Route)
	if c.EndReason != "" {
		out += " end_reason=" + c.EndReason
	}
	if c.EndedAt != nil {
		out += fmt.Sprintf(" duration=%ds", c.DurationS)
	}
	if c.Transfer != nil {
		out += fmt.Sprintf(" transfer=%s/%s", c.Transfer.Label, c.Transfer.E164)
	}
	if len(c.FlowPath) > 1 {
		var names []string
		for _, id := range c.FlowPath {
			for name, fid := range g.flows {
				if fid == id {
					names = append(names, name)
				}
			}
		}
		out += " flows=" + strings.Join(names, ">")
	}
	out += fmt.Sprintf(" turns=%d tools=%d", c.TurnCount, c.ToolCount)
	if c.TextsSent > 0 {
		out += fmt.Sprintf(" texts=%d", c.TextsSent)
	}
	if c.OutcomeLabel != "" {
		out += " outcome=" + c.OutcomeLabel
	}
	if c.Summary != nil {
		out += fmt.Sprintf("\nsummary: %s", c.Summary.Text)
	}
	return out
}

// requests prints the model requests since the last "requests": a turn's
// tools and transcript; a summary's input (the transcript as text).
func (g *callScript) requests() string {
	var lines []string
	for i, r := range g.w.Model.Requests()[g.reqSeen:] {
		head := fmt.Sprintf("request %d: tools=%d", g.reqSeen+i+1, len(r.Tools))
		if r.Purpose != "" {
			head = fmt.Sprintf("request %d: %s", g.reqSeen+i+1, r.Purpose)
		}
		if r.ToolChoice != "" {
			head += " tool_choice=" + r.ToolChoice
		}
		lines = append(lines, head)
		for _, it := range r.Items {
			for _, l := range strings.Split(strings.TrimRight(it.String(), "\n"), "\n") {
				lines = append(lines, "  "+l)
			}
		}
	}
	return actortest.MaskIDs(actortest.OrNone(lines))
}

// next prints what the webhook does next after a relay session or a transfer.
func next(n *call.Next) string {
	switch {
	case n.DialE164 != "":
		return "dial " + n.DialE164
	case n.Voicemail:
		return fmt.Sprintf("voicemail message=%q", n.Message)
	case n.Message != "":
		return fmt.Sprintf("hangup message=%q", n.Message)
	}
	return "hangup"
}

// refusal prints an error as its API code when it has one.
func refusal(err error) string {
	var ce *storage.ConflictError
	switch {
	case errors.As(err, &ce):
		return "409 " + ce.Code
	case errors.Is(err, storage.ErrNotFound):
		return "404 not_found"
	}
	return "error: " + err.Error()
}
