package app_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/humd/humd/app"
	"github.com/humd/humd/app/apptest"
)

// storageFamilies answers GET /api/admin/storage's families by key family,
// and the report.
func storageFamilies(s *apptest.Server) (map[string]map[string]any, map[string]any) {
	rep := s.JSON("GET", "/api/admin/storage", adminKey, nil, 200)
	out := map[string]map[string]any{}
	for _, f := range rep["families"].([]any) {
		m := f.(map[string]any)
		out[m["family"].(string)] = m
	}
	return out, rep
}

// GET /api/admin/storage reports every key family with its size and, for
// retention's families, the oldest and newest record and the retention;
// a site admin only. Retention then runs on the clock: a month on, the
// events and the sandbox's sends of the first day are gone, the AI run
// (kept 90 days) is not.
func TestStorageReportAndRetention(t *testing.T) {
	s := apptest.Start(t, apptest.Options{Seed: true})
	res := s.JSON("POST", "/api/sandbox/inbound", adminKey, map[string]any{"from": contact, "to": app.SandboxNumber,
		"body": "What are your opening hours?"}, 201)
	conv := res["message"].(map[string]any)["conversation_id"].(string)
	s.Clock.Advance(3 * time.Second) // the seeded flow's debounce
	s.Settle("one AI reply", func() error {
		if msgs := s.Messages(conv); len(msgs) != 2 {
			return fmt.Errorf("thread = %v", msgs)
		}
		return nil
	})
	fams, rep := storageFamilies(s)
	ev, runs, sb, msgs := fams["event/"], fams["airun/"], fams["sandbox"], fams["msg/"]
	if ev == nil || ev["name"] != "events" || ev["records"].(float64) < 2 || ev["oldest"] == nil || ev["newest"] == nil ||
		ev["retention_seconds"].(float64) != 30*24*3600 {
		t.Errorf("event/ = %v; want the events family, kept 30 days, with records and their times", ev)
	}
	if runs == nil || runs["name"] != "ai_runs" || runs["records"].(float64) != 1 || runs["retention_seconds"].(float64) != 90*24*3600 {
		t.Errorf("airun/ = %v; want the one run, kept 90 days", runs)
	}
	if sb == nil || sb["records"].(float64) != 1 || sb["retention_seconds"].(float64) != 7*24*3600 {
		t.Errorf("sandbox = %v; want the one send, kept 7 days", sb)
	}
	if msgs == nil || msgs["records"].(float64) != 2 || msgs["name"] != nil || msgs["oldest"] != nil {
		t.Errorf("msg/ = %v; want 2 records and no retention", msgs)
	}
	ret := rep["retention"].(map[string]any)
	if ret["every_seconds"].(float64) != 3600 || ret["next_run_at"] == nil || ret["batch"].(float64) != 10000 {
		t.Errorf("retention = %v; want every hour, batches of 10000, a next run", ret)
	}

	org := s.JSON("POST", "/api/admin/orgs", adminKey, map[string]any{"name": "Other"}, 201)
	if st, raw := s.Do("GET", "/api/admin/storage", org["api_key"].(string), nil); st != 403 || !strings.Contains(string(raw), `{"error":{"code":"insufficient_scope"`) {
		t.Errorf("storage with an org admin's key = %d %s; want 403 with the JSON error", st, raw)
	}

	first := s.Clock.Now()
	s.Clock.Advance(31 * 24 * time.Hour)
	s.Clock.Advance(time.Hour) // a pass on the new day's clock
	s.WaitFor("the first day's events and sends to go", func() error {
		fams, _ := storageFamilies(s)
		if o := fams["event/"]["oldest"]; o != nil && o.(string) < first.Add(24*time.Hour).Format(time.RFC3339) {
			return fmt.Errorf("oldest event %v", o)
		}
		if n := fams["sandbox"]["records"].(float64); n != 0 {
			return fmt.Errorf("sandbox holds %v sends", n)
		}
		if fams["event/"]["deleted_last_run"] == nil {
			return fmt.Errorf("event/ = %v; want deleted_last_run", fams["event/"])
		}
		return nil
	})
	fams, _ = storageFamilies(s)
	if runs := fams["airun/"]; runs == nil || runs["records"].(float64) != 1 {
		t.Errorf("airun/ = %v; want the run kept (90 days)", runs)
	}
}
