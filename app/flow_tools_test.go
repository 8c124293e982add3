package app_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/humd/humd/app"
	"github.com/humd/humd/app/apptest"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/flowtools"
	"github.com/humd/humd/transport/llm"
	"github.com/humd/humd/transport/llm/llmtest"
)

// toolHit is one request the tool receiver got.
type toolHit struct {
	method, path, query, body string
	header                    http.Header
}

// toolReceiver is a customer's HTTP API on loopback: /crm answers a
// customer record, /orders/{id} an order, /slow waits until the test
// releases it (or the client gives up), /fail answers 500.
type toolReceiver struct {
	*httptest.Server
	release chan struct{}
	mu      sync.Mutex
	hits    []toolHit
}

func newToolReceiver(t *testing.T) *toolReceiver {
	r := &toolReceiver{release: make(chan struct{})}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		raw, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.hits = append(r.hits, toolHit{method: req.Method, path: req.URL.Path, query: req.URL.RawQuery, body: string(raw), header: req.Header.Clone()})
		r.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		switch {
		case req.URL.Path == "/crm":
			fmt.Fprint(w, `{"tier":"gold","open_orders":2}`)
		case strings.HasPrefix(req.URL.Path, "/orders/"):
			fmt.Fprint(w, `{"status":"shipped","eta":"Monday"}`)
		case req.URL.Path == "/slow":
			select {
			case <-r.release:
			case <-req.Context().Done():
			}
			fmt.Fprint(w, `{"points":120}`)
		default:
			w.WriteHeader(500)
			fmt.Fprint(w, `{"error":"down"}`)
		}
	}))
	t.Cleanup(r.Close)
	t.Cleanup(func() { close(r.release) }) // runs first: frees a held handler before Close waits for it
	return r
}

func (r *toolReceiver) got(path string) []toolHit {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []toolHit
	for _, h := range r.hits {
		if strings.HasPrefix(h.path, path) {
			out = append(out, h)
		}
	}
	return out
}

// toolServer is humd with private tool targets allowed (the receiver is on
// loopback) and openai-go against the fake Responses server.
func toolServer(t *testing.T) (*apptest.Server, *llmtest.Server) {
	t.Helper()
	fake := llmtest.Start(t)
	s := apptest.Start(t, apptest.Options{Config: app.Config{AllowPrivateWebhooks: true},
		Model: llm.NewOpenAI(llm.Config{APIKey: "test", BaseURL: fake.BaseURL(), MaxRetries: -1})})
	return s, fake
}

func executions(t *testing.T, s *apptest.Server, flow, tool string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, e := range s.JSON("GET", "/api/flows/"+flow+"/tools/"+tool+"/executions", adminKey, nil, 200)["data"].([]any) {
		out = append(out, e.(map[string]any))
	}
	return out
}

const (
	orderSecret = "sk_live_order_secret_9876"
	crmSecret   = "crm-key-5555"
)

