package app_test

import (
	"encoding/json"
	"maps"
	"testing"

	"github.com/humd/humd/app/apptest"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/flowtools"
	"github.com/humd/humd/storage/webhooks"
)

// Custom header values of the tests below: a credential and a plain one,
// both treated as secrets.
const (
	headerCred   = "hdr-cred-7Qx9Lm2Vp4Kz8812"
	headerTenant = "tenant-acme-42"
)

// headersMasked fails the test unless answer's headers are exactly want's
// names with their masked values.
func headersMasked(t *testing.T, what string, answer map[string]any, want map[string]string) {
	t.Helper()
	got, _ := answer["headers"].(map[string]any)
	if len(got) != len(want) {
		t.Errorf("%s: headers = %v; want %d masked", what, answer["headers"], len(want))
	}
	for k, v := range want {
		if got[k] != storage.Mask(v) {
			t.Errorf("%s: header %s = %v; want %q", what, k, got[k], storage.Mask(v))
		}
	}
}

// rewriteClear stores every record under prefix as an older humd wrote it:
// its headers member in the clear.
func rewriteClear(t *testing.T, s *apptest.Server, prefix string, headers map[string]string) {
	t.Helper()
	b := s.App.Store.NewBatch()
	err := s.App.Store.Scan([]byte(prefix), storage.ScanOptions{}, func(k, v []byte) (bool, error) {
		var rec map[string]any
		if err := json.Unmarshal(v, &rec); err != nil {
			return false, err
		}
		rec["headers"] = headers
		raw, _ := json.Marshal(rec)
		b.Set(k, raw)
		return true, nil
	})
	if err == nil {
		err = b.Commit(storage.Sync)
	}
	if err != nil {
		t.Fatal(err)
	}
}

// TestWebhookHeadersSealedAndMasked: custom header values are sealed at
// rest, masked in every answer (create, get, list, patch; admin and viewer
// alike), kept when a PATCH sends the masked values back, refused when a
// masked value masks nothing, and delivered in the clear. Values an older
// humd stored in the clear are sealed at the next start.
func TestWebhookHeadersSealedAndMasked(t *testing.T) {
	s := startWebhooks(t, "")
	viewer := s.JSON("POST", "/api/api-keys", adminKey, map[string]any{"name": "v", "role": "viewer"}, 201)["key"].(string)
	rcv := newReceiver(t)
	headers := map[string]string{"Authorization": "Bearer " + headerCred, "X-Tenant": headerTenant}
	created := s.JSON("POST", "/api/webhooks", adminKey, map[string]any{"url": rcv.URL, "events": []string{"*"}, "headers": headers}, 201)
	id := created["id"].(string)
	headersMasked(t, "create", created, headers)
	storedInClear(t, s, "webhook/", headerCred)
	storedInClear(t, s, "webhook/", headerTenant)
	headersMasked(t, "viewer get", s.JSON("GET", "/api/webhooks/"+id, viewer, nil, 200), headers)
	headersMasked(t, "viewer list", s.JSON("GET", "/api/webhooks", viewer, nil, 200)["data"].([]any)[0].(map[string]any), headers)

	// A client edits headers by sending the whole map back, as it was answered.
	answered := map[string]any{}
	for k, v := range created["headers"].(map[string]any) {
		answered[k] = v
	}
	answered["X-Extra"] = "extra-1"
	headers["X-Extra"] = "extra-1"
	headersMasked(t, "patch", s.JSON("PATCH", "/api/webhooks/"+id, adminKey, map[string]any{"headers": answered}, 200), headers)
	for _, bad := range []map[string]any{{"Authorization": "****9999"}, {"X-Api-Key": "****"}} {
		res := s.JSON("PATCH", "/api/webhooks/"+id, adminKey, map[string]any{"headers": bad}, 422)
		if fields := res["error"].(map[string]any)["details"].(map[string]any)["fields"].(map[string]any); fields["headers"] == nil {
			t.Errorf("PATCH %v: %v; want a headers error", bad, res)
		}
	}
	if e, err := webhooks.Get(s.App.Store, s.OrgID(), id); err != nil || !maps.Equal(e.Headers, headers) {
		t.Errorf("stored headers = %v, %v; want %v", e.Headers, err, headers)
	}

	delivered := func(s *apptest.Server, n int) {
		t.Helper()
		if res := s.JSON("POST", "/api/webhooks/"+id+"/test", adminKey, nil, 200); res["response_status"] != 200.0 {
			t.Fatalf("test = %v", res)
		}
		got := rcv.requests()
		h := got[len(got)-1].header
		if len(got) != n || h.Get("Authorization") != "Bearer "+headerCred || h.Get("X-Tenant") != headerTenant || h.Get("X-Extra") != "extra-1" {
			t.Errorf("delivery %d headers = %v; want the values in the clear", n, h)
		}
	}
	delivered(s, 1)

	// An older humd's record, in the clear, is sealed at the next start.
	rewriteClear(t, s, "webhook/", headers)
	dir := s.Dir
	s.Stop()
	s = startWebhooks(t, dir)
	storedInClear(t, s, "webhook/", headerCred)
	storedInClear(t, s, "webhook/", headerTenant)
	delivered(s, 2)
}

