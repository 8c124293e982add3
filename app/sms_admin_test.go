package app_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/humd/humd/app"
	"github.com/humd/humd/app/apptest"
)

func errCode(t *testing.T, s *apptest.Server, method, path string, body any, want int) string {
	t.Helper()
	res := s.JSON(method, path, adminKey, body, want)
	e, _ := res["error"].(map[string]any)
	if e == nil {
		t.Fatalf("%s %s: %v; want an error envelope", method, path, res)
	}
	return fmt.Sprint(e["code"])
}

func TestNumbersRegisterPatchSync(t *testing.T) {
	s := apptest.Start(t, apptest.Options{})
	n := s.JSON("POST", "/api/numbers", adminKey, map[string]any{"e164": "+13175550123", "friendly_name": "Front desk"}, 201)
	id := n["id"].(string)
	if n["sms_enabled"] != false || n["mps"] != 1.0 || n["provider"] != "sandbox" {
		t.Errorf("registered = %v; want SMS off, mps 1, provider sandbox", n)
	}
	if c := errCode(t, s, "POST", "/api/numbers", map[string]any{"e164": "+13175550123"}, 409); c != "number_exists" {
		t.Errorf("duplicate code = %s", c)
	}
	_, keyB := provision(t, s, "Org B", "b@example.com")
	if st, _ := s.Do("POST", "/api/numbers", keyB, map[string]any{"e164": "+13175550123"}); st != 409 {
		t.Errorf("another org registering the same number = %d; want 409", st)
	}
	errCode(t, s, "POST", "/api/numbers", map[string]any{"e164": "3175550123"}, 422)
	errCode(t, s, "POST", "/api/numbers", map[string]any{"e164": "+13175550124", "color": "red"}, 422)

	voice := s.JSON("POST", "/api/flows", adminKey, map[string]any{"name": "Phones", "channel": "voice"}, 201)["id"].(string)
	text := s.JSON("POST", "/api/flows", adminKey, map[string]any{"name": "Texts", "channel": "sms", "trigger_type": "message"}, 201)["id"].(string)
	errCode(t, s, "PATCH", "/api/numbers/"+id, map[string]any{"sms_flow_id": voice}, 422)
	errCode(t, s, "PATCH", "/api/numbers/"+id, map[string]any{"flow_id": text}, 422)
	errCode(t, s, "PATCH", "/api/numbers/"+id, map[string]any{"sms_flow_id": "flow_nope"}, 422)
	errCode(t, s, "PATCH", "/api/numbers/"+id, map[string]any{"mps": 0}, 422)
	errCode(t, s, "PATCH", "/api/numbers/"+id, map[string]any{"mps": 100000}, 422)
	errCode(t, s, "PATCH", "/api/numbers/"+id, map[string]any{"friendly_name": ""}, 422)
	if got := s.JSON("GET", "/api/numbers/"+id, adminKey, nil, 200); got["sms_flow_id"] != nil || got["mps"] != 1.0 {
		t.Fatalf("a refused PATCH changed the number: %v", got)
	}
	p := s.JSON("PATCH", "/api/numbers/"+id, adminKey, map[string]any{"sms_flow_id": text, "flow_id": voice, "mps": 3}, 200)
	if p["sms_enabled"] != true || p["sms_flow_id"] != text || p["flow_id"] != voice || p["mps"] != 3.0 {
		t.Errorf("patched = %v; want both flows, SMS on by default, mps 3", p)
	}
	p = s.JSON("PATCH", "/api/numbers/"+id, adminKey, map[string]any{"sms_flow_id": nil, "sms_enabled": false}, 200)
	if p["sms_enabled"] != false || p["sms_flow_id"] != nil || p["flow_id"] != voice {
		t.Errorf("cleared = %v", p)
	}
	// Booleans also come as 0/1 (SPEC 1.0) and are answered as booleans.
	if p = s.JSON("PATCH", "/api/numbers/"+id, adminKey, map[string]any{"sms_enabled": 1}, 200); p["sms_enabled"] != true {
		t.Errorf("sms_enabled 1 = %v; want true", p)
	}
	if p = s.JSON("PATCH", "/api/numbers/"+id, adminKey, map[string]any{"sms_enabled": 0}, 200); p["sms_enabled"] != false {
		t.Errorf("sms_enabled 0 = %v; want false", p)
	}

	sync := s.JSON("POST", "/api/numbers/sync", adminKey, nil, 200)
	added := sync["added"].([]any)
	if sync["provider"] != "sandbox" || len(added) != 1 || added[0].(map[string]any)["e164"] != ourNumber {
		t.Fatalf("sync = %v; want the sandbox number added", sync)
	}
	if m := sync["missing"].([]any); len(m) != 1 || m[0] != "+13175550123" {
		t.Errorf("missing = %v; want the hand-registered number", m)
	}
	again := s.JSON("POST", "/api/numbers/sync", adminKey, nil, 200)
	if len(again["added"].([]any)) != 0 || again["unchanged"] != 1.0 {
		t.Errorf("second sync = %v; want nothing new", again)
	}
	if st, _ := s.Do("POST", "/api/numbers/sync", keyB, nil); st != 200 {
		t.Fatalf("org B sync = %d", st)
	}
	if got := s.JSON("GET", "/api/numbers", keyB, nil, 200)["data"].([]any); len(got) != 0 {
		t.Errorf("org B took numbers org A owns: %v", got)
	}
}