// TestFlowToolsOnVoiceCall runs a call over the real relay socket: a
// pre_call tool's rendered output and a timed-out one's fallback are in the
// model's # Caller Context, the call answers within the pre-call budget,
// an in_call tool the model calls reaches the receiver with the rendered
// body and the secret header, and its rendered output is the model's next
// input; every run is an execution row.
func TestFlowToolsOnVoiceCall(t *testing.T) {
	rcv := newToolReceiver(t)
	s, fake := toolServer(t)
	flow := s.JSON("POST", "/api/flows", adminKey, map[string]any{"name": "Front line", "channel": "voice", "greeting": "Hi, this is Acme.",
		"system_prompt": "You answer calls for Acme."}, 201)["id"].(string)
	n := s.AddNumber(ourNumber, 1)
	s.JSON("PATCH", "/api/numbers/"+n.ID, adminKey, map[string]any{"flow_id": flow}, 200)
	base := "/api/flows/" + flow + "/tools"
	crm := s.JSON("POST", base, adminKey, map[string]any{"name": "crm_lookup", "mode": "pre_call", "method": "GET",
		"url": rcv.URL + "/crm?phone={{urlquery .call.from}}", "secret": crmSecret, "secret_header": "X-Api-Key",
		"output_template": "Customer tier: {{.json.tier}}; open orders: {{.json.open_orders}}."}, 201)["id"].(string)
	slow := s.JSON("POST", base, adminKey, map[string]any{"name": "loyalty", "mode": "pre_call", "method": "GET", "url": rcv.URL + "/slow",
		"timeout_ms": 300, "output_template": "Loyalty points: {{.json.points}}.", "fallback_template": "Loyalty points unavailable."}, 201)["id"].(string)
	order := s.JSON("POST", base, adminKey, map[string]any{"name": "order_status", "mode": "in_call", "description": "Look up an order.",
		"parameters": map[string]any{"type": "object", "properties": map[string]any{"order_id": map[string]any{"type": "string"}},
			"required": []string{"order_id"}},
		"url":             rcv.URL + "/orders/{{urlpath .args.order_id}}",
		"body_template":   `{"order_id":{{json .args.order_id}},"caller":{{json .call.from}},"contact":{{json .contact.e164}}}`,
		"output_template": "Order {{.args.order_id}} is {{.json.status}}, arriving {{.json.eta}}.", "secret": orderSecret}, 201)
	if order["secret"] != orderSecret || order["model_name"] != "http_order_status" {
		t.Fatalf("created = %v", order)
	}

	c := dial(t, s, contact, "CA00000000000000000000000000007001")
	callID := c.TwiML.Parameters["call_id"]
	fake.ReplyToolCall("http_order_status", `{"order_id":"A17"}`)
	fake.ReplyText("Order A17 has shipped and arrives Monday.")
	sent := time.Now()
	if err := c.Conn.Prompt("Where is my order A17?"); err != nil {
		t.Fatal(err)
	}
	s.WaitFor("the first model request", func() error {
		if len(fake.Requests()) == 0 {
			return fmt.Errorf("no request yet")
		}
		return nil
	})
	if waited := time.Since(sent); waited > 1500*time.Millisecond {
		t.Errorf("the first turn started %v after the prompt; want within the 1500 ms pre-call budget", waited)
	}
	if text, _ := reply(t, c); text != "Order A17 has shipped and arrives Monday." {
		t.Errorf("reply = %q", text)
	}

	reqs := fake.Requests()
	if len(reqs) != 2 {
		t.Fatalf("model requests = %d; want 2", len(reqs))
	}
	wantCtx := "# Caller Context\nCustomer tier: gold; open orders: 2.\nLoyalty points unavailable.\n"
	if !strings.Contains(reqs[0].Instructions, wantCtx) {
		t.Errorf("instructions = %q; want %q", reqs[0].Instructions, wantCtx)
	}
	if names := toolNames(reqs[0]); !slices.Contains(names, "http_order_status") || slices.Contains(names, "http_crm_lookup") ||
		!slices.Contains(names, "end_call") {
		t.Errorf("offered tools = %v; want the in_call tool with the built-ins, no pre_call tool", names)
	}
	for _, tl := range reqs[0].Tools {
		if tl.Name == "http_order_status" && (tl.Description != "Look up an order." || tl.Parameters["properties"].(map[string]any)["order_id"] == nil) {
			t.Errorf("order tool = %+v", tl)
		}
	}
	if out := lastOutput(t, reqs[1]); out != "Order A17 is shipped, arriving Monday." {
		t.Errorf("tool output to the model = %q", out)
	}

	// What the receiver saw.
	hits := rcv.got("/crm")
	if len(hits) != 1 || hits[0].method != "GET" || hits[0].query != "phone=%2B13175550100" || hits[0].header.Get("X-Api-Key") != crmSecret {
		t.Errorf("crm hits = %+v", hits)
	}
	hits = rcv.got("/orders/")
	if len(hits) != 1 {
		t.Fatalf("order hits = %+v", hits)
	}
	h := hits[0]
	wantBody := `{"order_id":"A17","caller":"` + contact + `","contact":"` + contact + `"}`
	if h.method != "POST" || h.path != "/orders/A17" || h.body != wantBody || h.header.Get("Authorization") != "Bearer "+orderSecret ||
		h.header.Get("Content-Type") != "application/json" {
		t.Errorf("order hit = %s %s %s %v; want POST /orders/A17 %s with the bearer secret", h.method, h.path, h.body, h.header, wantBody)
	}
	s.Holds("one slow hit", func() error {
		if n := len(rcv.got("/slow")); n != 1 {
			return fmt.Errorf("slow hits = %d", n)
		}
		return nil
	})

	// Every run is a row; none holds a secret.
	rows := executions(t, s, flow, order["id"].(string))
	if len(rows) != 1 {
		t.Fatalf("order executions = %v", rows)
	}
	r := rows[0]
	if r["status"] != "ok" || r["http_status"] != 200.0 || r["subject_type"] != "call" || r["subject_id"] != callID || r["mode"] != "in_call" ||
		!strings.HasPrefix(r["request_excerpt"].(string), "POST "+rcv.URL+"/orders/A17") || !strings.Contains(r["request_excerpt"].(string), wantBody) ||
		!strings.Contains(r["response_excerpt"].(string), "shipped") || r["output"] != "Order A17 is shipped, arriving Monday." {
		t.Errorf("order execution = %v", r)
	}
	if rows := executions(t, s, flow, crm); len(rows) != 1 || rows[0]["status"] != "ok" || rows[0]["mode"] != "pre_call" {
		t.Errorf("crm executions = %v", rows)
	}
	if rows := executions(t, s, flow, slow); len(rows) != 1 || rows[0]["status"] != "timeout" || rows[0]["output"] != "Loyalty points unavailable." ||
		rows[0]["http_status"] != 0.0 {
		t.Errorf("slow executions = %v", rows)
	}
	for _, tool := range []string{crm, slow, order["id"].(string)} {
		raw, _ := json.Marshal(executions(t, s, flow, tool))
		if strings.Contains(string(raw), orderSecret) || strings.Contains(string(raw), crmSecret) {
			t.Errorf("execution rows hold a secret: %s", raw)
		}
	}
	// The call's caller context is kept with it.
	if got := storedCall(t, s, callID).CallerContext; got != "Customer tier: gold; open orders: 2.\nLoyalty points unavailable." {
		t.Errorf("caller context = %q", got)
	}
}

