package call

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/humd/humd/actors/ai"
	"github.com/humd/humd/actors/call/live"
	"github.com/humd/humd/storage/calls"
	"github.com/humd/humd/storage/sms"
)

// tools are the built-in voice tools the flow's tools_json allows;
// transfer_call only when the flow has a transfer map, send_digits only on
// outbound calls unless tools_json names it (an inbound caller rarely needs
// the agent to press keys; a phone menu the agent called does), and opt_out
// always (a request not to be contacted must be honourable on every call).
func (a *Actor) tools() []ai.Tool {
	out := a.builtinTools()
	if a.flow == nil {
		return out
	}
	kept := out[:0]
	for _, t := range out {
		if a.allowed(t.Name) {
			kept = append(kept, t)
		}
	}
	return kept
}

// turnTools is tools() built once per flow (a switch of agents changes it),
// not once per turn. The slice is full, so a worker appending the flow's
// external tools copies it rather than writing into the shared one.
func (a *Actor) turnTools() []ai.Tool {
	if a.toolsFlow != a.flow || a.toolList == nil {
		a.toolList, a.toolsFlow = a.tools(), a.flow
	}
	return a.toolList[:len(a.toolList):len(a.toolList)]
}

// allowed reports whether the flow lets the agent use a built-in tool.
func (a *Actor) allowed(name string) bool {
	if a.flow == nil || name == OptOutTool {
		return true
	}
	if _, all := a.flow.Builtins(); name == "send_digits" && all {
		return a.call != nil && a.call.Direction == calls.Outbound
	}
	return a.flow.AllowsBuiltin(name)
}

func (a *Actor) builtinTools() []ai.Tool {
	obj := func(req []string, props map[string]any) map[string]any {
		return map[string]any{"type": "object", "properties": props, "required": req, "additionalProperties": false}
	}
	s := map[string]any{"type": "string"}
	out := []ai.Tool{
		{Name: "end_call", Description: "Hang up after your last sentence, when the caller is done.",
			Parameters: obj(nil, map[string]any{"reason": s})},
		{Name: "lookup_knowledge", Description: "Search the organization's knowledge base; answers the best passages.",
			Parameters: obj([]string{"query"}, map[string]any{"query": s})},
		{Name: "report_outcome", Description: "Record the outcome of this call: a short label and structured data.",
			Parameters: obj([]string{"outcome_label"}, map[string]any{"outcome_label": s, "data": map[string]any{"type": "object"}})},
		optOutTool(),
	}
	if a.d.Text != nil {
		out = append(out, ai.Tool{Name: "send_sms",
			Description: fmt.Sprintf("Text the caller (a link, an address, a confirmation) only after they said yes to receiving a text on this call; at most %d per call.", MaxCallTexts),
			Parameters: obj([]string{"body", "caller_consented"}, map[string]any{"body": s,
				"caller_consented": map[string]any{"type": "boolean", "description": "true only if the caller agreed out loud"}})})
	}
	if a.flow != nil && len(a.flow.TransfersJSON) > 0 {
		labels := make([]string, 0, len(a.flow.TransfersJSON))
		for _, t := range a.flow.TransfersJSON {
			labels = append(labels, t.Label)
		}
		out = append(out, ai.Tool{Name: "transfer_call",
			Description: "Transfer the caller to a person or another agent. Say you are transferring first. Options: " + strings.Join(labels, ", "),
			Parameters:  obj([]string{"label"}, map[string]any{"label": map[string]any{"type": "string", "enum": labels}})})
	}
	out = append(out, ai.Tool{Name: "send_digits",
		Description: "Press keys on the phone (DTMF tones), e.g. to choose an option in a phone menu you reached. " +
			"Digits 0-9, * and #; w waits half a second, W a second.",
		Parameters: obj([]string{"digits"}, map[string]any{"digits": map[string]any{"type": "string", "pattern": digitsPattern}})})
	return out
}

// digitsPattern is what send_digits accepts: Twilio's sendDigits alphabet,
// at most 32 keys at a time.
const digitsPattern = `^[0-9*#wW]{1,32}$`

var digitsRE = regexp.MustCompile(digitsPattern)

