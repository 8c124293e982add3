package twiliotest_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/humd/humd/actors/sender"
	"github.com/humd/humd/transport/twilio"
	"github.com/humd/humd/transport/twilio/twiliotest"
)

var caSID = regexp.MustCompile(`^CA[0-9a-f]{32}$`)

const relayTwiML = `<?xml version="1.0" encoding="UTF-8"?><Response><Connect action="https://humd.example.com/twilio/voice/action">` +
	`<ConversationRelay url="wss://humd.example.com/twilio/relay"><Parameter name="call_id" value="call_1"/></ConversationRelay></Connect></Response>`

func TestPlaceCall(t *testing.T) {
	s := twiliotest.Start(t, twiliotest.Options{})
	c := client(t, s, 0)
	sid, err := c.PlaceCall(context.Background(), &twilio.PlaceCall{From: ours, To: contact, TwiML: relayTwiML,
		StatusCallback: public + "/twilio/voice/status?call=call_1"})
	if err != nil {
		t.Fatalf("PlaceCall: %v", err)
	}
	if !caSID.MatchString(sid) {
		t.Errorf("PlaceCall sid = %q; want CA and 32 hex", sid)
	}
	calls := s.Calls()
	if len(calls) != 1 {
		t.Fatalf("fake has %d calls; want 1", len(calls))
	}
	got := calls[0]
	if got.SID != sid || got.From != ours || got.To != contact || got.TwiML != relayTwiML || got.URL != "" ||
		got.StatusCallback != public+"/twilio/voice/status?call=call_1" || got.StatusCallbackMethod != "POST" ||
		!slices.Equal(got.StatusCallbackEvents, []string{"initiated", "ringing", "answered", "completed"}) || got.Status != "queued" {
		t.Errorf("fake recorded %+v", got)
	}
	if n := len(s.Sent()); n != 0 {
		t.Errorf("a call recorded %d messages", n)
	}
}

func TestPlaceCallErrors(t *testing.T) {
	tests := []struct {
		name   string
		script func(s *twiliotest.Server)
		call   twilio.PlaceCall
		want   sender.Error // Message is checked for being non-empty only
	}{
		{"no TwiML, refused before any request", nil, twilio.PlaceCall{From: ours, To: contact}, sender.Error{}},
		{"invalid To", nil, twilio.PlaceCall{From: ours, To: "+1", TwiML: relayTwiML}, sender.Error{Code: 21211, Status: 400}},
		{"scripted busy account", func(s *twiliotest.Server) { s.FailNextCall(20429, 429, "Too Many Requests") },
			twilio.PlaceCall{From: ours, To: contact, TwiML: relayTwiML}, sender.Error{Code: 20429, Status: 429, Retryable: true}},
		{"scripted server error", func(s *twiliotest.Server) { s.FailNextCall(20500, 500, "Internal Server Error") },
			twilio.PlaceCall{From: ours, To: contact, TwiML: relayTwiML}, sender.Error{Code: 20500, Status: 500, Retryable: true}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := twiliotest.Start(t, twiliotest.Options{})
			if tc.script != nil {
				tc.script(s)
			}
			_, err := client(t, s, 0).PlaceCall(context.Background(), &tc.call)
			var se *sender.Error
			if !errors.As(err, &se) {
				t.Fatalf("PlaceCall err = %v; want a wrapped *sender.Error", err)
			}
			got := *se
			got.Message = ""
			if got != tc.want || se.Message == "" {
				t.Errorf("PlaceCall err = %+v; want %+v with a message", *se, tc.want)
			}
			if n := len(s.Calls()); n != 0 {
				t.Errorf("fake recorded %d calls for a refused one", n)
			}
		})
	}
}