// TestFlowToolsFallbackInSMSRun: an SMS run sees the flow's in_call tools
// too; a failing request answers the model the rendered fallback, logged
// as an error row of the conversation.
func TestFlowToolsFallbackInSMSRun(t *testing.T) {
	rcv := newToolReceiver(t)
	s, fake := toolServer(t)
	num := s.AddNumber(ourNumber, 1)
	flow := s.JSON("POST", "/api/flows", adminKey, map[string]any{"name": "Shop", "channel": "sms", "trigger_type": "message",
		"system_prompt": "Help with orders.", "sms_config_json": map[string]any{"debounce_ms": 2000}}, 201)["id"].(string)
	s.JSON("PATCH", "/api/numbers/"+num.ID, adminKey, map[string]any{"sms_flow_id": flow}, 200)
	tool := s.JSON("POST", "/api/flows/"+flow+"/tools", adminKey, map[string]any{"name": "stock", "mode": "in_call",
		"url": rcv.URL + "/fail", "body_template": `{"phone":{{json .contact.e164}},"conversation":{{json .conversation.id}}}`,
		"fallback_template": "Stock check failed (HTTP {{.status}}); offer to text back."}, 201)["id"].(string)

	fake.ReplyToolCall("http_stock", `{}`)
	fake.ReplyText("I'll text you back about stock.")
	conv := textAI(t, s, "SM00000000000000000000000000007101", "is the blue one in stock?", "I'll text you back about stock.")
	reqs := fake.Requests()
	if len(reqs) != 2 || !slices.Contains(toolNames(reqs[0]), "http_stock") {
		t.Fatalf("requests = %d", len(reqs))
	}
	if out := lastOutput(t, reqs[1]); out != "Stock check failed (HTTP 500); offer to text back." {
		t.Errorf("tool output to the model = %q", out)
	}
	if hits := rcv.got("/fail"); len(hits) != 1 || hits[0].body != `{"phone":"`+contact+`","conversation":"`+conv+`"}` {
		t.Errorf("receiver got %+v", hits)
	}
	rows := executions(t, s, flow, tool)
	if len(rows) != 1 || rows[0]["status"] != "error" || rows[0]["http_status"] != 500.0 || rows[0]["subject_type"] != "conversation" ||
		rows[0]["subject_id"] != conv || !strings.Contains(rows[0]["error"].(string), "500") {
		t.Errorf("executions = %v", rows)
	}
}

