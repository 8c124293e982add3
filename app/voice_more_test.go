package app_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/humd/humd/storage/calls"
	"github.com/humd/humd/transport/relay"
	"github.com/humd/humd/transport/relay/relayclient"
)

var saturdaysOnly = map[string]any{"timezone": "UTC", "weekly": map[string]any{"sat": []any{[]any{"09:00", "17:00"}}},
	"after_hours_message": "We're closed for the day."}

// TestVoiceAfterHoursVoicemail: outside the flow's hours the caller hears the
// after-hours message and is recorded; the recording and transcription
// callbacks (one retried) make one voicemail and one voicemail.received.
func TestVoiceAfterHoursVoicemail(t *testing.T) {
	s, fake, _ := voiceServer(t, map[string]any{"business_hours_json": saturdaysOnly})
	c := dial(t, s, contact, "CA00000000000000000000000000000002")
	if c.TwiML.Kind != relayclient.KindRecord || len(c.TwiML.Say) == 0 ||
		c.TwiML.Say[0] != "We're closed for the day. Please leave a message after the beep." || c.TwiML.Record["transcribe"] != "true" {
		t.Fatalf("twiml = %+v", c.TwiML)
	}
	action := c.TwiML.Record["action"]
	u, _ := url.Parse(action)
	id := u.Query().Get("call_id")
	path := u.Path + "?" + u.RawQuery
	form := url.Values{"CallSid": {c.SID}, "RecordingUrl": {"https://api.twilio.com/rec/RE1"}, "RecordingDuration": {"12"}}
	for i := 0; i < 2; i++ {
		if st, body := s.PostTwilio(path, s.App.SandboxToken, form, ""); st != 200 || !strings.Contains(body, "<Hangup") {
			t.Fatalf("recording callback = %d %s", st, body)
		}
	}
	tu, _ := url.Parse(c.TwiML.Record["transcribeCallback"])
	if st, body := s.PostTwilio(tu.Path+"?"+tu.RawQuery, s.App.SandboxToken, url.Values{"CallSid": {c.SID},
		"TranscriptionText": {"Please call me back about my order."}}, ""); st != 200 {
		t.Fatalf("transcription = %d %s", st, body)
	}
	vm, err := calls.VoicemailOf(s.App.Store, s.OrgID(), id)
	if err != nil || vm.DurationS != 12 || vm.Transcript != "Please call me back about my order." || vm.Heard {
		t.Fatalf("voicemail = %+v, %v", vm, err)
	}
	if st, _ := s.PostTwilio("/twilio/voice/status", s.App.SandboxToken, url.Values{"CallSid": {c.SID}, "CallStatus": {"completed"},
		"CallDuration": {"20"}}, ""); st != 200 {
		t.Fatal("status callback failed")
	}
	if cl := storedCall(t, s, id); cl.Status != calls.StatusVoicemail || cl.Route != "voicemail" || cl.EndedAt == nil {
		t.Errorf("call = %+v", cl)
	}
	if n := strings.Count(strings.Join(s.EventTypes(), " "), "voicemail.received"); n != 1 {
		t.Errorf("voicemail.received fired %d times", n)
	}
	s.Holds("no model request for an after-hours call", func() error {
		if n := len(fake.Requests()); n != 0 {
			return fmt.Errorf("the model was asked %d times", n)
		}
		return nil
	})
}

// TestVoiceClosedWithoutVoicemail: after hours with voicemail off, the caller
// hears the message and the call hangs up.
func TestVoiceClosedWithoutVoicemail(t *testing.T) {
	s, _, _ := voiceServer(t, map[string]any{"business_hours_json": saturdaysOnly, "voicemail_enabled": false})
	c := dial(t, s, contact, "")
	if c.TwiML.Kind != relayclient.KindSay || c.TwiML.Say[0] != "We're closed for the day." {
		t.Fatalf("twiml = %+v", c.TwiML)
	}
}

