package app_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/humd/humd/app/apptest"
)

// fireURL turns a trigger's public url into a path on the test server.
func fireURL(t *testing.T, s *apptest.Server, tr map[string]any) string {
	t.Helper()
	u, _ := tr["url"].(string)
	path, ok := strings.CutPrefix(u, s.PublicURL)
	if !ok || !strings.HasPrefix(path, "/api/triggers/in/trg_") || !strings.HasSuffix(u, tr["token"].(string)) {
		t.Fatalf("trigger url = %q, token %v", u, tr["token"])
	}
	return path
}

func TestTriggersCRUD(t *testing.T) {
	s := apptest.Start(t, apptest.Options{})
	voice := s.JSON("POST", "/api/flows", adminKey, map[string]any{"name": "Front desk"}, 201)["id"].(string)
	event := s.JSON("POST", "/api/flows", adminKey, map[string]any{"name": "On order", "trigger_type": "event",
		"trigger_events": []string{"external.order_paid"}}, 201)["id"].(string)

	for _, bad := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"name": "x", "event_name": "order_paid"}, "event_name"},
		{map[string]any{"name": "x", "event_name": "external.Order"}, "event_name"},
		{map[string]any{"name": "x", "event_name": "external." + strings.Repeat("a", 60)}, "event_name"},
		{map[string]any{"name": "", "event_name": "external.x"}, "name"},
		{map[string]any{"name": "x", "event_name": "external.x", "flow_id": voice}, "flow_id"},
		{map[string]any{"name": "x", "event_name": "external.x", "flow_id": "flow_nope"}, "flow_id"},
		{map[string]any{"name": "x", "event_name": "external.x", "secret": "y"}, "secret"},
	} {
		got := s.JSON("POST", "/api/triggers", adminKey, bad.body, 422)
		fields := got["error"].(map[string]any)["details"].(map[string]any)["fields"].(map[string]any)
		if fields[bad.field] == nil {
			t.Errorf("create %v: fields %v; want %s", bad.body, fields, bad.field)
		}
	}

	tr := s.JSON("POST", "/api/triggers", adminKey, map[string]any{"name": "Orders", "event_name": "external.order_paid", "flow_id": event}, 201)
	id, token := tr["id"].(string), tr["token"].(string)
	path := fireURL(t, s, tr)
	if tr["flow_id"] != event || tr["event_name"] != "external.order_paid" || !strings.HasPrefix(token, tr["token_prefix"].(string)) {
		t.Errorf("created %v", tr)
	}
	got := s.JSON("GET", "/api/triggers/"+id, adminKey, nil, 200)
	if got["token"] != nil || got["url"] != nil || got["token_hash"] != nil || got["last_fired_at"] != nil {
		t.Errorf("GET shows the secret or a fire: %v", got)
	}
	if list := s.JSON("GET", "/api/triggers", adminKey, nil, 200)["data"].([]any); len(list) != 1 {
		t.Errorf("list = %v", list)
	}
	viewer := s.JSON("POST", "/api/api-keys", adminKey, map[string]any{"name": "v", "role": "viewer"}, 201)["key"].(string)
	s.JSON("GET", "/api/triggers/"+id, viewer, nil, 200)
	s.JSON("PATCH", "/api/triggers/"+id, viewer, map[string]any{"name": "y"}, 403)

	p := s.JSON("PATCH", "/api/triggers/"+id, adminKey, map[string]any{"name": "Paid orders", "flow_id": nil}, 200)
	if p["name"] != "Paid orders" || p["flow_id"] != nil {
		t.Errorf("patched %v", p)
	}
	s.JSON("PATCH", "/api/triggers/"+id, adminKey, map[string]any{"flow_id": voice}, 422)

	// Rotation: the old URL is dead at once, the new one works.
	rot := s.JSON("POST", "/api/triggers/"+id+"/token/rotate", adminKey, nil, 200)
	newPath := fireURL(t, s, rot)
	if rot["token"] == token {
		t.Fatal("rotation kept the token")
	}
	s.JSON("POST", path, "", map[string]any{"a": 1}, 404)
	s.JSON("POST", newPath, "", map[string]any{"a": 1}, 202)

	s.JSON("DELETE", "/api/triggers/"+id, viewer, nil, 403)
	if st, body := s.Do("DELETE", "/api/triggers/"+id, adminKey, nil); st != 204 {
		t.Fatalf("delete = %d %s", st, body)
	}
	s.JSON("POST", newPath, "", map[string]any{"a": 1}, 404)
	s.JSON("GET", "/api/triggers/"+id, adminKey, nil, 404)
}