func TestContactsCRUDAndSearch(t *testing.T) {
	s := apptest.Start(t, apptest.Options{})
	c := s.JSON("POST", "/api/contacts", adminKey, map[string]any{"e164": "+13175550111", "first_name": "Ada", "last_name": "Lovelace",
		"email": "ada@example.com", "tags": []string{"VIP", "vip", " lead "}}, 201)
	id := c["id"].(string)
	if c["name"] != "Ada Lovelace" || fmt.Sprint(c["tags"]) != "[VIP lead]" {
		t.Errorf("created = %v; want derived name and deduplicated tags", c)
	}
	if code := errCode(t, s, "POST", "/api/contacts", map[string]any{"e164": "+13175550111"}, 409); code != "contact_exists" {
		t.Errorf("duplicate = %s", code)
	}
	errCode(t, s, "POST", "/api/contacts", map[string]any{"e164": "+13175550112", "email": "not-an-email"}, 422)
	errCode(t, s, "POST", "/api/contacts", map[string]any{"e164": "+13175550112", "tags": []string{strings.Repeat("x", 51)}}, 422)
	errCode(t, s, "POST", "/api/contacts", map[string]any{"name": "no phone"}, 422)
	s.JSON("POST", "/api/contacts", adminKey, map[string]any{"e164": "+13175550112", "name": "Grace Hopper", "tags": []string{"lead"}}, 201)

	search := func(q string) []string {
		var out []string
		for _, r := range s.JSON("GET", "/api/contacts?"+q, adminKey, nil, 200)["data"].([]any) {
			out = append(out, r.(map[string]any)["e164"].(string))
		}
		slices.Sort(out)
		return out
	}
	for q, want := range map[string]string{"q=ada": "[+13175550111]", "q=HOPPER": "[+13175550112]", "phone=555-0112": "[+13175550112]",
		"tag=LEAD": "[+13175550111 +13175550112]", "tag=vip": "[+13175550111]", "q=nobody": "[]"} {
		if got := fmt.Sprint(search(q)); got != want {
			t.Errorf("search %s = %s; want %s", q, got, want)
		}
	}
	errCode(t, s, "PATCH", "/api/contacts/"+id, map[string]any{"e164": "+13175550199"}, 422)
	p := s.JSON("PATCH", "/api/contacts/"+id, adminKey, map[string]any{"name": "Countess", "notes": "prefers mornings"}, 200)
	if p["name"] != "Countess" || p["notes"] != "prefers mornings" || !strings.Contains(fmt.Sprint(p["user_overrides"]), "name") {
		t.Errorf("patched = %v; want name override recorded", p)
	}
	if st, _ := s.Do("DELETE", "/api/contacts/"+id, adminKey, nil); st != 204 {
		t.Fatalf("delete = %d", st)
	}
	s.JSON("GET", "/api/contacts/"+id, adminKey, nil, 404)
	s.JSON("POST", "/api/contacts", adminKey, map[string]any{"e164": "+13175550111"}, 201)
}