// sendDigits plays DTMF tones into the call at once: a menu waits for its
// key, not for the end of the agent's sentence.
func (a *Actor) sendDigits(digits string) (string, error) {
	if !digitsRE.MatchString(digits) {
		return "", errors.New("digits must be 1 to 32 of 0-9, *, #, w (half-second pause) or W (one second)")
	}
	if a.out == nil {
		return "", errors.New("the call is not connected")
	}
	a.out.SendDigits(digits)
	return marshal(map[string]any{"ok": true, "status": "sent", "digits": digits}), nil
}

// onToolCall runs one tool inside the mailbox, so tools act on the call in
// order with its prompts; the worker waits for the answer.
func (a *Actor) onToolCall(ctx actor.Context, m *toolCall) {
	if a.turn == nil || m.gen != a.turn.gen || a.call == nil {
		m.reply <- ai.ToolOutcome{Err: errors.New("the turn was cut off")}
		return
	}
	a.toolSeq++
	seq := a.toolSeq
	a.publish(live.ToolStarted, map[string]any{"seq": seq, "name": m.call.Name, "args": m.call.Arguments})
	start := a.d.Clock.Now()
	if d := m.call.Done; d != nil { // an external tool that ran on the worker
		a.toolDone(m, seq, d.Out, d.Err, d.Millis)
		return
	}
	done := func(out string, err error) {
		a.toolDone(m, seq, out, err, a.d.Clock.Now().Sub(start).Milliseconds())
	}
	if m.call.Name == OptOutTool { // answered once its owner recorded it
		var args map[string]any
		if err := json.Unmarshal([]byte(m.call.Arguments), &args); err != nil {
			done("", fmt.Errorf("arguments are not a JSON object: %w", err))
			return
		}
		reason, _ := args["reason"].(string)
		a.optOut(ctx, reason, done)
		return
	}
	done(a.tool(m.call))
}

// toolDone writes a tool's activity row and hands its result to the turn.
func (a *Actor) toolDone(m *toolCall, seq uint64, out string, err error, millis int64) {
	rec := &calls.ToolActivity{Seq: seq, Name: m.call.Name, Args: m.call.Arguments, Result: cut(out, 500),
		Millis: millis, At: a.now()}
	if err != nil {
		rec.Error = err.Error()
	}
	b := a.d.Store.NewBatch()
	calls.PutTool(b, a.call.OrgID, a.call.ID, rec)
	c := *a.call
	c.ToolCount = int(seq)
	if serr := a.save(b, &c); serr != nil && err == nil {
		err = serr
	}
	a.publish(live.ToolFinished, rec)
	m.reply <- ai.ToolOutcome{Out: out, Err: err}
}

func (a *Actor) tool(call ai.ToolCall) (string, error) {
	var args map[string]any
	if err := json.Unmarshal([]byte(call.Arguments), &args); err != nil {
		return "", fmt.Errorf("arguments are not a JSON object: %w", err)
	}
	str := func(k string) string { v, _ := args[k].(string); return v }
	if !a.allowed(call.Name) {
		return "", fmt.Errorf("tool %q is not enabled for this agent", call.Name)
	}
	switch call.Name {
	case "end_call":
		a.endAfter = map[string]any{"reason": "agent_end", "detail": str("reason")}
		return `{"ok":true,"status":"will_hang_up_after_reply"}`, nil
	case "lookup_knowledge":
		if a.d.Knowledge == nil {
			return `{"passages":[]}`, nil
		}
		return a.d.Knowledge(a.call.OrgID, str("query"), 3)
	case "report_outcome":
		label := strings.TrimSpace(str("outcome_label"))
		if label == "" || len(label) > 100 {
			return "", errors.New("outcome_label is required (at most 100 characters)")
		}
		c := *a.call
		c.OutcomeLabel = label
		if d, ok := args["data"]; ok {
			c.Outcome, _ = json.Marshal(d)
		}
		if err := a.save(a.d.Store.NewBatch(), &c); err != nil {
			return "", err
		}
		return `{"ok":true}`, nil
	case "transfer_call":
		return a.transfer(str("label"))
	case "send_sms":
		if a.d.Text == nil { // not offered then; a model may still name it
			return "", errors.New("texting is not available on this call")
		}
		consent, _ := args["caller_consented"].(bool)
		return a.textCaller(str("body"), consent)
	case "send_digits":
		return a.sendDigits(str("digits"))
	}
	return "", fmt.Errorf("unknown tool %q", call.Name)
}

