package relayclient

import (
	"context"
	"errors"
	"regexp"
	"testing"
	"time"

	"github.com/twilio/twilio-go/twiml"

	"github.com/humd/humd/transport/relay"
)

var caSID = regexp.MustCompile(`^CA[0-9a-f]{32}$`)

func connectTwiML(t *testing.T) string {
	t.Helper()
	return voice(t, &twiml.VoiceConnect{Action: public + "/twilio/voice/action?call=call_1",
		InnerElements: []twiml.Element{&twiml.VoiceConversationRelay{Url: relay.WSURL(public), WelcomeGreeting: "Hello, this is Acme.",
			InnerElements: []twiml.Element{&twiml.VoiceParameter{Name: "call_id", Value: "call_1"}}}}})
}

func TestPlaceInbound(t *testing.T) {
	f := startFake(t, connectTwiML(t), loopback(t))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	call, err := PlaceInbound(ctx, InboundOptions{HumdURL: f.addr, PublicURL: public + "/", AuthToken: token,
		From: "+13175550199", To: "+13175550100"})
	if err != nil {
		t.Fatal(err)
	}
	defer call.Conn.Close()
	if !caSID.MatchString(call.SID) || call.Greeting != "Hello, this is Acme." || call.TwiML.Kind != KindConnect || call.Conn == nil {
		t.Fatalf("call = %+v", call)
	}
	hooks := f.hookList()
	if len(hooks) != 1 || hooks[0].path != "/twilio/voice" || !hooks[0].valid {
		t.Fatalf("humd got %+v; want one signed /twilio/voice", hooks)
	}
	want := map[string]string{"CallSid": call.SID, "AccountSid": call.AccountSID, "From": "+13175550199", "To": "+13175550100",
		"Caller": "+13175550199", "Called": "+13175550100", "Direction": "inbound", "CallStatus": "ringing", "ApiVersion": "2010-04-01"}
	for k, v := range want {
		if got := hooks[0].form.Get(k); got != v {
			t.Errorf("voice webhook %s = %q; want %q", k, got, v)
		}
	}

	setup := f.waitFrames(t, 1)[0].(*relay.Setup)
	if setup.CallSID != call.SID || setup.AccountSID != call.AccountSID || setup.From != "+13175550199" ||
		setup.To != "+13175550100" || setup.Direction != "inbound" || setup.CustomParameters["call_id"] != "call_1" {
		t.Errorf("setup = %+v", setup)
	}
	if err := call.Conn.Prompt("hi"); err != nil {
		t.Fatal(err)
	}
	if text, _, err := call.Conn.Reply(ctx); err != nil || text != "You said hi." {
		t.Errorf("Reply = %q, %v", text, err)
	}

	next, err := call.PostAction(ctx, `{"reason":"transfer"}`, nil)
	if err != nil || next.Kind != KindHangup {
		t.Errorf("PostAction = %+v, %v; want the fake's hangup", next, err)
	}
	if err := call.Hangup(ctx); err != nil {
		t.Fatalf("Hangup: %v", err)
	}
	hooks = f.hookList()
	if len(hooks) != 3 {
		t.Fatalf("humd got %d webhooks; want voice, action, status", len(hooks))
	}
	action, status := hooks[1], hooks[2]
	if action.path != "/twilio/voice/action?call=call_1" || !action.valid || action.form.Get("HandoffData") != `{"reason":"transfer"}` ||
		action.form.Get("CallSid") != call.SID || action.form.Get("SessionStatus") != "ended" {
		t.Errorf("action webhook = %+v", action)
	}
	if status.path != "/twilio/voice/status" || !status.valid || status.form.Get("CallStatus") != "completed" ||
		status.form.Get("CallSid") != call.SID || status.form.Get("CallDuration") == "" || status.form.Get("SequenceNumber") != "0" {
		t.Errorf("status webhook = %+v", status)
	}
	if _, err := call.Conn.ReadFrame(ctx); !errors.Is(err, ErrClosed) {
		t.Errorf("ReadFrame after Hangup = %v; want ErrClosed", err)
	}
}