// TestFlowToolHeadersSealedAndMasked: an HTTP tool's custom header values
// are sealed at rest, masked in every answer, kept when a PATCH sends the
// masked values back, refused when a masked value masks nothing, and sent
// in the clear when the model calls the tool. Values an older humd stored
// in the clear are sealed at the next start.
func TestFlowToolHeadersSealedAndMasked(t *testing.T) {
	rcv := newToolReceiver(t)
	s, fake := toolServer(t)
	viewer := s.JSON("POST", "/api/api-keys", adminKey, map[string]any{"name": "v", "role": "viewer"}, 201)["key"].(string)
	num := s.AddNumber(ourNumber, 1)
	flow := s.JSON("POST", "/api/flows", adminKey, map[string]any{"name": "Shop", "channel": "sms", "trigger_type": "message",
		"system_prompt": "Help with orders.", "sms_config_json": map[string]any{"debounce_ms": 2000}}, 201)["id"].(string)
	s.JSON("PATCH", "/api/numbers/"+num.ID, adminKey, map[string]any{"sms_flow_id": flow}, 200)
	base := "/api/flows/" + flow + "/tools"
	headers := map[string]string{"X-Api-Key": headerCred, "X-Tenant": headerTenant}
	created := s.JSON("POST", base, adminKey, map[string]any{"name": "order", "mode": "in_call", "url": rcv.URL + "/orders/A17",
		"headers": headers, "output_template": "Order is {{.json.status}}."}, 201)
	id := created["id"].(string)
	headersMasked(t, "create", created, headers)
	storedInClear(t, s, "flowtool/", headerCred)
	storedInClear(t, s, "flowtool/", headerTenant)
	headersMasked(t, "viewer get", s.JSON("GET", base+"/"+id, viewer, nil, 200), headers)
	headersMasked(t, "viewer list", s.JSON("GET", base, viewer, nil, 200)["data"].([]any)[0].(map[string]any), headers)

	answered := created["headers"].(map[string]any)
	answered["X-Extra"] = "extra-1"
	headers["X-Extra"] = "extra-1"
	headersMasked(t, "patch", s.JSON("PATCH", base+"/"+id, adminKey, map[string]any{"headers": answered}, 200), headers)
	for _, bad := range []map[string]any{{"X-Api-Key": "****9999"}, {"Authorization": "****"}} {
		res := s.JSON("PATCH", base+"/"+id, adminKey, map[string]any{"headers": bad}, 422)
		if fields := res["error"].(map[string]any)["details"].(map[string]any)["fields"].(map[string]any); fields["headers"] == nil {
			t.Errorf("PATCH %v: %v; want a headers error", bad, res)
		}
	}

	// An older humd's record, in the clear, is sealed at the next start.
	rewriteClear(t, s, "flowtool/", headers)
	if err := flowtools.Reseal(s.App.Store); err != nil {
		t.Fatal(err)
	}
	storedInClear(t, s, "flowtool/", headerCred)
	if tool, err := flowtools.Get(s.App.Store, s.OrgID(), flow, id); err != nil || !maps.Equal(tool.Headers, headers) {
		t.Errorf("stored headers = %v, %v; want %v", tool.Headers, err, headers)
	}

	fake.ReplyToolCall("http_order", `{}`)
	fake.ReplyText("It has shipped.")
	textAI(t, s, "SM00000000000000000000000000007201", "where is my order?", "It has shipped.")
	hits := rcv.got("/orders/")
	if len(hits) != 1 {
		t.Fatalf("receiver got %+v", hits)
	}
	for k, v := range headers {
		if got := hits[0].header.Get(k); got != v {
			t.Errorf("tool request header %s = %q; want %q", k, got, v)
		}
	}
}
