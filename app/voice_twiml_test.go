package app_test

import (
	"strings"
	"testing"

	"net/url"

	"github.com/humd/humd/app/apptest"
)

// voiceRetries posts the same call's voice webhook n times, as Twilio's
// retries do, and answers the first TwiML after checking every other one is
// the same, byte for byte.
func voiceRetries(t *testing.T, s *apptest.Server, sid string, n int) string {
	t.Helper()
	form := url.Values{"CallSid": {sid}, "AccountSid": {"AC00000000000000000000000000000001"},
		"From": {contact}, "To": {ourNumber}, "CallStatus": {"ringing"}, "Direction": {"inbound"}}
	var first string
	for i := range n {
		status, body := s.PostTwilio("/twilio/voice", s.App.SandboxToken, form, "")
		if status != 200 {
			t.Fatalf("voice webhook = %d %s", status, body)
		}
		if i == 0 {
			first = body
		} else if body != first {
			t.Fatalf("retry %d answered\n%s\nnot the first answer\n%s", i, body, first)
		}
	}
	return first
}

// TestVoiceTwiMLIsStableOnRetry: Twilio retries a webhook it got no answer
// to, and the same call must get the same TwiML, byte for byte. twilio-go's
// builder sets attributes from a map, so each answer used to order them
// anew; humd writes every element's attributes in name order.
func TestVoiceTwiMLIsStableOnRetry(t *testing.T) {
	s, _, _ := voiceServer(t, map[string]any{"voice_id": "en-US-Journey-O"})
	connect := voiceRetries(t, s, "CA00000000000000000000000000000072", 20)
	for _, want := range []string{`<Connect action="`, `<ConversationRelay dtmfDetection="true" interruptible="any" url="`,
		`" voice="en-US-Journey-O" welcomeGreeting="Hi, this is Acme.">`, `<Parameter name="flow_id" value="`} {
		if !strings.Contains(connect, want) {
			t.Errorf("TwiML %s lacks %s", connect, want)
		}
	}

	// A voicemail (closed on a Wednesday): <Record> has five attributes.
	vm, _, _ := voiceServer(t, map[string]any{"business_hours_json": saturdaysOnly})
	record := voiceRetries(t, vm, "CA00000000000000000000000000000073", 20)
	if want := `<Record action="`; !strings.Contains(record, want) || !strings.Contains(record, `" maxLength="120" playBeep="true" transcribe="true" transcribeCallback="`) {
		t.Errorf("voicemail TwiML %s: <Record> attributes not in name order", record)
	}
}