func TestPlaceInboundNoRelay(t *testing.T) {
	doc := voice(t, &twiml.VoiceSay{Message: "Leave a message."}, &twiml.VoiceRecord{MaxLength: "60"})
	f := startFake(t, doc, loopback(t))
	call, err := PlaceInbound(context.Background(), InboundOptions{HumdURL: f.addr, AuthToken: token,
		PublicURL: public, From: "+13175550199", To: "+13175550100", CallSid: "CA0123"})
	if err != nil {
		t.Fatal(err)
	}
	if call.SID != "CA0123" || call.Conn != nil || call.TwiML.Kind != KindRecord || call.TwiML.Say[0] != "Leave a message." {
		t.Errorf("call = %+v, TwiML %+v", call, call.TwiML)
	}
	f.mu.Lock()
	sockets := f.socket
	f.mu.Unlock()
	if sockets != 0 {
		t.Errorf("a voicemail opened %d relay sockets", sockets)
	}
}

func TestPlaceInboundRefused(t *testing.T) {
	f := startFake(t, connectTwiML(t), loopback(t))
	_, err := PlaceInbound(context.Background(), InboundOptions{HumdURL: f.addr, PublicURL: public, AuthToken: "wrongtoken",
		From: "+13175550199", To: "+13175550100"})
	var se *StatusError
	if !errors.As(err, &se) || se.StatusCode != 403 {
		t.Errorf("PlaceInbound with a wrong token = %v; want a 403 *StatusError", err)
	}
	if _, err := PlaceInbound(context.Background(), InboundOptions{HumdURL: f.addr}); err == nil {
		t.Error("PlaceInbound without From and To succeeded")
	}
}

func TestAnswerOutbound(t *testing.T) {
	f := startFake(t, "", loopback(t))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	call, err := AnswerOutbound(ctx, AnswerOptions{HumdURL: f.addr, PublicURL: public, AuthToken: token, TwiML: connectTwiML(t),
		CallSid: "CA42", From: "+13175550100", To: "+13175550199", StatusCallback: public + "/twilio/voice/status?call=call_1"})
	if err != nil {
		t.Fatal(err)
	}
	defer call.Conn.Close()
	setup := f.waitFrames(t, 1)[0].(*relay.Setup)
	if setup.Direction != "outbound-api" || setup.CallSID != "CA42" || setup.From != "+13175550100" || setup.CustomParameters["call_id"] != "call_1" {
		t.Errorf("setup = %+v", setup)
	}
	if err := call.Status(ctx, "answered", nil); err != nil {
		t.Fatal(err)
	}
	if err := call.Status(ctx, "completed", map[string][]string{"CallDuration": {"42"}}); err != nil {
		t.Fatal(err)
	}
	hooks := f.hookList()
	if len(hooks) != 2 {
		t.Fatalf("humd got %+v; want two status callbacks", hooks)
	}
	for i, st := range []string{"answered", "completed"} {
		h := hooks[i]
		if h.path != "/twilio/voice/status?call=call_1" || !h.valid || h.form.Get("CallStatus") != st ||
			h.form.Get("Direction") != "outbound-api" || h.form.Get("SequenceNumber") != string(rune('0'+i)) {
			t.Errorf("status %d = %+v", i, h)
		}
	}
	if hooks[1].form.Get("CallDuration") != "42" {
		t.Errorf("CallDuration = %q; want the extra's 42", hooks[1].form.Get("CallDuration"))
	}
}

func TestRebase(t *testing.T) {
	c := newCall("http://127.0.0.1:8080/", "https://example.com/humd", "", "", nil, nil)
	tests := []struct{ in, http, ws string }{
		{"https://example.com/humd/twilio/voice/action?x=1", "http://127.0.0.1:8080/twilio/voice/action?x=1", ""},
		{"wss://example.com/humd/twilio/relay", "", "ws://127.0.0.1:8080/twilio/relay"},
		{"https://example.com/humdfoo/x", "https://example.com/humdfoo/x", ""},
		{"wss://elsewhere.example/relay", "", "wss://elsewhere.example/relay"},
	}
	for _, tc := range tests {
		if tc.http != "" {
			if got := c.httpTarget(tc.in); got != tc.http {
				t.Errorf("httpTarget(%q) = %q; want %q", tc.in, got, tc.http)
			}
		}
		if tc.ws != "" {
			if got := c.wsTarget(tc.in); got != tc.ws {
				t.Errorf("wsTarget(%q) = %q; want %q", tc.in, got, tc.ws)
			}
		}
	}
	if c.statusCallback != "https://example.com/humd/twilio/voice/status" {
		t.Errorf("default status callback = %q", c.statusCallback)
	}
}
