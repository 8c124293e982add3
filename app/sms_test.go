package app_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/humd/humd/app/apptest"
)

const (
	ourNumber = "+15005550006"
	contact   = "+13175550100"
)

// inbound posts a correctly signed inbound webhook and checks it is acknowledged.
func inbound(t *testing.T, s *apptest.Server, sid, from, body string) {
	t.Helper()
	status, raw := s.PostTwilio("/twilio/sms", s.App.SandboxToken, apptest.InboundForm(sid, from, ourNumber, body), "")
	if status != 200 || !strings.Contains(raw, "<Response") {
		t.Fatalf("inbound %s: %d %s; want 200 TwiML", sid, status, raw)
	}
}

// textAI sends one inbound text to a flow with a 2 s debounce, lets the
// window pass and waits for the AI's reply; it answers the thread's id.
func textAI(t *testing.T, s *apptest.Server, sid, body, wantReply string) string {
	t.Helper()
	inbound(t, s, sid, contact, body)
	s.Clock.Advance(2 * time.Second)
	conv := onlyConversation(t, s)["id"].(string)
	s.Settle("one AI reply", func() error {
		if msgs := s.Messages(conv); len(msgs) != 2 || msgs[1]["body"] != wantReply {
			return fmt.Errorf("thread = %v", msgs)
		}
		return nil
	})
	return conv
}

func onlyConversation(t *testing.T, s *apptest.Server) map[string]any {
	t.Helper()
	res := s.JSON("GET", "/api/sms/conversations", adminKey, nil, 200)
	data := res["data"].([]any)
	if len(data) != 1 {
		t.Fatalf("conversations = %v; want exactly one", data)
	}
	return data[0].(map[string]any)
}

func TestInboundStoredOnceAndSignatureChecked(t *testing.T) {
	s := apptest.Start(t, apptest.Options{})
	s.AddNumber(ourNumber, 1)
	inbound(t, s, "SM00000000000000000000000000000001", contact, "hello there")
	inbound(t, s, "SM00000000000000000000000000000001", contact, "hello there") // Twilio retry
	form := apptest.InboundForm("SM00000000000000000000000000000002", contact, ourNumber, "forged")
	if status, body := s.PostTwilio("/twilio/sms", s.App.SandboxToken, form, "AAAAforgedAAAA="); status != 403 || !strings.Contains(string(body), `"invalid_signature"`) {
		t.Errorf("forged signature: %d %s; want 403 invalid_signature", status, body)
	}
	if status, _ := s.PostTwilio("/twilio/sms", "wrongtoken", form, ""); status != 403 {
		t.Errorf("signature with another token: %d; want 403", status)
	}
	conv := onlyConversation(t, s)
	if conv["unread_count"].(float64) != 1 || conv["status"] != "open" {
		t.Errorf("conversation = %v; want open with 1 unread", conv)
	}
	msgs := s.Messages(conv["id"].(string))
	if len(msgs) != 1 || msgs[0]["body"] != "hello there" || msgs[0]["direction"] != "inbound" {
		t.Fatalf("messages = %v; want the one inbound text", msgs)
	}
	types := strings.Join(s.EventTypes(), ",")
	if types != "conversation.started,sms.received" {
		t.Errorf("events = %s; want conversation.started,sms.received", types)
	}
}

func TestSendDeliveredThroughSandbox(t *testing.T) {
	s := apptest.Start(t, apptest.Options{})
	s.AddNumber(ourNumber, 1)
	inbound(t, s, "SM00000000000000000000000000000010", contact, "hi")
	conv := onlyConversation(t, s)
	id := conv["id"].(string)
	res := s.JSON("POST", "/api/sms/conversations/"+id+"/messages", adminKey, map[string]any{"body": "hello back"}, 201)
	if res["message"].(map[string]any)["status"] != "queued" {
		t.Fatalf("send = %v; want queued", res)
	}
	s.Settle("carrier got the text once", func() error {
		if n := len(s.App.Sandbox.Sent()); n != 1 {
			return fmt.Errorf("sandbox has %d sends", n)
		}
		return nil
	})
	s.WaitFor("provider id recorded", func() error {
		m := s.Messages(id)[1]
		if m["provider_message_id"] == nil {
			return fmt.Errorf("outbound = %v", m)
		}
		return nil
	})
	s.Clock.Advance(2 * time.Second) // the sandbox plays sent, then delivered
	s.WaitFor("delivered", func() error {
		if st := s.Messages(id)[1]["status"]; st != "delivered" {
			return fmt.Errorf("status %v", st)
		}
		return nil
	})
	got := strings.Join(s.EventTypes(), ",")
	if got != "conversation.started,sms.received,sms.sent,sms.delivered" {
		t.Errorf("events = %s", got)
	}
	sent := s.App.Sandbox.Sent()[0]
	if sent.From != ourNumber || sent.To != contact || sent.Body != "hello back" {
		t.Errorf("carrier got %+v", sent)
	}
}