// TestFlowToolsCRUD: defaults, the secret answered once, validation (422
// naming the field), unique names, roles, other flows and deletes. This
// server keeps the default SSRF policy, so targets must be public https.
func TestFlowToolsCRUD(t *testing.T) {
	s := apptest.Start(t, apptest.Options{})
	flow := s.JSON("POST", "/api/flows", adminKey, map[string]any{"name": "A flow"}, 201)["id"].(string)
	other := s.JSON("POST", "/api/flows", adminKey, map[string]any{"name": "Other flow"}, 201)["id"].(string)
	base := "/api/flows/" + flow + "/tools"
	const target = "https://93.184.215.14/api"

	created := s.JSON("POST", base, adminKey, map[string]any{"name": "lookup", "mode": "in_call", "url": target, "secret": "tok_abcdefgh1234"}, 201)
	id := created["id"].(string)
	storedInClear(t, s, "flowtool/", "tok_abcdefgh1234")
	if created["secret"] != "tok_abcdefgh1234" || created["secret_hint"] != "****1234" || created["method"] != "POST" ||
		created["timeout_ms"] != 1200.0 || created["enabled"] != true || created["secret_header"] != "Authorization" ||
		created["model_name"] != "http_lookup" || fmt.Sprint(created["parameters"]) != "map[properties:map[] type:object]" {
		t.Errorf("created = %v", created)
	}
	got := s.JSON("GET", base+"/"+id, adminKey, nil, 200)
	if _, shown := got["secret"]; shown || got["secret_hint"] != "****1234" {
		t.Errorf("get = %v; want the secret masked", got)
	}
	if list := s.JSON("GET", base, adminKey, nil, 200)["data"].([]any); len(list) != 1 || list[0].(map[string]any)["secret"] != nil {
		t.Errorf("list = %v", list)
	}
	patched := s.JSON("PATCH", base+"/"+id, adminKey, map[string]any{"timeout_ms": 5000, "enabled": 0, "description": "Look things up."}, 200)
	if patched["timeout_ms"] != 5000.0 || patched["enabled"] != false || patched["secret"] != nil || patched["secret_hint"] != "****1234" {
		t.Errorf("patched = %v", patched)
	}
	if cleared := s.JSON("PATCH", base+"/"+id, adminKey, map[string]any{"secret": ""}, 200); cleared["secret_hint"] != nil {
		t.Errorf("secret removed = %v", cleared)
	}

	for _, tc := range []struct {
		field string
		body  map[string]any
	}{
		{"name", map[string]any{"mode": "in_call", "url": target}},
		{"name", map[string]any{"name": "Bad-Name", "mode": "in_call", "url": target}},
		{"mode", map[string]any{"name": "x", "url": target}},
		{"mode", map[string]any{"name": "x", "mode": "sometimes", "url": target}},
		{"url", map[string]any{"name": "x", "mode": "in_call"}},
		{"url", map[string]any{"name": "x", "mode": "in_call", "url": "https://127.0.0.1/x"}},
		{"url", map[string]any{"name": "x", "mode": "in_call", "url": "https://100.64.0.1/x"}},
		{"url", map[string]any{"name": "x", "mode": "in_call", "url": "https://[64:ff9b::a00:1]/x"}},
		{"url", map[string]any{"name": "x", "mode": "in_call", "url": "http://93.184.215.14/x"}},
		{"url", map[string]any{"name": "x", "mode": "in_call", "url": "https://{{.args.host}}/x"}},
		{"method", map[string]any{"name": "x", "mode": "in_call", "url": target, "method": "TRACE"}},
		{"timeout_ms", map[string]any{"name": "x", "mode": "in_call", "url": target, "timeout_ms": 0}},
		{"timeout_ms", map[string]any{"name": "x", "mode": "in_call", "url": target, "timeout_ms": 10001}},
		{"body_template", map[string]any{"name": "x", "mode": "in_call", "url": target, "body_template": "{{.args"}},
		{"body_template", map[string]any{"name": "x", "mode": "in_call", "url": target, "method": "GET", "body_template": "{}"}},
		{"output_template", map[string]any{"name": "x", "mode": "in_call", "url": target, "output_template": "{{nope .json}}"}},
		{"parameters", map[string]any{"name": "x", "mode": "in_call", "url": target, "parameters": map[string]any{"type": "string"}}},
		{"parameters", map[string]any{"name": "x", "mode": "pre_call", "url": target,
			"parameters": map[string]any{"type": "object", "properties": map[string]any{"a": map[string]any{"type": "string"}}}}},
		{"headers", map[string]any{"name": "x", "mode": "in_call", "url": target, "headers": map[string]string{"Host": "evil"}}},
		{"secret_header", map[string]any{"name": "x", "mode": "in_call", "url": target, "secret_header": "Bad Header"}},
		{"colour", map[string]any{"name": "x", "mode": "in_call", "url": target, "colour": "red"}},
	} {
		res := s.JSON("POST", base, adminKey, tc.body, 422)
		fields, _ := res["error"].(map[string]any)["details"].(map[string]any)["fields"].(map[string]any)
		if _, ok := fields[tc.field]; !ok {
			t.Errorf("POST %v = %v; want 422 naming %s", tc.body, res, tc.field)
		}
	}
	if code := errCode(t, s, "POST", base, map[string]any{"name": "lookup", "mode": "pre_call", "url": target}, 409); code != "name_taken" {
		t.Errorf("duplicate name = %s", code)
	}
	// The same name on another flow is fine; a tool is reached only through its own flow.
	theirs := s.JSON("POST", "/api/flows/"+other+"/tools", adminKey, map[string]any{"name": "lookup", "mode": "pre_call", "url": target}, 201)["id"].(string)
	s.JSON("GET", base+"/"+theirs, adminKey, nil, 404)
	s.JSON("GET", base+"/"+theirs+"/executions", adminKey, nil, 404)
	s.JSON("GET", "/api/flows/flow_missing/tools", adminKey, nil, 404)

	viewer := s.JSON("POST", "/api/api-keys", adminKey, map[string]any{"name": "v", "role": "viewer"}, 201)["key"].(string)
	s.JSON("GET", base, viewer, nil, 200)
	s.JSON("GET", base+"/"+id+"/executions", viewer, nil, 200)
	s.JSON("POST", base, viewer, map[string]any{"name": "v", "mode": "in_call", "url": target}, 403)

	if st, body := s.Do("DELETE", base+"/"+id, adminKey, nil); st != 204 {
		t.Fatalf("delete = %d %s", st, body)
	}
	s.JSON("GET", base+"/"+id, adminKey, nil, 404)
	s.JSON("GET", base+"/"+id+"/executions", adminKey, nil, 404)
}

