package app_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/humd/humd/app/apptest"
)

// aiTokens reads usage.ai_tokens of GET /api/billing.
func aiTokens(s *apptest.Server) map[string]any {
	return s.JSON("GET", "/api/billing", adminKey, nil, 200)["usage"].(map[string]any)["ai_tokens"].(map[string]any)
}

func wantTokens(t *testing.T, what string, got map[string]any, in, out int64) {
	t.Helper()
	if got["input_tokens"] != float64(in) || got["output_tokens"] != float64(out) {
		t.Errorf("%s = %v; want %d input and %d output tokens", what, got, in, out)
	}
}

// TestSMSRunUsage: an SMS run's record carries the tokens of all its model
// requests (the burst and the tool round), exactly as the provider reported
// them, and billing's ai_tokens sums them.
func TestSMSRunUsage(t *testing.T) {
	s, tw, fake := startTwilioShop(t)
	if got := aiTokens(s); got["total"] != 0.0 {
		t.Fatalf("ai_tokens before any run = %v; want 0", got)
	}

	fake.ReplyToolCall("lookup_knowledge", `{"query":"opening hours"}`)
	fake.ReplyText("We're open 9 to 5 on weekdays.")
	twilioInbound(t, s, tw, "when are you open?", nil)
	s.Clock.Advance(2 * time.Second)
	waitSent(t, s, tw, 1)
	conv := onlyConversation(t, s)["id"].(string)
	run := onlyRun(t, s, conv)
	billed := fake.Usage()
	if n := len(fake.Requests()); n != 2 || billed.InputTokens == 0 {
		t.Fatalf("model requests = %d, billed %+v; want 2 with tokens", n, billed)
	}
	usage, _ := run["usage"].(map[string]any)
	wantTokens(t, "run usage", usage, billed.InputTokens, billed.OutputTokens)
	if got := aiTokens(s); got["input"] != float64(billed.InputTokens) || got["output"] != float64(billed.OutputTokens) ||
		got["total"] != float64(billed.Total()) {
		t.Errorf("billing ai_tokens = %v; want the run's %+v", got, billed)
	}
	if b := s.JSON("GET", "/api/billing", adminKey, nil, 200); fmt.Sprint(b["unrecorded"]) != "[]" {
		t.Errorf("unrecorded = %v; want nothing", b["unrecorded"])
	}
}

// TestVoiceCallUsage: a call's record sums the tokens of its turns (a tool
// round included) and of its post-call summary, and billing counts them.
func TestVoiceCallUsage(t *testing.T) {
	s, fake, _ := voiceServer(t, nil)
	c := dial(t, s, contact, "CA00000000000000000000000000000077")
	id := c.TwiML.Parameters["call_id"]

	fake.ReplyText("We open at nine.")
	if err := c.Conn.Prompt("When do you open?"); err != nil {
		t.Fatal(err)
	}
	if text, _ := reply(t, c); text != "We open at nine." {
		t.Fatalf("reply = %q", text)
	}
	fake.ReplyToolCall("lookup_knowledge", `{"query":"parking"}`)
	fake.ReplyText("Parking is behind the store.")
	if err := c.Conn.Prompt("Where do I park?"); err != nil {
		t.Fatal(err)
	}
	if text, _ := reply(t, c); text != "Parking is behind the store." {
		t.Fatalf("tool reply = %q", text)
	}
	// The reply reaches the caller before the turn (and its tokens) is
	// written, so wait for the record rather than the words.
	turns := fake.Usage()
	s.Settle("the three requests' tokens on the call", func() error {
		if got := storedCall(t, s, id).AIUsage; got.InputTokens != turns.InputTokens || got.OutputTokens != turns.OutputTokens {
			return fmt.Errorf("call usage after the turns = %+v; want %+v", got, turns)
		}
		return nil
	})

	fake.ReplyText(`{"summary":"Caller asked about hours and parking.","key_points":["hours"],"next_actions":[],"outcome_label":"answered"}`)
	hangUpForSummary(t, s, c, id)
	all := fake.Usage()
	if n := len(fake.Requests()); n != 4 || all.InputTokens <= turns.InputTokens {
		t.Fatalf("model requests = %d, billed %+v; want 4, the summary adding tokens", n, all)
	}
	got := s.JSON("GET", "/api/calls/"+id, adminKey, nil, 200)["ai_usage"].(map[string]any)
	wantTokens(t, "call ai_usage", got, all.InputTokens, all.OutputTokens)
	if got := aiTokens(s); got["input"] != float64(all.InputTokens) || got["total"] != float64(all.Total()) {
		t.Errorf("billing ai_tokens = %v; want the call's %+v", got, all)
	}
}