func TestTriggerFireAppendsEvent(t *testing.T) {
	s := apptest.Start(t, apptest.Options{})
	event := s.JSON("POST", "/api/flows", adminKey, map[string]any{"name": "On order", "trigger_type": "event",
		"trigger_events": []string{"external.order_paid"}}, 201)["id"].(string)
	tr := s.JSON("POST", "/api/triggers", adminKey, map[string]any{"name": "Orders", "event_name": "external.order_paid", "flow_id": event}, 201)
	path := fireURL(t, s, tr)

	// Bad bodies and unknown tokens change nothing.
	for _, body := range []string{"", "[1,2]", `"hi"`, "{", "null"} {
		if st, raw := s.Do("POST", path, "", body); st != 422 {
			t.Errorf("fire with %q = %d %s; want 422", body, st, raw)
		}
	}
	big := `{"pad":"` + strings.Repeat("x", 256<<10) + `"}`
	if st, raw := s.Do("POST", path, "", big); st != 413 {
		t.Errorf("fire with %d bytes = %d %s; want 413", len(big), st, raw)
	}
	for _, p := range []string{"/api/triggers/in/trg_unknown", "/api/triggers/in/" + tr["token_prefix"].(string), "/api/triggers/in/x"} {
		s.JSON("POST", p, "", map[string]any{"a": 1}, 404)
	}
	// An API key is no substitute for the token.
	s.JSON("POST", "/api/triggers/in/"+adminKey, adminKey, map[string]any{"a": 1}, 404)
	if evs := s.JSON("GET", "/api/events?type=external.order_paid", adminKey, nil, 200)["data"].([]any); len(evs) != 0 {
		t.Fatalf("rejected fires logged %v", evs)
	}

	res := s.JSON("POST", path, "", map[string]any{"order": map[string]any{"id": 42, "total": "19.99"}}, 202)
	evs := s.JSON("GET", "/api/events?type=external.order_paid", adminKey, nil, 200)["data"].([]any)
	if len(evs) != 1 {
		t.Fatalf("events = %v", evs)
	}
	ev := evs[0].(map[string]any)
	data, _ := json.Marshal(ev["data"])
	want := `{"flow_id":"` + event + `","payload":{"order":{"id":42,"total":"19.99"}},"trigger_id":"` + tr["id"].(string) + `"}`
	if ev["id"] != res["event_id"] || string(data) != want {
		t.Errorf("event %v data %s; want id %v data %s", ev["id"], data, res["event_id"], want)
	}
	got := s.JSON("GET", "/api/triggers/"+tr["id"].(string), adminKey, nil, 200)
	if got["last_event_id"] != res["event_id"] || got["last_fired_at"] == nil {
		t.Errorf("trigger after a fire: %v", got)
	}
	// Another org cannot see or touch it.
	_, keyB := provision(t, s, "Org B", "bob@example.com")
	s.JSON("GET", "/api/triggers/"+tr["id"].(string), keyB, nil, 404)
	if list := s.JSON("GET", "/api/triggers", keyB, nil, 200)["data"].([]any); len(list) != 0 {
		t.Errorf("org B lists %v", list)
	}
	if evs := s.JSON("GET", "/api/events", keyB, nil, 200)["data"].([]any); len(evs) != 0 {
		t.Errorf("org B sees events %v", evs)
	}
}

