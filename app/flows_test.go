package app_test

import (
	"testing"

	"github.com/humd/humd/app/apptest"
	"github.com/humd/humd/storage/sms"
)

func TestFlowsOverHTTP(t *testing.T) {
	s := apptest.Start(t, apptest.Options{})
	f := s.JSON("POST", "/api/flows", adminKey, map[string]any{"name": "Texts", "channel": "sms", "system_prompt": "Be brief.",
		"voicemail_enabled": 1, "sms_config_json": map[string]any{"debounce_ms": 2000}}, 201)
	if f["agent_id"].(float64) != 1 || f["trigger_type"] != "message" || f["voicemail_enabled"] != true {
		t.Errorf("created flow = %v", f)
	}
	cfg := f["sms_config_json"].(map[string]any)
	if cfg["debounce_ms"].(float64) != 2000 || cfg["max_reply_chars"].(float64) != 1600 {
		t.Errorf("sms_config_json = %v; want debounce 2000 and defaults filled", cfg)
	}
	id := f["id"].(string)
	res := s.JSON("POST", "/api/flows", adminKey, map[string]any{"name": "x", "sms_config_json": map[string]any{"nope": 1}}, 422)
	if _, ok := res["error"].(map[string]any)["details"].(map[string]any)["fields"].(map[string]any)["sms_config_json.nope"]; !ok {
		t.Errorf("unknown sms_config_json key: %v", res)
	}
	p := s.JSON("PATCH", "/api/flows/"+id, adminKey, map[string]any{"greeting": "Hi!", "system_prompt": nil}, 200)
	if p["greeting"] != "Hi!" || p["system_prompt"] != "" || p["name"] != "Texts" {
		t.Errorf("patched = %v", p)
	}
	d := s.JSON("POST", "/api/flows/"+id+"/duplicate", adminKey, nil, 201)
	if d["name"] != "Texts (copy)" || d["agent_id"].(float64) != 2 {
		t.Errorf("duplicate = %v", d)
	}
	list := s.JSON("GET", "/api/flows?channel=sms&limit=1", adminKey, nil, 200)
	if len(list["data"].([]any)) != 1 || list["next_cursor"] == nil {
		t.Errorf("list page = %v", list)
	}
	s.JSON("GET", "/api/flows?channel=fax", adminKey, nil, 422)
	// A number using the flow blocks its deletion.
	n := s.AddNumber(ourNumber, 1)
	n.SMSFlowID = &id
	putNumber(t, s, n)
	s.JSON("DELETE", "/api/flows/"+id, adminKey, nil, 409)
	s.JSON("DELETE", "/api/flows/"+d["id"].(string), adminKey, nil, 204)
	s.JSON("GET", "/api/flows/"+d["id"].(string), adminKey, nil, 404)
}

func putNumber(t *testing.T, s *apptest.Server, n *sms.Number) {
	t.Helper()
	s.PutNumber(n)
}
