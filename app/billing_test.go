package app_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/humd/humd/app"
	"github.com/humd/humd/app/apptest"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/calls"
	"github.com/humd/humd/storage/sms"
)

// TestBillingRolesAndProviderNone: every billing route is admin only, and
// with billing.provider none checkout and portal are 501.
func TestBillingRolesAndProviderNone(t *testing.T) {
	s := apptest.Start(t, apptest.Options{})
	routes := []struct {
		method, path string
		body         any
	}{
		{"GET", "/api/billing", nil},
		{"POST", "/api/billing/checkout", map[string]any{"plan_id": "pro"}},
		{"POST", "/api/billing/portal", nil},
		{"PATCH", "/api/billing/subscription", map[string]any{"auto_recharge": true}},
	}
	for _, role := range []string{"viewer", "operator"} {
		k := roleKey(t, s, role)
		for _, r := range routes {
			if st, _ := s.Do(r.method, r.path, k, r.body); st != 403 {
				t.Errorf("%s %s %s = %d; want 403", role, r.method, r.path, st)
			}
		}
	}
	if st := s.JSON("GET", "/api/billing", adminKey, nil, 200)["subscription"].(map[string]any); st["auto_recharge"] != false {
		t.Errorf("a viewer's or operator's PATCH changed the settings: %v", st)
	}
	for _, r := range routes[1:3] {
		if c := errCode(t, s, r.method, r.path, r.body, 501); c != "billing_not_configured" {
			t.Errorf("%s %s: code %s; want billing_not_configured", r.method, r.path, c)
		}
	}
	errCode(t, s, "POST", "/api/billing/checkout", map[string]any{}, 422)
}

// TestBillingSubscriptionSettings: PATCH validates, changes only the fields
// sent, and GET shows what was stored.
func TestBillingSubscriptionSettings(t *testing.T) {
	s := apptest.Start(t, apptest.Options{})
	for _, bad := range []map[string]any{
		{"usage_alert_threshold": 0}, {"usage_alert_threshold": 101}, {"usage_alert_threshold": 50.5},
		{"usage_alert_threshold": "80"}, {"auto_recharge": "yes"}, {"plan": "pro"},
	} {
		errCode(t, s, "PATCH", "/api/billing/subscription", bad, 422)
	}
	p := s.JSON("PATCH", "/api/billing/subscription", adminKey, map[string]any{"auto_recharge": true, "usage_alert_threshold": 80,
		"cancel_at_period_end": true}, 200)
	if p["auto_recharge"] != true || p["usage_alert_threshold"] != 80.0 || p["cancel_at_period_end"] != true || p["extra_numbers_allowed"] != false {
		t.Errorf("patched = %v", p)
	}
	s.JSON("PATCH", "/api/billing/subscription", adminKey, map[string]any{"usage_alert_threshold": nil, "cancel_at_period_end": false}, 200)
	got := s.JSON("GET", "/api/billing", adminKey, nil, 200)["subscription"].(map[string]any)
	if got["auto_recharge"] != true || got["usage_alert_threshold"] != nil || got["cancel_at_period_end"] != false {
		t.Errorf("GET after two PATCHes = %v; want auto_recharge kept, threshold cleared", got)
	}
	// Settings are per org.
	_, keyB := provision(t, s, "Org B", "b@example.com")
	if st, raw := s.Do("GET", "/api/billing", keyB, nil); st != 200 || !strings.Contains(string(raw), `"auto_recharge":false`) {
		t.Errorf("another org's billing = %d %s; want its own defaults", st, raw)
	}
}