func TestBlocklistStopsTheAIAndOutbound(t *testing.T) {
	s := apptest.Start(t, apptest.Options{})
	s.AddNumber(ourNumber, 1)
	inbound(t, s, "SM00000000000000000000000000000301", contact, "hi")
	conv := onlyConversation(t, s)["id"].(string)
	s.JSON("POST", "/api/blocklist", adminKey, map[string]any{"e164": contact, "reason": "abuse"}, 201)
	if code := errCode(t, s, "POST", "/api/blocklist", map[string]any{"e164": contact}, 409); code != "already_blocked" {
		t.Errorf("duplicate block = %s", code)
	}
	res := s.JSON("POST", "/api/sms/conversations/"+conv+"/messages", adminKey, map[string]any{"body": "hello?"}, 200)
	if st := res["message"].(map[string]any)["status"]; st != "blocked" {
		t.Errorf("send to blocked = %v; want blocked", st)
	}
	waitSandbox(t, s, 0) // the carrier is never called for a blocked number
	list := s.JSON("GET", "/api/blocklist", adminKey, nil, 200)["data"].([]any)
	if len(list) != 1 || list[0].(map[string]any)["reason"] != "abuse" {
		t.Errorf("blocklist = %v", list)
	}
	errCode(t, s, "DELETE", "/api/blocklist/not-a-number", nil, 422)
	if st, _ := s.Do("DELETE", "/api/blocklist/%2B13175550100", adminKey, nil); st != 204 {
		t.Fatalf("unblock = %d", st)
	}
	s.JSON("DELETE", "/api/blocklist/%2B13175550100", adminKey, nil, 404)
	res = s.JSON("POST", "/api/sms/conversations/"+conv+"/messages", adminKey, map[string]any{"body": "welcome back"}, 201)
	if st := res["message"].(map[string]any)["status"]; st != "queued" {
		t.Errorf("send after unblock = %v; want queued", st)
	}
}

// TestInboundFromBlockedNumber: a blocked sender's texts are stored, but
// no AI runs (the number has an SMS flow), no keyword is answered, and the
// only events are sms.received with blocked:true (SPEC 1.8), not even
// conversation.started for the thread the first one opens.
func TestInboundFromBlockedNumber(t *testing.T) {
	s := apptest.Start(t, apptest.Options{Seed: true})
	s.JSON("POST", "/api/blocklist", adminKey, map[string]any{"e164": contact}, 201)
	for i, body := range []string{"What are your opening hours?", "STOP", "HELP"} {
		sid := fmt.Sprintf("SM%032d", 501+i)
		if st, raw := s.PostTwilio("/twilio/sms", s.App.SandboxToken, apptest.InboundForm(sid, contact, app.SandboxNumber, body), ""); st != 200 {
			t.Fatalf("inbound %q: %d %s", body, st, raw)
		}
	}
	conv := onlyConversation(t, s)["id"].(string)
	s.Clock.Advance(time.Minute) // well past the seeded flow's debounce
	s.Holds("three stored texts, nothing answered", func() error {
		msgs := s.Messages(conv)
		if len(msgs) != 3 {
			return fmt.Errorf("thread has %d messages: %v", len(msgs), msgs)
		}
		for _, m := range msgs {
			if m["direction"] != "inbound" || m["blocked"] != true {
				return fmt.Errorf("message %v; want inbound and blocked", m)
			}
		}
		if n := len(s.App.Sandbox.Sent()); n != 0 {
			return fmt.Errorf("carrier has %d texts", n)
		}
		if runs := s.JSON("GET", "/api/sms/conversations/"+conv+"/runs", adminKey, nil, 200)["data"].([]any); len(runs) != 0 {
			return fmt.Errorf("runs = %v", runs)
		}
		return nil
	})
	evs := s.Events()
	if len(evs) != 3 {
		t.Fatalf("events = %v; want three sms.received", s.EventTypes())
	}
	for _, ev := range evs {
		var d struct {
			Blocked bool `json:"blocked"`
		}
		if err := apptest.Decode(ev.Data, &d); ev.Type != "sms.received" || err != nil || !d.Blocked {
			t.Errorf("event %s %s; want sms.received with blocked:true", ev.Type, ev.Data)
		}
	}
}

