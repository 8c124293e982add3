package app_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/humd/humd/app/apptest"
	"github.com/humd/humd/storage/calls"
)

// TestDashboardSumsUpTheOrg: the overview counts this org's calls (today,
// 7 days), its open and unread threads, unheard voicemails and the latest
// events, newest first; another org's activity is not in it.
func TestDashboardSumsUpTheOrg(t *testing.T) {
	s := apptest.Start(t, apptest.Options{})
	s.AddNumber(ourNumber, 1)
	now := s.Clock.Now()
	putCall(t, s, &calls.Call{StartedAt: now.Add(-time.Hour), DurationS: 60}, nil, nil)
	old := putCall(t, s, &calls.Call{StartedAt: now.Add(-3 * 24 * time.Hour), DurationS: 120}, nil, nil)
	putCall(t, s, &calls.Call{StartedAt: now.Add(-10 * 24 * time.Hour), DurationS: 30}, nil, nil) // outside the week
	putVoicemail(t, s, old, false)
	putVoicemail(t, s, old, true)
	for i := range 3 {
		inbound(t, s, fmt.Sprintf("SM%032d", 1600+i), fmt.Sprintf("+1317555%04d", 7000+i), "hello")
	}
	convs := s.JSON("GET", "/api/sms/conversations", adminKey, nil, 200)["data"].([]any)
	s.JSON("POST", "/api/sms/conversations/"+convs[0].(map[string]any)["id"].(string)+"/read", adminKey, nil, 200)
	s.JSON("POST", "/api/sms/conversations/"+convs[1].(map[string]any)["id"].(string)+"/close", adminKey, nil, 200)
	other := s.JSON("POST", "/api/admin/orgs", adminKey, map[string]any{"name": "Other", "owner_email": "o@example.com"}, 201)["org_id"].(string)
	putCall(t, s, &calls.Call{OrgID: other, StartedAt: now.Add(-time.Hour), DurationS: 60}, nil, nil)

	viewer := s.JSON("POST", "/api/api-keys", adminKey, map[string]any{"name": "v", "role": "viewer"}, 201)["key"].(string)
	d := s.JSON("GET", "/api/dashboard", viewer, nil, 200)
	want := map[string]float64{"calls_today": 1, "calls_7_days": 2, "connected_calls_7_days": 2, "avg_duration_s_7_days": 90,
		"open_threads": 2, "unread_threads": 2, "unheard_voicemails": 1, "active_campaigns": 0}
	for k, v := range want {
		if d[k] != v {
			t.Errorf("%s = %v; want %v", k, d[k], v)
		}
	}
	acts := d["recent_activity"].([]any)
	if len(acts) == 0 || len(acts) > 10 {
		t.Fatalf("recent_activity has %d events; want 1-10", len(acts))
	}
	if first, last := acts[0].(map[string]any)["seq"].(float64), acts[len(acts)-1].(map[string]any)["seq"].(float64); first <= last {
		t.Errorf("recent_activity runs seq %v..%v; want newest first", first, last)
	}
	if st, _ := s.Do("GET", "/api/dashboard", "", nil); st != 401 {
		t.Errorf("without a key = %d; want 401", st)
	}
}