// TestBillingUsage: the summary totals this month's calls (minutes rounded
// up per call), SMS segments both ways, numbers and the AI tokens of the
// month's calls and SMS runs, and reports the number cap.
func TestBillingUsage(t *testing.T) {
	s := apptest.Start(t, apptest.Options{Config: app.Config{PlanMaxNumbers: 1}})
	s.AddNumber(ourNumber, 1000)
	now := s.Clock.Now()
	tok := func(in, out int64) storage.Tokens { return storage.Tokens{InputTokens: in, OutputTokens: out} }
	putCall(t, s, &calls.Call{From: contact, To: ourNumber, StartedAt: now.Add(-time.Hour), DurationS: 61, AIUsage: tok(100, 20)}, nil, nil)
	putCall(t, s, &calls.Call{From: contact, To: ourNumber, StartedAt: now.Add(-2 * time.Hour), DurationS: 30, AIUsage: tok(7, 3)}, nil, nil)
	putCall(t, s, &calls.Call{From: contact, To: ourNumber, StartedAt: now.AddDate(0, -1, 0), DurationS: 600, AIUsage: tok(5000, 5000)}, nil, nil) // last month
	inbound(t, s, "SM00000000000000000000000000000001", contact, "hello")
	conv := onlyConversation(t, s)["id"].(string)
	// Two runs this month, one last month (written straight to the store: the
	// run path has its own test).
	b := s.App.Store.NewBatch()
	for i, r := range []struct {
		at time.Time
		u  storage.Tokens
	}{{now.Add(-time.Minute), tok(40, 4)}, {now.Add(-3 * time.Hour), tok(1, 1)}, {now.AddDate(0, -1, 0), tok(9000, 9000)}} {
		b.SetJSON(sms.KeyRun(s.OrgID(), conv, uint64(100+i)), &sms.Run{ID: fmt.Sprint("run_", i), OrgID: s.OrgID(), ConversationID: conv,
			Seq: uint64(100 + i), StartedAt: r.at, EndedAt: r.at, Status: sms.RunCompleted, Usage: r.u})
	}
	if err := b.Commit(storage.Sync); err != nil {
		t.Fatal(err)
	}
	s.JSON("POST", "/api/sms/conversations/"+conv+"/messages", adminKey, map[string]any{"body": strings.Repeat("x", 200)}, 201)
	var u map[string]any
	s.WaitFor("usage with the reply's segments", func() error {
		u = s.JSON("GET", "/api/billing", adminKey, nil, 200)["usage"].(map[string]any)
		if u["sms_segments_outbound"] != 2.0 {
			return fmt.Errorf("usage %v", u)
		}
		return nil
	})
	if u["calls"] != 2.0 || u["call_seconds"] != 91.0 || u["call_minutes"] != 3.0 || u["sms_segments_inbound"] != 1.0 ||
		u["sms_segments"] != 3.0 || u["numbers"] != 1.0 {
		t.Errorf("usage = %v; want 2 calls, 91 s = 3 billed minutes, 1+2 segments, 1 number", u)
	}
	if ai := u["ai_tokens"].(map[string]any); ai["input"] != 148.0 || ai["output"] != 28.0 || ai["total"] != 176.0 {
		t.Errorf("ai_tokens = %v; want this month's calls (100+7 in, 20+3 out) and runs (40+1 in, 4+1 out)", ai)
	}
	bill := s.JSON("GET", "/api/billing", adminKey, nil, 200)
	lim := bill["limits"].(map[string]any)["numbers"].(map[string]any)
	if lim["limit"] != 1.0 || lim["used"] != 1.0 || bill["provider"] != "none" || fmt.Sprint(bill["unrecorded"]) != "[]" {
		t.Errorf("billing = %v", bill)
	}
	// At the cap, registering is a 402 until extras are allowed.
	errCode(t, s, "POST", "/api/numbers", map[string]any{"e164": "+13175550188"}, 402)
	s.JSON("PATCH", "/api/billing/subscription", adminKey, map[string]any{"extra_numbers_allowed": true}, 200)
	s.JSON("POST", "/api/numbers", adminKey, map[string]any{"e164": "+13175550188"}, 201)
	lim = s.JSON("GET", "/api/billing", adminKey, nil, 200)["limits"].(map[string]any)["numbers"].(map[string]any)
	if lim["used"] != 2.0 || lim["extra"] != 1.0 || lim["extra_allowed"] != true {
		t.Errorf("numbers limit = %v; want 2 used, 1 extra", lim)
	}
}