// transfer hands the caller to a number (after hours refused: SPEC 2.13) or
// switches the call to another agent in place.
func (a *Actor) transfer(label string) (string, error) {
	if a.flow == nil {
		return "", errors.New("no flow")
	}
	for _, t := range a.flow.TransfersJSON {
		if !strings.EqualFold(strings.TrimSpace(t.Label), strings.TrimSpace(label)) {
			continue
		}
		if t.FlowID != "" {
			return a.switchFlow(t.FlowID)
		}
		bh, err := a.d.hoursOf(a.flow)
		if err != nil {
			return "", err
		}
		if bh != nil && !bh.IsOpen(a.now()) {
			return "", errors.New("after hours: live transfers are not available; offer to take a message instead")
		}
		c := *a.call
		c.Transfer = &calls.Transfer{Label: t.Label, E164: t.E164, At: a.now()}
		b := a.d.Store.NewBatch()
		if err := a.event(b, c.OrgID, calls.EvCallTransferred, map[string]any{"call_id": c.ID, "label": t.Label, "e164": t.E164}); err != nil {
			return "", err
		}
		if err := a.save(b, &c); err != nil {
			return "", err
		}
		a.setState(&c)
		return `{"ok":true,"status":"transferring after your reply"}`, nil
	}
	return "", fmt.Errorf("no transfer named %q", label)
}

func (a *Actor) switchFlow(flowID string) (string, error) {
	f, err := a.d.Flow(a.call.OrgID, flowID)
	if err != nil || f.Channel != "voice" {
		return "", errors.New("the transfer's flow is not a voice flow of this org")
	}
	c := *a.call
	from := c.FlowID
	c.FlowID = f.ID
	c.FlowPath = append(append([]string(nil), c.FlowPath...), f.ID)
	b := a.d.Store.NewBatch()
	if err := a.event(b, c.OrgID, calls.EvCallFlowSwitch, map[string]any{"call_id": c.ID, "from_flow_id": from, "to_flow_id": f.ID}); err != nil {
		return "", err
	}
	if err := a.save(b, &c); err != nil {
		return "", err
	}
	a.flow = f
	a.switched = f.Greeting
	if a.switched == "" {
		a.switched = "Hi, I'm " + f.Name + ". How can I help?"
	}
	a.setState(&c)
	return marshal(map[string]any{"ok": true, "status": "switched", "agent": f.Name,
		"note": "Say a brief goodbye; the new agent greets the caller next."}), nil
}

func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// MaxCallTexts caps the texts an agent may send the caller during one call
// (SPEC 2.13.6).
const MaxCallTexts = 2

// textCaller sends a text to the other party through the SMS send pipeline
// (opt-outs and the blocklist apply; quiet hours do not, the caller is on the
// line). It is told, not asked: the thread's actor does the sending.
func (a *Actor) textCaller(body string, consent bool) (string, error) {
	body = strings.TrimSpace(body)
	switch {
	case !consent:
		return "", errors.New("ask the caller whether they want a text first; send only after they agree")
	case body == "" || len(body) > 640:
		return "", errors.New("body must be 1 to 640 characters")
	case a.call.TextsSent >= MaxCallTexts:
		return "", fmt.Errorf("already sent %d texts on this call, the most allowed", MaxCallTexts)
	}
	other := a.otherParty()
	n, err := sms.GetNumber(a.d.Store, a.call.OrgID, a.call.NumberID)
	if err != nil {
		return "", err
	}
	if !n.SMSEnabled {
		return "", errors.New("this number cannot send texts")
	}
	if out, err := sms.IsOptedOut(a.d.Store, a.call.OrgID, other); err != nil {
		return "", err
	} else if out {
		return "", errors.New("the caller has opted out of texts")
	}
	c := *a.call
	c.TextsSent++
	if err := a.save(a.d.Store.NewBatch(), &c); err != nil {
		return "", err
	}
	a.d.Text(c.OrgID, c.NumberID, other, body, c.FlowID)
	return marshal(map[string]any{"ok": true, "status": "sending", "texts_left": MaxCallTexts - c.TextsSent}), nil
}