// TestVoiceBlockedCaller: a blocked number is rejected before any AI runs,
// with a minimal call record.
func TestVoiceBlockedCaller(t *testing.T) {
	s, fake, _ := voiceServer(t, nil)
	s.JSON("POST", "/api/blocklist", adminKey, map[string]any{"e164": contact, "reason": "spam"}, 201)
	c := dial(t, s, contact, "CA00000000000000000000000000000003")
	if c.TwiML.Kind != relayclient.KindReject {
		t.Fatalf("twiml = %+v; want a reject", c.TwiML)
	}
	cl, err := calls.BySID(s.App.Store, c.SID)
	if err != nil || cl.Route != "rejected" || cl.Status != calls.StatusCanceled || cl.EndReason != "blocked" || cl.ContactID != "" {
		t.Errorf("call = %+v, %v", cl, err)
	}
	if len(fake.Requests()) != 0 || strings.Contains(strings.Join(s.EventTypes(), " "), "call.") {
		t.Errorf("a blocked call reached the model or the event log: %v", s.EventTypes())
	}
}

// TestVoiceWebhookSignature: forged or unsigned voice webhooks and relay
// upgrades are refused and store nothing.
func TestVoiceWebhookSignature(t *testing.T) {
	s, _, _ := voiceServer(t, nil)
	form := url.Values{"CallSid": {"CA00000000000000000000000000000004"}, "From": {contact}, "To": {ourNumber}, "CallStatus": {"ringing"}}
	if st, _ := s.PostTwilio("/twilio/voice", "wrong-token", form, ""); st != 403 {
		t.Errorf("forged voice webhook = %d; want 403", st)
	}
	if _, err := calls.BySID(s.App.Store, "CA00000000000000000000000000000004"); err == nil {
		t.Error("a forged webhook stored a call")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := relayclient.Dial(ctx, relayclient.Options{URL: strings.Replace(relay.WSURL(s.URL), "ws://", "ws://", 1), AuthToken: "wrong-token"})
	if err == nil {
		t.Error("a relay upgrade signed with the wrong token was accepted")
	}
	if st, _ := s.PostTwilio("/twilio/voice", s.App.SandboxToken, url.Values{"CallSid": {"CA1"}}, ""); st != 422 {
		t.Errorf("voice webhook without From/To = %d; want 422", st)
	}
}

// TestVoiceAgentSwitch: a transfer to another flow switches agents in place
// (call.flow_switched) and the new agent greets the caller; end_call hangs up.
func TestVoiceAgentSwitch(t *testing.T) {
	s, fake, first := voiceServer(t, nil)
	sales := s.JSON("POST", "/api/flows", adminKey, map[string]any{"name": "Sales", "channel": "voice", "greeting": "Sales here, how can I help?"}, 201)["id"].(string)
	s.JSON("PATCH", "/api/flows/"+first, adminKey, map[string]any{"transfers_json": []any{
		map[string]any{"label": "front desk", "e164": frontDesk}, map[string]any{"label": "sales agent", "flow_id": sales}}}, 200)
	c := dial(t, s, contact, "")
	id := c.TwiML.Parameters["call_id"]
	fake.ReplyToolCall("transfer_call", `{"label":"sales agent"}`)
	fake.ReplyText("One moment.")
	if err := c.Conn.Prompt("I want to buy something"); err != nil {
		t.Fatal(err)
	}
	if text, _ := reply(t, c); text != "One moment." {
		t.Errorf("reply = %q", text)
	}
	if text, _ := reply(t, c); text != "Sales here, how can I help?" {
		t.Errorf("new agent's greeting = %q", text)
	}
	fake.ReplyToolCall("end_call", `{"reason":"done"}`)
	fake.ReplyText("Thanks, goodbye.")
	if err := c.Conn.Prompt("Never mind, bye"); err != nil {
		t.Fatal(err)
	}
	text, frames := reply(t, c)
	if len(frames) == 0 {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		f, err := c.Conn.ReadFrame(ctx)
		if err != nil {
			t.Fatal(err)
		}
		frames = append(frames, f)
	}
	if _, ok := frames[0].(*relay.EndFrame); text != "Thanks, goodbye." || !ok {
		t.Errorf("reply %q, frames %#v; want goodbye then end", text, frames)
	}
	cl := storedCall(t, s, id)
	if cl.FlowID != sales || len(cl.FlowPath) != 2 || cl.FlowPath[0] != first {
		t.Errorf("call flow = %s path %v", cl.FlowID, cl.FlowPath)
	}
	if !strings.Contains(strings.Join(s.EventTypes(), " "), "call.flow_switched") {
		t.Errorf("events = %v", s.EventTypes())
	}
}

// TestOutboundCall places a call through the sandbox carrier and answers it
// as the callee: the task context reaches the prompt; blocklist, business
// hours and flow checks refuse bad requests.
func TestOutboundCall(t *testing.T) {
	s, fake, flowID := voiceServer(t, nil)
	res := s.JSON("POST", "/api/outbound/calls", adminKey, map[string]any{"flow_id": flowID, "to": "+13175550142",
		"task_context": map[string]any{"reason": "Confirm appointment details"}}, 202)
	id := res["call_id"].(string)
	if res["status"] != "queued" {
		t.Errorf("answer = %v", res)
	}
	var placed string
	s.WaitFor("the carrier to place the call", func() error {
		cs := s.App.Sandbox.Calls()
		if len(cs) != 1 {
			return fmt.Errorf("calls = %d", len(cs))
		}
		placed = cs[0].TwiML
		if cl := storedCall(t, s, id); cl.CallSID != cs[0].SID {
			return fmt.Errorf("sid not recorded yet")
		}
		return nil
	})
	pc := s.App.Sandbox.Calls()[0]
	if pc.From != ourNumber || pc.To != "+13175550142" || !strings.Contains(pc.StatusCallback, "call_id="+id) {
		t.Errorf("placed = %+v", pc)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := relayclient.AnswerOutbound(ctx, relayclient.AnswerOptions{HumdURL: s.URL, PublicURL: s.PublicURL, AuthToken: s.App.SandboxToken,
		TwiML: placed, CallSid: pc.SID, From: pc.From, To: pc.To, StatusCallback: pc.StatusCallback})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Conn.Close()
	fake.ReplyText("Hi, I'm calling to confirm your appointment.")
	if err := c.Conn.Prompt("Hello?"); err != nil {
		t.Fatal(err)
	}
	if text, _ := reply(t, c); text != "Hi, I'm calling to confirm your appointment." {
		t.Errorf("reply = %q", text)
	}
	if r := fake.Requests(); !strings.Contains(r[len(r)-1].Instructions, "Confirm appointment details") {
		t.Errorf("instructions lack the task context: %s", r[len(r)-1].Instructions)
	}
	if cl := storedCall(t, s, id); cl.Direction != "outbound" || cl.Status != calls.StatusInProgress {
		t.Errorf("call = %+v", cl)
	}

	s.JSON("POST", "/api/blocklist", adminKey, map[string]any{"e164": "+13175550143"}, 201)
	if code := errCode(t, s, "POST", "/api/outbound/calls", map[string]any{"flow_id": flowID, "to": "+13175550143"}, 409); code != "blocked_number" {
		t.Errorf("blocked = %s", code)
	}
	errCode(t, s, "POST", "/api/outbound/calls", map[string]any{"flow_id": "flow_nope", "to": "+13175550142"}, 422)
	errCode(t, s, "POST", "/api/outbound/calls", map[string]any{"flow_id": flowID, "to": "555"}, 422)
	errCode(t, s, "POST", "/api/outbound/calls", map[string]any{"flow_id": flowID, "to": "+13175550142", "task_context": "x"}, 422)
	s.JSON("PATCH", "/api/flows/"+flowID, adminKey, map[string]any{"business_hours_json": saturdaysOnly}, 200)
	if code := errCode(t, s, "POST", "/api/outbound/calls", map[string]any{"flow_id": flowID, "to": "+13175550142"}, 409); code != "outside_business_hours" {
		t.Errorf("after hours = %s", code)
	}
	s.JSON("POST", "/api/outbound/calls", adminKey, map[string]any{"flow_id": flowID, "to": "+13175550142", "honor_business_hours": false}, 202)
}

// TestVoiceBargeIn: a caller who speaks again while the agent is still
// answering (no interrupt frame) cuts the agent off; the cut line is kept as
// interrupted and the new line is answered.
func TestVoiceBargeIn(t *testing.T) {
	s, fake, _ := voiceServer(t, nil)
	c := dial(t, s, contact, "")
	id := c.TwiML.Parameters["call_id"]
	fake.SetChunkDelay(40 * time.Millisecond)
	fake.ReplyText("Our full list of services is long and I will read all of it to you slowly right now.")
	if err := c.Conn.Prompt("What do you offer?"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := c.Conn.ReadFrame(ctx); err != nil {
		t.Fatal(err)
	}
	fake.SetChunkDelay(0)
	fake.ReplyText("Sure, what time?")
	if err := c.Conn.Prompt("Actually, book me in"); err != nil {
		t.Fatal(err)
	}
	s.WaitFor("the answer to the second line", func() error {
		turns := transcript(t, s, id)
		if n := len(turns); n < 5 || turns[n-1].Text != "Sure, what time?" {
			return fmt.Errorf("%d turns", n)
		}
		if !turns[2].Interrupted || turns[2].Role != "agent" || turns[3].Text != "Actually, book me in" {
			return fmt.Errorf("turns 2-3 = %+v %+v", turns[2], turns[3])
		}
		return nil
	})
}

// TestVoiceSocketNeverOpens: a call answered with the agent's TwiML whose
// relay socket never opens (and no status callback comes) is closed as
// failed after the grace period instead of living on.
func TestVoiceSocketNeverOpens(t *testing.T) {
	s, _, _ := voiceServer(t, nil)
	sid := "CA00000000000000000000000000000009"
	form := url.Values{"CallSid": {sid}, "From": {contact}, "To": {ourNumber}, "CallStatus": {"ringing"}, "Direction": {"inbound"}}
	if st, body := s.PostTwilio("/twilio/voice", s.App.SandboxToken, form, ""); st != 200 || !strings.Contains(body, "ConversationRelay") {
		t.Fatalf("voice webhook = %d %s", st, body)
	}
	cl, err := calls.BySID(s.App.Store, sid)
	if err != nil || cl.EndedAt != nil {
		t.Fatalf("call = %+v, %v", cl, err)
	}
	s.WaitFor("the call to close", func() error {
		s.Clock.Advance(30 * time.Second)
		c, err := calls.BySID(s.App.Store, sid)
		if err != nil {
			return err
		}
		if c.EndedAt == nil || c.Status != calls.StatusFailed || c.EndReason != "relay_never_connected" {
			return fmt.Errorf("call = %s %s", c.Status, c.EndReason)
		}
		return nil
	})
	if !strings.Contains(strings.Join(s.EventTypes(), " "), "call.completed") {
		t.Errorf("events = %v", s.EventTypes())
	}
}

// TestVoiceTextsTheCaller: send_sms needs the caller's consent, goes through
// the SMS pipeline to the caller's number, and stops after two per call.
func TestVoiceTextsTheCaller(t *testing.T) {
	s, fake, _ := voiceServer(t, nil)
	c := dial(t, s, contact, "")
	id := c.TwiML.Parameters["call_id"]
	say := func(prompt string, script func()) string {
		t.Helper()
		script()
		if err := c.Conn.Prompt(prompt); err != nil {
			t.Fatal(err)
		}
		text, _ := reply(t, c)
		return text
	}
	say("Text me the address", func() {
		fake.ReplyToolCall("send_sms", `{"body":"12 Main St","caller_consented":false}`)
		fake.ReplyText("Can I text it to this number?")
	})
	if r := fake.Requests(); !strings.Contains(fmt.Sprint(r[len(r)-1].Input), "ask the caller whether they want a text first") {
		t.Errorf("a text without consent was not refused: %v", r[len(r)-1].Input)
	}
	for i := range 3 {
		say("Yes please", func() {
			fake.ReplyToolCall("send_sms", fmt.Sprintf(`{"body":"12 Main St (%d)","caller_consented":true}`, i))
			fake.ReplyText("Done.")
		})
	}
	if r := fake.Requests(); !strings.Contains(fmt.Sprint(r[len(r)-1].Input), "already sent 2 texts") {
		t.Errorf("the third text was not refused: %v", r[len(r)-1].Input)
	}
	twoTexts := func() error {
		s.Clock.Advance(time.Second) // the number sends one segment a second
		n := 0
		for _, m := range s.App.Sandbox.Sent() {
			if m.To == contact && strings.HasPrefix(m.Body, "12 Main St (") {
				n++
			}
		}
		if n != 2 {
			return fmt.Errorf("%d texts", n)
		}
		return nil
	}
	s.WaitFor("two texts to the caller", twoTexts)
	s.Holds("no third text to the caller", twoTexts)
	if cl := storedCall(t, s, id); cl.TextsSent != 2 {
		t.Errorf("texts_sent = %d", cl.TextsSent)
	}
}
