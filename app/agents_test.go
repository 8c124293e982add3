package app_test

import (
	"fmt"
	"testing"

	"github.com/humd/humd/app/apptest"
)

// TestAgentsAreTheOrgsFlows: /api/v1/agents lists the org's flows under
// their integer agent_id, in the seed's envelope; an unknown id, or another
// org's, answers the seed's 404.
func TestAgentsAreTheOrgsFlows(t *testing.T) {
	s := apptest.Start(t, apptest.Options{})
	f := s.JSON("POST", "/api/flows", adminKey, map[string]any{"name": "Sales Support Agent", "voice_id": "21m00Tcm4TlvDq8ikWAM"}, 201)
	s.JSON("POST", "/api/flows", adminKey, map[string]any{"name": "Texts", "channel": "sms", "trigger_type": "message"}, 201)
	viewer := s.JSON("POST", "/api/api-keys", adminKey, map[string]any{"name": "v", "role": "viewer"}, 201)["key"].(string)

	list := s.JSON("GET", "/api/v1/agents", viewer, nil, 200)
	agents := list["agents"].([]any)
	if list["success"] != true || len(agents) != 2 {
		t.Fatalf("agents = %v; want both flows", list)
	}
	a := agents[0].(map[string]any)
	if a["id"] != f["agent_id"] || a["flow_id"] != f["id"] || a["name"] != "Sales Support Agent" || a["voice_id"] != "21m00Tcm4TlvDq8ikWAM" || a["avatar_url"] != nil {
		t.Errorf("first agent = %v; want the voice flow with its agent_id and voice", a)
	}
	if sms := s.JSON("GET", "/api/v1/agents?channel=sms", viewer, nil, 200)["agents"].([]any); len(sms) != 1 || sms[0].(map[string]any)["name"] != "Texts" {
		t.Errorf("sms agents = %v", sms)
	}
	one := s.JSON("GET", "/api/v1/agents/"+jsonNumber(f["agent_id"]), viewer, nil, 200)
	if one["success"] != true || one["agent"].(map[string]any)["flow_id"] != f["id"] {
		t.Errorf("agent = %v", one)
	}
	other := s.JSON("POST", "/api/admin/orgs", adminKey, map[string]any{"name": "Other", "owner_email": "o@example.com"}, 201)["api_key"].(string)
	for _, key := range []string{adminKey, other} {
		for _, id := range []string{"999", "abc"} {
			if key == other {
				id = jsonNumber(f["agent_id"])
			}
			got := s.JSON("GET", "/api/v1/agents/"+id, key, nil, 404)
			if got["success"] != false || got["error"] != "Agent not found or access denied" {
				t.Errorf("agent %s = %v; want the seed's 404", id, got)
			}
		}
	}
}

// jsonNumber writes a decoded JSON integer as a path segment.
func jsonNumber(v any) string { return fmt.Sprintf("%.0f", v.(float64)) }
