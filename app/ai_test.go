package app_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/humd/humd/app"
	"github.com/humd/humd/app/apptest"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/events"
	"github.com/humd/humd/transport/llm/llmtest"
	"github.com/humd/humd/transport/twilio"
	"github.com/humd/humd/transport/twilio/twiliotest"
)

// TestSandboxSeedAnswersFromKnowledge is the README's first run: a fresh
// sandbox install has a number with an SMS flow and knowledge documents,
// and the local model answers a text from them, with a run record and events.
func TestSandboxSeedAnswersFromKnowledge(t *testing.T) {
	s := apptest.Start(t, apptest.Options{Seed: true})
	if s.App.Seeded == nil || s.App.Seeded.Number.E164 != app.SandboxNumber || s.App.Seeded.Docs != 3 {
		t.Fatalf("seeded = %+v", s.App.Seeded)
	}
	nums := s.JSON("GET", "/api/numbers", adminKey, nil, 200)["data"].([]any)
	if len(nums) != 1 || nums[0].(map[string]any)["sms_flow_id"] == nil {
		t.Fatalf("numbers = %v; want the sandbox number with an SMS flow", nums)
	}
	hits := s.JSON("GET", "/api/knowledge/search?q=when+are+you+open", adminKey, nil, 200)["data"].([]any)
	if len(hits) == 0 || !strings.Contains(hits[0].(map[string]any)["text"].(string), "Monday to Friday") {
		t.Fatalf("search = %v", hits)
	}
	res := s.JSON("POST", "/api/sandbox/inbound", adminKey, map[string]any{"from": contact, "to": app.SandboxNumber,
		"body": "What are your opening hours?"}, 201)
	conv := res["message"].(map[string]any)["conversation_id"].(string)
	s.Clock.Advance(3 * time.Second) // the seeded flow's debounce
	s.Settle("one AI reply", func() error {
		msgs := s.Messages(conv)
		if len(msgs) != 2 || !strings.Contains(fmt.Sprint(msgs[1]["body"]), "Monday to Friday") {
			return fmt.Errorf("thread = %v", msgs)
		}
		return nil
	})
	run := onlyRun(t, s, conv)
	logEventBytes(t, s)
	tools := run["tool_calls"].([]any)
	if run["status"] != "completed" || run["model"] != "humd-local" || len(tools) != 1 || tools[0].(map[string]any)["name"] != "lookup_knowledge" {
		t.Errorf("run = %v; want completed by humd-local after one lookup_knowledge", run)
	}
	// Restarting does not seed again.
	dir := s.Dir
	s.Stop()
	r := apptest.Start(t, apptest.Options{Dir: dir, Seed: true})
	if r.App.Seeded != nil || len(r.JSON("GET", "/api/knowledge", adminKey, nil, 200)["data"].([]any)) != 3 {
		t.Errorf("a restart seeded again")
	}
}

func TestKnowledgeAPI(t *testing.T) {
	s := apptest.Start(t, apptest.Options{})
	d := s.JSON("POST", "/api/knowledge", adminKey, map[string]any{"title": "Parking", "text": "Free parking behind the store.\n\nBikes go by the door."}, 201)
	id := d["id"].(string)
	errCode(t, s, "POST", "/api/knowledge", map[string]any{"title": "No text"}, 422)
	errCode(t, s, "GET", "/api/knowledge/search", nil, 422)
	errCode(t, s, "GET", "/api/knowledge/search?q=x&limit=0", nil, 422)
	hits := s.JSON("GET", "/api/knowledge/search?q=where+do+bikes+go", adminKey, nil, 200)["data"].([]any)
	if len(hits) == 0 || hits[0].(map[string]any)["text"] != "Bikes go by the door." {
		t.Errorf("search = %v", hits)
	}
	s.JSON("PATCH", "/api/knowledge/"+id, adminKey, map[string]any{"text": "Parking is in the garage."}, 200)
	if hits := s.JSON("GET", "/api/knowledge/search?q=bikes", adminKey, nil, 200)["data"].([]any); len(hits) != 0 {
		t.Errorf("search after edit = %v; want nothing about bikes", hits)
	}
	viewer := s.JSON("POST", "/api/api-keys", adminKey, map[string]any{"name": "v", "role": "viewer"}, 201)["key"].(string)
	if st, _ := s.Do("DELETE", "/api/knowledge/"+id, viewer, nil); st != 403 {
		t.Errorf("viewer delete = %d", st)
	}
	if st, _ := s.Do("DELETE", "/api/knowledge/"+id, adminKey, nil); st != 204 {
		t.Errorf("delete = %d", st)
	}
	s.JSON("GET", "/api/knowledge/"+id, adminKey, nil, 404)
}

