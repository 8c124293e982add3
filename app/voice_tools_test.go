package app_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/humd/humd/app/apptest"
	"github.com/humd/humd/transport/llm/llmtest"
	"github.com/humd/humd/transport/relay"
	"github.com/humd/humd/transport/relay/relayclient"
)

// lastRequest answers the newest model request.
func lastRequest(t *testing.T, fake *llmtest.Server) llmtest.Request {
	t.Helper()
	reqs := fake.Requests()
	if len(reqs) == 0 {
		t.Fatal("no model request")
	}
	return reqs[len(reqs)-1]
}

// answerOutbound places an outbound call with flowID and answers it as the
// callee over the relay socket; it answers the call and its id.
func answerOutbound(t *testing.T, s *apptest.Server, flowID, to string) (*relayclient.Call, string) {
	t.Helper()
	before := len(s.App.Sandbox.Calls())
	id := s.JSON("POST", "/api/outbound/calls", adminKey, map[string]any{"flow_id": flowID, "to": to}, 202)["call_id"].(string)
	s.WaitFor("the carrier to place the call", func() error {
		if cs := s.App.Sandbox.Calls(); len(cs) != before+1 || storedCall(t, s, id).CallSID != cs[before].SID {
			return fmt.Errorf("not placed yet")
		}
		return nil
	})
	pc := s.App.Sandbox.Calls()[before]
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := relayclient.AnswerOutbound(ctx, relayclient.AnswerOptions{HumdURL: s.URL, PublicURL: s.PublicURL, AuthToken: s.App.SandboxToken,
		TwiML: pc.TwiML, CallSid: pc.SID, From: pc.From, To: pc.To, StatusCallback: pc.StatusCallback})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Conn.Close() })
	return c, id
}

// TestVoiceSendDigits: on a call it placed, the agent gets through a phone
// menu with send_digits, which reaches Twilio as a sendDigits frame (D-4).
// Keys outside 0-9 * # w W are refused and nothing is sent. Inbound calls do
// not offer the tool unless the flow lists it.
func TestVoiceSendDigits(t *testing.T) {
	s, fake, flowID := voiceServer(t, nil)
	c, id := answerOutbound(t, s, flowID, "+13175550142")
	fake.ReplyToolCall("send_digits", `{"digits":"2w#"}`)
	fake.ReplyText("I chose billing.")
	if err := c.Conn.Prompt("For sales press one, for billing press two."); err != nil {
		t.Fatal(err)
	}
	text, frames := reply(t, c)
	if text != "I chose billing." {
		t.Errorf("reply = %q", text)
	}
	reqs := fake.Requests()
	if names := toolNames(reqs[len(reqs)-2]); !slices.Contains(names, "send_digits") {
		t.Errorf("outbound call tools = %v; want send_digits offered", names)
	}
	if len(frames) != 1 {
		t.Fatalf("frames besides the text = %#v; want one sendDigits", frames)
	}
	if f, ok := frames[0].(*relay.SendDigitsFrame); !ok || f.Digits != "2w#" {
		t.Errorf("frame = %#v; want sendDigits 2w#", frames[0])
	}

	fake.ReplyToolCall("send_digits", `{"digits":"1; DROP"}`)
	fake.ReplyText("That did not work.")
	if err := c.Conn.Prompt("Please enter your account number."); err != nil {
		t.Fatal(err)
	}
	if text, frames := reply(t, c); text != "That did not work." || len(frames) != 0 {
		t.Errorf("reply = %q, frames %#v; want no frame for bad digits", text, frames)
	}
	if in := fmt.Sprint(lastRequest(t, fake).Input); !strings.Contains(in, "digits must be") {
		t.Errorf("bad digits were not refused to the model: %s", in)
	}
	if cl := storedCall(t, s, id); cl.ToolCount != 2 {
		t.Errorf("tool_count = %d; want both attempts recorded", cl.ToolCount)
	}

	// Inbound: not offered by default.
	in := dial(t, s, contact, "")
	fake.ReplyText("Hello.")
	if err := in.Conn.Prompt("Hi"); err != nil {
		t.Fatal(err)
	}
	reply(t, in)
	if names := toolNames(lastRequest(t, fake)); slices.Contains(names, "send_digits") {
		t.Errorf("inbound call tools = %v; want no send_digits by default", names)
	}
}

// TestVoiceBuiltinAllowList: tools_json.builtin limits the built-in tools a
// call's model is offered, and a tool it was not offered is refused if the
// model names it anyway; unknown names are 422 on save. opt_out is offered
// whatever the list says (a request not to be contacted is always honoured).
func TestVoiceBuiltinAllowList(t *testing.T) {
	s, fake, flowID := voiceServer(t, map[string]any{"tools_json": map[string]any{"builtin": []any{"end_call"}}})
	c := dial(t, s, contact, "")
	fake.ReplyToolCall("transfer_call", `{"label":"front desk"}`)
	fake.ReplyText("Let me help you myself.")
	if err := c.Conn.Prompt("Put me through to the front desk"); err != nil {
		t.Fatal(err)
	}
	if text, frames := reply(t, c); text != "Let me help you myself." || len(frames) != 0 {
		t.Errorf("reply = %q, frames %#v", text, frames)
	}
	reqs := fake.Requests()
	if names := toolNames(reqs[len(reqs)-2]); !slices.Equal(names, []string{"end_call", "opt_out"}) {
		t.Errorf("tools offered = %v; want only end_call and opt_out", names)
	}
	if in := fmt.Sprint(lastRequest(t, fake).Input); !strings.Contains(in, "not enabled") {
		t.Errorf("a tool outside the allow-list was not refused: %s", in)
	}
	if ev := strings.Join(s.EventTypes(), " "); strings.Contains(ev, "call.transferred") {
		t.Errorf("events = %s; want no transfer", ev)
	}

	if msg := fieldErr(t, s, "PATCH", "/api/flows/"+flowID, map[string]any{"tools_json": map[string]any{"builtin": []any{"end_call", "hang_up"}}},
		"tools_json.builtin[1]"); !strings.Contains(msg, "send_digits") {
		t.Errorf("unknown tool message = %q; want the known names", msg)
	}
	// Listed explicitly, send_digits is offered on inbound calls too (from
	// the next call: a call keeps the flow it was answered with).
	s.JSON("PATCH", "/api/flows/"+flowID, adminKey, map[string]any{"tools_json": map[string]any{"builtin": []any{"lookup_knowledge", "send_digits"}}}, 200)
	c2 := dial(t, s, contact, "")
	fake.ReplyText("Sure.")
	if err := c2.Conn.Prompt("What else can you do?"); err != nil {
		t.Fatal(err)
	}
	reply(t, c2)
	if names := toolNames(lastRequest(t, fake)); !slices.Equal(names, []string{"lookup_knowledge", "opt_out", "send_digits"}) {
		t.Errorf("tools offered after the PATCH = %v", names)
	}
}
