package app_test

import (
	"fmt"
	"io"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/humd/humd/app"
	"github.com/humd/humd/app/apptest"
	"github.com/humd/humd/transport/twilio"
	"github.com/humd/humd/transport/twilio/twiliotest"
)

// startWithTwilio runs humd in Twilio mode: twilio-go pointed at a fake
// Twilio REST server through TWILIO_API_BASE, and the fake's webhooks aimed
// at humd's loopback address while signed over HUMD_PUBLIC_URL.
func startWithTwilio(t *testing.T) (*apptest.Server, *twiliotest.Server) {
	t.Helper()
	tw := twiliotest.Start(t, twiliotest.Options{CheckFrom: true})
	s := apptest.Start(t, apptest.Options{Config: app.Config{TwilioAccountSID: twiliotest.DefaultAccountSID,
		TwilioAuthToken: twiliotest.DefaultAuthToken, TwilioAPIBase: tw.URL}})
	tw.SetCallbackTarget(s.PublicURL, s.URL)
	tw.SetNumbers([]twilio.Number{{E164: ourNumber, FriendlyName: "Main line", Voice: true, SMS: true, MMS: true}})
	sync := s.JSON("POST", "/api/numbers/sync", adminKey, nil, 200)
	added := sync["added"].([]any)
	if sync["provider"] != "twilio" || len(added) != 1 {
		t.Fatalf("sync = %v; want the Twilio number added", sync)
	}
	n := added[0].(map[string]any)
	if !strings.HasPrefix(fmt.Sprint(n["provider_sid"]), "PN") {
		t.Errorf("synced number = %v; want Twilio's PN sid", n)
	}
	s.JSON("PATCH", "/api/numbers/"+n["id"].(string), adminKey, map[string]any{"sms_enabled": true}, 200)
	return s, tw
}

func twilioInbound(t *testing.T, s *apptest.Server, tw *twiliotest.Server, body string, extra url.Values) {
	t.Helper()
	resp, err := tw.SendInbound(s.URL, s.PublicURL, contact, ourNumber, body, extra)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(raw), "<Response") {
		t.Fatalf("inbound %q: %d %s", body, resp.StatusCode, raw)
	}
}

func waitSent(t *testing.T, s *apptest.Server, tw *twiliotest.Server, n int) []twiliotest.Message {
	t.Helper()
	s.Settle(fmt.Sprintf("%d texts at Twilio", n), func() error {
		if got := len(tw.Sent()); got != n {
			return fmt.Errorf("twilio has %d", got)
		}
		return nil
	})
	return tw.Sent()
}

func TestTwilioEndToEnd(t *testing.T) {
	s, tw := startWithTwilio(t)
	retry := url.Values{"MessageSid": {"SM11111111111111111111111111111111"}, "SmsSid": {"SM11111111111111111111111111111111"}}
	twilioInbound(t, s, tw, "hello from a phone", retry)
	twilioInbound(t, s, tw, "hello from a phone", retry) // Twilio retries the same MessageSid
	conv := onlyConversation(t, s)
	id := conv["id"].(string)
	if msgs := s.Messages(id); len(msgs) != 1 {
		t.Fatalf("messages after a retried webhook = %d; want 1", len(msgs))
	}

	s.JSON("POST", "/api/sms/conversations/"+id+"/messages", adminKey, map[string]any{"body": "hi, how can we help?"}, 201)
	m := waitSent(t, s, tw, 1)[0]
	if m.From != ourNumber || m.To != contact || m.Body != "hi, how can we help?" || m.StatusCallback != s.PublicURL+"/twilio/sms/status" {
		t.Fatalf("twilio got %+v", m)
	}
	s.WaitFor("sid stored", func() error {
		if got := s.Messages(id)[1]["provider_message_id"]; got != m.SID {
			return fmt.Errorf("provider_message_id = %v; want %s", got, m.SID)
		}
		return nil
	})
	for _, st := range []string{"sent", "delivered", "sent", "delivered"} { // duplicates and a late "sent"
		if err := tw.PlayStatus(m.SID, st, nil); err != nil {
			t.Fatal(err)
		}
	}
	if st := s.Messages(id)[1]["status"]; st != "delivered" {
		t.Errorf("status = %v; want delivered (forward only)", st)
	}
	types := strings.Join(s.EventTypes(), ",")
	if types != "conversation.started,sms.received,sms.sent,sms.delivered" {
		t.Errorf("events = %s", types)
	}

	// Twilio refuses the next text (21610: the handset replied STOP to
	// Twilio's own opt-out): stored as failed with the code, never retried.
	tw.FailTo(contact, 21610, 400)
	s.JSON("POST", "/api/sms/conversations/"+id+"/messages", adminKey, map[string]any{"body": "are you there?"}, 201)
	s.Clock.Advance(time.Second) // the number's bucket (1 segment/s) refills
	s.WaitFor("failure stored", func() error {
		last := s.Messages(id)[2]
		if last["status"] != "failed" || last["error_code"] != 21610.0 {
			return fmt.Errorf("message = %v", last)
		}
		return nil
	})
	s.Clock.Advance(10 * time.Minute)
	s.Holds("a refused send is not retried", func() error {
		var attempts int
		for _, r := range tw.Requests() {
			if strings.HasPrefix(r, "POST ") && strings.Contains(r, "/Messages.json") {
				attempts++
			}
		}
		if n := len(tw.Sent()); n != 1 || attempts != 2 {
			return fmt.Errorf("twilio accepted %d texts from %d POST Messages.json; want 1 from 2 (no retry of a 4xx)", n, attempts)
		}
		return nil
	})
}

func TestTwilioStopWhileQueuedSendsNone(t *testing.T) {
	s, tw := startWithTwilio(t)
	num := s.JSON("GET", "/api/numbers", adminKey, nil, 200)["data"].([]any)[0].(map[string]any)
	s.JSON("PATCH", "/api/numbers/"+num["id"].(string), adminKey, map[string]any{"mps": 0.001}, 200)
	twilioInbound(t, s, tw, "hi", nil)
	id := onlyConversation(t, s)["id"].(string)
	// The bucket holds one token: the first text goes out and the rest queue.
	s.JSON("POST", "/api/sms/conversations/"+id+"/messages", adminKey, map[string]any{"body": "welcome"}, 201)
	waitSent(t, s, tw, 1)
	for i := 0; i < 3; i++ {
		s.JSON("POST", "/api/sms/conversations/"+id+"/messages", adminKey, map[string]any{"body": fmt.Sprintf("promo %d", i)}, 201)
	}
	twilioInbound(t, s, tw, "STOP", nil)
	s.WaitFor("queued texts settled as opted_out", func() error {
		s.Clock.Advance(1001 * time.Second)
		opted := 0
		for _, m := range s.Messages(id) {
			if strings.HasPrefix(fmt.Sprint(m["body"]), "promo") && m["status"] == "opted_out" {
				opted++
			}
		}
		if opted != 3 {
			return fmt.Errorf("%d of 3 promos opted_out", opted)
		}
		return nil
	})
	for _, m := range tw.Sent() {
		if strings.HasPrefix(m.Body, "promo") {
			t.Errorf("twilio got %q after STOP", m.Body)
		}
	}
}