// TestAIEndToEndWithTwilioAndOpenAI drives humd over HTTP with twilio-go
// against the fake Twilio server and openai-go against the fake Responses
// server: a burst of texts becomes one model request with a tool call whose
// output goes back, one reply reaches Twilio, and an agent_chat session
// answers through the same model.
// startTwilioShop runs humd with twilio-go against the fake Twilio server and
// openai-go against the fake Responses server: one synced number answered
// by an SMS flow with a 2 s debounce, and one knowledge document.
func startTwilioShop(t *testing.T) (*apptest.Server, *twiliotest.Server, *llmtest.Server) {
	t.Helper()
	tw := twiliotest.Start(t, twiliotest.Options{})
	fake := llmtest.Start(t)
	s := apptest.Start(t, apptest.Options{Config: app.Config{TwilioAccountSID: twiliotest.DefaultAccountSID,
		TwilioAuthToken: twiliotest.DefaultAuthToken, TwilioAPIBase: tw.URL, OpenAIKey: "sk-test", OpenAIBaseURL: fake.BaseURL(), Model: "gpt-test"}})
	tw.SetCallbackTarget(s.PublicURL, s.URL)
	tw.SetNumbers([]twilio.Number{{E164: ourNumber, SMS: true, Voice: true}})
	num := s.JSON("POST", "/api/numbers/sync", adminKey, nil, 200)["added"].([]any)[0].(map[string]any)["id"].(string)
	flow := s.JSON("POST", "/api/flows", adminKey, map[string]any{"name": "Shop", "channel": "sms", "trigger_type": "message",
		"system_prompt": "Answer shop questions.", "sms_config_json": map[string]any{"debounce_ms": 2000}}, 201)["id"].(string)
	s.JSON("PATCH", "/api/numbers/"+num, adminKey, map[string]any{"sms_flow_id": flow}, 200)
	s.JSON("POST", "/api/knowledge", adminKey, map[string]any{"title": "Hours", "text": "Open 9 to 5 on weekdays."}, 201)
	return s, tw, fake
}