// TestFailedRunsCountTheirTokens: a run whose tool round was answered and
// whose next request then failed still records the answered request's
// tokens (the provider billed them), on the SMS run record and in billing.
func TestFailedRunsCountTheirTokens(t *testing.T) {
	s, tw, fake := startTwilioShop(t)
	fake.ReplyToolCall("lookup_knowledge", `{"query":"opening hours"}`)
	fake.FailNext(400, "the model refused")
	twilioInbound(t, s, tw, "when are you open?", nil)
	s.Clock.Advance(2 * time.Second)
	conv := onlyConversation(t, s)["id"].(string)
	run := onlyRun(t, s, conv)
	billed := fake.Usage()
	if n := len(fake.Requests()); n != 2 || billed.InputTokens == 0 || run["status"] == "completed" {
		t.Fatalf("model requests = %d, billed %+v, run %v; want 2 requests, the first billed, a failed run", n, billed, run["status"])
	}
	usage, _ := run["usage"].(map[string]any)
	wantTokens(t, "failed run usage", usage, billed.InputTokens, billed.OutputTokens)
	if got := aiTokens(s); got["total"] != float64(billed.Total()) {
		t.Errorf("billing ai_tokens = %v; want the failed run's %+v", got, billed)
	}
}

// TestAgentSessionUsage: an agent session sums the tokens of its chat
// replies, a reply that failed after a billed tool round included.
func TestAgentSessionUsage(t *testing.T) {
	s, fake := startCRMVoice(t, "")
	s.JSON("POST", "/api/flows", adminKey, map[string]any{"name": "Agent"}, 201)
	s.JSON("POST", "/api/v1/sessions", adminKey, map[string]any{"agent_id": 1, "session_type": "agent_chat"}, 201)
	usage := func() map[string]any {
		return s.JSON("GET", "/api/v1/sessions/1", adminKey, nil, 200)["session"].(map[string]any)["usage"].(map[string]any)
	}
	fake.ReplyText("Hello! How can I help?")
	s.JSON("POST", "/api/v1/sessions/1/messages", adminKey, map[string]any{"content": "hi"}, 201)
	first := fake.Usage()
	s.WaitFor("the reply's tokens", func() error {
		if u := usage(); u["input_tokens"] != float64(first.InputTokens) || first.InputTokens == 0 {
			return fmt.Errorf("usage %v; billed %+v", u, first)
		}
		return nil
	})
	fake.ReplyToolCall("lookup_knowledge", `{"query":"hours"}`)
	fake.FailNext(400, "the model refused")
	s.Do("POST", "/api/v1/sessions/1/messages", adminKey, map[string]any{"content": "when are you open?"})
	all := fake.Usage()
	if n := len(fake.Requests()); n != 3 || all.InputTokens <= first.InputTokens {
		t.Fatalf("model requests = %d, billed %+v; want 3, the tool round billed", n, all)
	}
	s.WaitFor("the failed reply's tokens", func() error {
		if u := usage(); u["input_tokens"] != float64(all.InputTokens) || u["output_tokens"] != float64(all.OutputTokens) {
			return fmt.Errorf("usage %v; billed %+v", u, all)
		}
		return nil
	})
}