// FailNextCall spares other requests and is one-shot.
func TestFailNextCallOnlyCalls(t *testing.T) {
	s := twiliotest.Start(t, twiliotest.Options{})
	c := client(t, s, 0)
	s.FailNextCall(20429, 429, "Too Many Requests")
	if _, err := c.Send(context.Background(), &sender.Outbound{From: ours, To: contact, Body: "hi"}); err != nil {
		t.Fatalf("Send with a call failure queued: %v", err)
	}
	p := &twilio.PlaceCall{From: ours, To: contact, TwiML: relayTwiML}
	if _, err := c.PlaceCall(context.Background(), p); err == nil {
		t.Fatal("first PlaceCall succeeded; want 429")
	}
	if _, err := c.PlaceCall(context.Background(), p); err != nil {
		t.Fatalf("second PlaceCall: %v", err)
	}
}

func TestCheckFromCalls(t *testing.T) {
	s := twiliotest.Start(t, twiliotest.Options{CheckFrom: true})
	s.SetNumbers([]twilio.Number{{E164: ours, Voice: true}})
	c := client(t, s, 0)
	_, err := c.PlaceCall(context.Background(), &twilio.PlaceCall{From: "+13175550111", To: contact, TwiML: relayTwiML})
	var se *sender.Error
	if !errors.As(err, &se) || se.Code != 21210 {
		t.Errorf("PlaceCall from a foreign number = %v; want 21210", err)
	}
	if _, err := c.PlaceCall(context.Background(), &twilio.PlaceCall{From: ours, To: contact, TwiML: relayTwiML}); err != nil {
		t.Errorf("PlaceCall from our number: %v", err)
	}
}

func TestPlayCallStatus(t *testing.T) {
	s := twiliotest.Start(t, twiliotest.Options{})
	h := &hook{token: s.AuthToken}
	humd := httptest.NewServer(h)
	defer humd.Close()
	s.SetCallbackTarget(public, humd.URL)
	sid, err := client(t, s, 0).PlaceCall(context.Background(), &twilio.PlaceCall{From: ours, To: contact, TwiML: relayTwiML,
		StatusCallback: public + "/twilio/voice/status?call=call_1"})
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range []string{"initiated", "ringing", "in-progress"} {
		if err := s.PlayCallStatus(sid, st, nil); err != nil {
			t.Fatalf("PlayCallStatus %s: %v", st, err)
		}
	}
	if err := s.PlayCallStatus(sid, "completed", url.Values{"CallDuration": {"42"}}); err != nil {
		t.Fatal(err)
	}
	h.mu.Lock()
	if len(h.got) != 4 {
		t.Fatalf("humd got %d callbacks; want 4", len(h.got))
	}
	for i, st := range []string{"initiated", "ringing", "in-progress", "completed"} {
		f := h.got[i]
		if !h.valid[i] || h.paths[i] != "/twilio/voice/status?call=call_1" || f.Get("CallSid") != sid || f.Get("CallStatus") != st ||
			f.Get("Direction") != "outbound-api" || f.Get("From") != ours || f.Get("To") != contact || f.Get("SequenceNumber") != string(rune('0'+i)) {
			t.Errorf("callback %d (valid %v, %s) = %v", i, h.valid[i], h.paths[i], f)
		}
	}
	if h.got[3].Get("CallDuration") != "42" {
		t.Errorf("completed CallDuration = %q; want 42", h.got[3].Get("CallDuration"))
	}
	h.mu.Unlock()
	if st := s.Calls()[0].Status; st != "completed" {
		t.Errorf("fake's call status = %q; want completed", st)
	}
	if err := s.PlayCallStatus("CAnope", "completed", nil); err == nil {
		t.Error("PlayCallStatus of an unknown sid answered nil")
	}
}

// A call Twilio may have taken is never retryable: retrying could ring the
// person twice.
func TestPlaceCallTimeoutIsNotRetryable(t *testing.T) {
	s := twiliotest.Start(t, twiliotest.Options{})
	s.Delay(5 * time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := client(t, s, 0).PlaceCall(ctx, &twilio.PlaceCall{From: ours, To: contact, TwiML: relayTwiML})
	var se *sender.Error
	if !errors.As(err, &se) || se.Retryable {
		t.Errorf("PlaceCall past its ctx = %v; want a non-retryable *sender.Error", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("PlaceCall took %v with a 100ms ctx", d)
	}
	if n := len(s.Calls()); n != 1 {
		t.Errorf("fake has %d calls; want the 1 it took", n)
	}
}