func TestStopWinsOverQueuedSends(t *testing.T) {
	s := apptest.Start(t, apptest.Options{})
	s.AddNumber(ourNumber, 0.001) // one segment per 1000 s: sends wait in the sender's queue
	inbound(t, s, "SM00000000000000000000000000000020", contact, "hi")
	id := onlyConversation(t, s)["id"].(string)
	for i := 0; i < 4; i++ {
		s.JSON("POST", "/api/sms/conversations/"+id+"/messages", adminKey, map[string]any{"body": fmt.Sprintf("promo %d", i)}, 201)
	}
	s.WaitFor("first send taken", func() error {
		if n := len(s.App.Sandbox.Sent()); n != 1 {
			return fmt.Errorf("sandbox has %d sends", n)
		}
		return nil
	})
	inbound(t, s, "SM00000000000000000000000000000021", contact, "Stop.")
	s.WaitFor("queued texts settled as opted_out", func() error {
		s.Clock.Advance(1001 * time.Second) // the next queued text gets its token
		opted := 0
		for _, m := range s.Messages(id) {
			if m["status"] == "opted_out" {
				opted++
			}
		}
		if opted != 3 {
			return fmt.Errorf("%d opted_out", opted)
		}
		return nil
	})
	for _, r := range s.App.Sandbox.Sent() {
		if strings.HasPrefix(r.Body, "promo") && r.Body != "promo 0" {
			t.Errorf("carrier got %q after STOP", r.Body)
		}
	}
	// The STOP confirmation itself goes out (system replies bypass opt-out).
	s.WaitFor("stop confirmation", func() error {
		s.Clock.Advance(1001 * time.Second)
		for _, r := range s.App.Sandbox.Sent() {
			if strings.Contains(r.Body, "unsubscribed") {
				return nil
			}
		}
		return fmt.Errorf("no confirmation in %v", s.App.Sandbox.Sent())
	})
	// A new send to the opted-out contact is stored as opted_out, provider never called.
	res := s.JSON("POST", "/api/sms/conversations/"+id+"/messages", adminKey, map[string]any{"body": "one more"}, 200)
	if res["message"].(map[string]any)["status"] != "opted_out" {
		t.Errorf("send after STOP = %v; want opted_out", res)
	}
	s.Holds("the carrier never gets a text after STOP", func() error {
		s.Clock.Advance(1001 * time.Second)
		for _, r := range s.App.Sandbox.Sent() {
			if r.Body == "one more" || (strings.HasPrefix(r.Body, "promo") && r.Body != "promo 0") {
				return fmt.Errorf("carrier got %q", r.Body)
			}
		}
		return nil
	})
}

func TestIdleThreadsPassivateAndReload(t *testing.T) {
	s := apptest.Start(t, apptest.Options{})
	s.AddNumber(ourNumber, 1)
	inbound(t, s, "SM00000000000000000000000000000030", contact, "one")
	if n := s.App.Threads.Live(); n != 1 {
		t.Fatalf("live threads after inbound = %d; want 1", n)
	}
	s.WaitFor("passivated", func() error {
		s.Clock.Advance(time.Minute)
		if n := s.App.Threads.Live(); n != 0 {
			return fmt.Errorf("%d live", n)
		}
		return nil
	})
	inbound(t, s, "SM00000000000000000000000000000031", contact, "two")
	conv := onlyConversation(t, s)
	if conv["unread_count"].(float64) != 2 {
		t.Errorf("unread after reload = %v; want 2 (state came back from Pebble)", conv["unread_count"])
	}
	if msgs := s.Messages(conv["id"].(string)); len(msgs) != 2 || msgs[1]["body"] != "two" || msgs[1]["seq"].(float64) != 2 {
		t.Errorf("messages after reload = %v", msgs)
	}
}