func TestAIEndToEndWithTwilioAndOpenAI(t *testing.T) {
	s, tw, fake := startTwilioShop(t)

	fake.ReplyToolCall("lookup_knowledge", `{"query":"opening hours"}`)
	fake.ReplyText("We're open 9 to 5 on weekdays.")
	for _, body := range []string{"hello", "when are you", "open?"} {
		twilioInbound(t, s, tw, body, nil)
	}
	s.Clock.Advance(2 * time.Second)
	m := waitSent(t, s, tw, 1)[0]
	if m.Body != "We're open 9 to 5 on weekdays." || m.To != contact {
		t.Fatalf("twilio got %+v", m)
	}
	reqs := fake.Requests()
	if len(reqs) != 2 {
		t.Fatalf("model requests = %d; want 2 (the burst, then the tool output)", len(reqs))
	}
	var users []string
	for _, in := range reqs[0].Input {
		users = append(users, in.Content)
	}
	if got := strings.Join(users, "|"); got != "hello|when are you|open?" || reqs[0].Model != "gpt-test" ||
		reqs[0].Instructions == "" || reqs[0].ParallelToolCalls == nil || *reqs[0].ParallelToolCalls {
		t.Errorf("first request: input %q, model %q, parallel %v", got, reqs[0].Model, reqs[0].ParallelToolCalls)
	}
	last := reqs[1].Input[len(reqs[1].Input)-1]
	if last.Type != "function_call_output" || !strings.Contains(last.Output, "Open 9 to 5") {
		t.Errorf("second request ends with %+v; want the knowledge output", last)
	}

	// agent_chat through the same engine.
	s.JSON("POST", "/api/flows", adminKey, map[string]any{"name": "Chat agent", "system_prompt": "Chat kindly."}, 201)
	agent := s.JSON("GET", "/api/flows?channel=voice", adminKey, nil, 200)["data"].([]any)[0].(map[string]any)["agent_id"]
	sess := s.JSON("POST", "/api/v1/sessions", adminKey, map[string]any{"agent_id": agent, "session_type": "agent_chat"}, 201)["session"].(map[string]any)
	fake.ReplyText("Hello! How can I help?")
	res := s.JSON("POST", fmt.Sprintf("/api/v1/sessions/%v/messages", sess["session_id"]), adminKey, map[string]any{"content": "hi there"}, 201)
	reply, _ := res["reply"].(map[string]any)
	if reply == nil || reply["content"] != "Hello! How can I help?" || reply["role"] != "assistant" {
		t.Errorf("agent_chat answer = %v", res)
	}
	if n := len(fake.Requests()); n != 3 {
		t.Errorf("model requests = %d; want 3", n)
	}
	// The reply's tokens are the session's, and billing counts them with the
	// SMS run's: everything the fake model billed.
	got := s.JSON("GET", fmt.Sprintf("/api/v1/sessions/%v", sess["session_id"]), adminKey, nil, 200)["session"].(map[string]any)["usage"].(map[string]any)
	if got["input_tokens"].(float64) <= 0 || got["output_tokens"].(float64) <= 0 {
		t.Errorf("session usage = %v; want the reply's tokens", got)
	}
	billed := fake.Usage()
	if ai := s.JSON("GET", "/api/billing", adminKey, nil, 200)["usage"].(map[string]any)["ai_tokens"].(map[string]any); ai["input"] != float64(billed.InputTokens) || ai["output"] != float64(billed.OutputTokens) {
		t.Errorf("billing ai_tokens = %v; want all the model billed, %+v", ai, billed)
	}
}

// onlyRun waits for the thread's one AI run record, and for no second one.
func onlyRun(t *testing.T, s *apptest.Server, conv string) map[string]any {
	t.Helper()
	var runs []any
	s.Settle("one run record", func() error {
		runs = s.JSON("GET", "/api/sms/conversations/"+conv+"/runs", adminKey, nil, 200)["data"].([]any)
		if len(runs) != 1 {
			return fmt.Errorf("runs = %v", runs)
		}
		return nil
	})
	return runs[0].(map[string]any)
}

// logEventBytes logs how many events the org's log holds and their stored
// bytes (bench/RESULTS.md reports them for one sandbox text).
func logEventBytes(t *testing.T, s *apptest.Server) {
	t.Helper()
	s.Clock.Advance(10 * time.Second) // the sandbox carrier's status callbacks
	n, size, types := 0, 0, map[string]int{}
	s.Settle("status callbacks", func() error {
		n, size, types = 0, 0, map[string]int{}
		return s.App.Store.Scan(events.Prefix(s.OrgID()), storage.ScanOptions{}, func(_, v []byte) (bool, error) {
			var ev events.Event
			if err := storage.DecodeJSON(v, &ev); err != nil {
				return false, err
			}
			n, size = n+1, size+len(v)
			types[ev.Type] += len(v)
			return true, nil
		})
	})
	t.Logf("events of one sandbox text: %d, %d bytes stored: %v", n, size, types)
}