// storedInClear fails the test when a record under prefix holds secret as
// plain bytes (SPEC 2.13.7: tool secrets are stored encrypted).
func storedInClear(t *testing.T, s *apptest.Server, prefix, secret string) {
	t.Helper()
	found := 0
	err := s.App.Store.Scan([]byte(prefix), storage.ScanOptions{}, func(k, v []byte) (bool, error) {
		found++
		if strings.Contains(string(v), secret) {
			t.Errorf("%s stores the secret in the clear: %s", k, v)
		}
		return true, nil
	})
	if err != nil || found == 0 {
		t.Errorf("no record under %s (%v)", prefix, err)
	}
}

// TestOldSecretsSealedAtStart: a tool secret an older humd stored in the
// clear is sealed by the next start, and the tool still has it.
func TestOldSecretsSealedAtStart(t *testing.T) {
	dir := t.TempDir()
	s := apptest.Start(t, apptest.Options{Dir: dir})
	flow := s.JSON("POST", "/api/flows", adminKey, map[string]any{"name": "A flow"}, 201)["id"].(string)
	id := s.JSON("POST", "/api/flows/"+flow+"/tools", adminKey, map[string]any{"name": "lookup", "mode": "in_call",
		"url": "https://93.184.215.14/api", "secret": "tok_oldsecret9876"}, 201)["id"].(string)
	org := s.OrgID()
	var key, raw []byte
	err := s.App.Store.Scan([]byte("flowtool/"), storage.ScanOptions{}, func(k, v []byte) (bool, error) {
		key, raw = k, v
		return false, nil
	})
	var rec map[string]any
	if err != nil || json.Unmarshal(raw, &rec) != nil {
		t.Fatalf("stored tool %s: %v", raw, err)
	}
	rec["secret"] = "tok_oldsecret9876" // as an older humd wrote it
	old, _ := json.Marshal(rec)
	b := s.App.Store.NewBatch()
	b.Set(key, old)
	if err := b.Commit(storage.Sync); err != nil {
		t.Fatal(err)
	}
	s.Stop()

	s2 := apptest.Start(t, apptest.Options{Dir: dir})
	storedInClear(t, s2, "flowtool/", "tok_oldsecret9876")
	tool, err := flowtools.Get(s2.App.Store, org, flow, id)
	if err != nil || tool.Secret != "tok_oldsecret9876" {
		t.Errorf("tool after the start = %+v, %v; want its secret back", tool, err)
	}
}