func TestOptOutAPIIsIdempotentAndFiresEvents(t *testing.T) {
	s := apptest.Start(t, apptest.Options{})
	s.AddNumber(ourNumber, 1)
	inbound(t, s, "SM00000000000000000000000000000401", contact, "hi")
	conv := onlyConversation(t, s)["id"].(string)
	s.JSON("POST", "/api/sms/opt-outs", adminKey, map[string]any{"e164": contact, "reason": "asked by phone"}, 201)
	again := s.JSON("POST", "/api/sms/opt-outs", adminKey, map[string]any{"e164": contact}, 200)
	if again["source"] != "api" || again["reason"] != "asked by phone" {
		t.Errorf("re-add = %v; want the first record", again)
	}
	res := s.JSON("POST", "/api/sms/conversations/"+conv+"/messages", adminKey, map[string]any{"body": "sale!"}, 200)
	if st := res["message"].(map[string]any)["status"]; st != "opted_out" {
		t.Errorf("send to opted-out = %v; want opted_out", st)
	}
	waitSandbox(t, s, 0) // the carrier is never called for an opted-out number
	if got := s.JSON("GET", "/api/sms/opt-outs?q=0100", adminKey, nil, 200)["data"].([]any); len(got) != 1 {
		t.Errorf("opt-outs = %v", got)
	}
	if st, _ := s.Do("DELETE", "/api/sms/opt-outs/%2B13175550100", adminKey, nil); st != 204 {
		t.Fatalf("opt back in = %d", st)
	}
	s.JSON("DELETE", "/api/sms/opt-outs/%2B13175550100", adminKey, nil, 404)
	evs := s.JSON("GET", "/api/events?type=sms.opt_out", adminKey, nil, 200)["data"].([]any)
	if len(evs) != 1 || evs[0].(map[string]any)["data"].(map[string]any)["e164"] != contact {
		t.Errorf("opt_out events = %v; want exactly one", evs)
	}
	if n := len(s.JSON("GET", "/api/events?type=sms.opt_in", adminKey, nil, 200)["data"].([]any)); n != 1 {
		t.Errorf("opt_in events = %d; want 1", n)
	}
	all := s.JSON("GET", "/api/events?limit=2", adminKey, nil, 200)
	if len(all["data"].([]any)) != 2 || all["next_cursor"] == nil {
		t.Errorf("first page = %v; want 2 events and a cursor", all)
	}
}

func TestSandboxStateShowsTokenAndSends(t *testing.T) {
	s := apptest.Start(t, apptest.Options{})
	s.AddNumber(ourNumber, 1)
	inbound(t, s, "SM00000000000000000000000000000501", contact, "hi")
	conv := onlyConversation(t, s)["id"].(string)
	s.JSON("POST", "/api/sms/conversations/"+conv+"/messages", adminKey, map[string]any{"body": "hello"}, 201)
	s.WaitFor("sent", func() error {
		st := s.JSON("GET", "/api/sandbox", adminKey, nil, 200)
		if st["webhook_token"] != s.App.SandboxToken || len(st["sent"].([]any)) != 1 {
			return fmt.Errorf("state = %v", st)
		}
		return nil
	})
	// An operator sees the org's log but not the token that signs for every org.
	op := s.JSON("POST", "/api/api-keys", adminKey, map[string]any{"name": "o", "role": "operator"}, 201)["key"].(string)
	if st := s.JSON("GET", "/api/sandbox", op, nil, 200); st["webhook_token"] != nil || len(st["sent"].([]any)) != 1 {
		t.Errorf("operator's sandbox state = %v; want the send and no token", st)
	}
}