// TestTriggerEventsReachWebhooks: an outside system fires a trigger, and a
// customer webhook subscribed to the event gets it, signed, through the
// ordinary delivery actor.
func TestTriggerEventsReachWebhooks(t *testing.T) {
	s := startWebhooks(t, "")
	rcv := newReceiver(t)
	ep := s.JSON("POST", "/api/webhooks", adminKey, map[string]any{"url": rcv.URL + "/in", "events": []string{"external.*"}}, 201)
	tr := s.JSON("POST", "/api/triggers", adminKey, map[string]any{"name": "Orders", "event_name": "external.order_paid"}, 201)
	other := s.JSON("POST", "/api/triggers", adminKey, map[string]any{"name": "Refunds", "event_name": "external.refund"}, 201)
	s.JSON("POST", fireURL(t, s, other), "", map[string]any{"refund": 1}, 202)
	res := s.JSON("POST", fireURL(t, s, tr), "", map[string]any{"order": 42}, 202)

	// external.* takes the whole family, in log order.
	got := rcv.waitN(t, s, 2)
	env := verify(t, ep["signing_secret"].(string), got[1])
	data, _ := json.Marshal(env["data"])
	if env["id"] != res["event_id"] || env["type"] != "external.order_paid" || got[1].header.Get("X-Hum-Event") != "external.order_paid" ||
		string(data) != `{"payload":{"order":42},"trigger_id":"`+tr["id"].(string)+`"}` {
		t.Errorf("delivered %v (data %s)", env, data)
	}
	if first := verify(t, ep["signing_secret"].(string), got[0]); first["type"] != "external.refund" {
		t.Errorf("first delivery = %v; want the refund", first)
	}
}

// TestTriggerRunsEventFlows: a fire runs the matching event-trigger flows:
// the voice flow calls the payload's "to" with the payload as task context,
// the SMS flow texts its body; a flow for another event does nothing; a
// flood is refused with 429.
func TestTriggerRunsEventFlows(t *testing.T) {
	s := apptest.Start(t, apptest.Options{})
	n := s.AddNumber(ourNumber, 1)
	voice := s.JSON("POST", "/api/flows", adminKey, map[string]any{"name": "Caller", "channel": "voice", "kind": "outbound",
		"trigger_type": "event", "trigger_events": []string{"external.order_*", "external.order_paid"}}, 201)["id"].(string)
	text := s.JSON("POST", "/api/flows", adminKey, map[string]any{"name": "Texter", "channel": "sms", "trigger_type": "event",
		"trigger_events": []string{"external.*"}}, 201)["id"].(string)
	s.JSON("POST", "/api/flows", adminKey, map[string]any{"name": "Other", "channel": "sms", "trigger_type": "event",
		"trigger_events": []string{"external.refund"}}, 201)
	s.JSON("PATCH", "/api/numbers/"+n.ID, adminKey, map[string]any{"sms_flow_id": text}, 200)
	tr := s.JSON("POST", "/api/triggers", adminKey, map[string]any{"name": "Orders", "event_name": "external.order_paid"}, 201)
	res := s.JSON("POST", fireURL(t, s, tr), "", map[string]any{"to": "+13175550142", "body": "Your order shipped!", "order": 42}, 202)
	runs := res["runs"].([]any)
	got := map[string]map[string]any{}
	for _, r := range runs {
		m := r.(map[string]any)
		got[m["flow_id"].(string)] = m
	}
	if len(runs) != 2 || got[voice]["action"] != "call_placed" || got[text]["action"] != "text_sent" {
		t.Fatalf("runs = %v; want the voice flow's call and the SMS flow's text", runs)
	}
	s.WaitFor("the call to be placed", func() error {
		if len(s.App.Sandbox.Calls()) != 1 {
			return fmt.Errorf("placed %d", len(s.App.Sandbox.Calls()))
		}
		return nil
	})
	if pc := s.App.Sandbox.Calls()[0]; pc.To != "+13175550142" || !strings.Contains(pc.TwiML, voice) {
		t.Errorf("placed = %+v", pc)
	}
	detail := s.JSON("GET", "/api/calls/"+got[voice]["call_id"].(string), adminKey, nil, 200)
	if tc, _ := json.Marshal(detail["task_context"]); !strings.Contains(string(tc), `"order":42`) {
		t.Errorf("task context = %s", tc)
	}
	s.WaitFor("the text", func() error {
		for _, m := range s.App.Sandbox.Sent() {
			if m.To == "+13175550142" && m.Body == "Your order shipped!" {
				return nil
			}
		}
		return fmt.Errorf("sent = %v", s.App.Sandbox.Sent())
	})
	// Bursts of 20, then refused until the bucket refills on the clock.
	limited := 0
	for range 25 {
		if st, _ := s.Do("POST", fireURL(t, s, tr), "", `{"x":1}`); st == 429 {
			limited++
		}
	}
	if limited == 0 {
		t.Error("25 fires in a row were never rate limited")
	}
}
