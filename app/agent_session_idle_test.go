package app_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/humd/humd/app/apptest"
)

// TestAgentSessionIdleEndsAtLastActivity: a session answers its idle limit
// (idle_timeout_s) and when it runs out (expiration: last activity plus the
// limit); the sweeper ends it after that, and the swept session's duration
// and billing minutes run to its last activity, not to the sweep.
func TestAgentSessionIdleEndsAtLastActivity(t *testing.T) {
	s := apptest.Start(t, apptest.Options{})
	s.JSON("POST", "/api/flows", adminKey, map[string]any{"name": "Agent"}, 201)
	t0 := s.Clock.Now().UTC()
	at := func(d time.Duration) string { return t0.Add(d).Format(time.RFC3339) }
	created := s.JSON("POST", "/api/v1/sessions", adminKey, map[string]any{"agent_id": 1}, 201)["session"].(map[string]any)
	id := fmt.Sprint(created["session_id"])
	if created["idle_timeout_s"] != 180.0 || created["expiration"] != at(3*time.Minute) {
		t.Errorf("created = %v; want idle_timeout_s 180, expiration %s", created, at(3*time.Minute))
	}

	// A message 70s in moves the expiration.
	s.Clock.Advance(70 * time.Second)
	s.JSON("POST", "/api/v1/sessions/"+id+"/messages", adminKey, map[string]any{"content": "hello"}, 201)
	got := s.JSON("GET", "/api/v1/sessions/"+id, adminKey, nil, 200)["session"].(map[string]any)
	if got["status"] != "active" || got["expiration"] != at(70*time.Second+3*time.Minute) {
		t.Errorf("after a message = %v; want active until %s", got, at(70*time.Second+3*time.Minute))
	}

	// Nothing more: the sweeper (every minute) ends it once the limit ran out.
	s.WaitFor("the session swept", func() error {
		s.Clock.Advance(time.Minute)
		got = s.JSON("GET", "/api/v1/sessions/"+id, adminKey, nil, 200)["session"].(map[string]any)
		if got["status"] != "completed" {
			return fmt.Errorf("status %v at %v", got["status"], s.Clock.Now())
		}
		return nil
	})
	if swept := s.Clock.Now().Sub(t0); swept < 70*time.Second+3*time.Minute {
		t.Errorf("swept %v after the start; want no sooner than the idle limit after the last message", swept)
	}
	if got["duration"] != 70.0 || got["billing_minutes"] != 2.0 || got["ended_at"] != at(70*time.Second) ||
		got["end_reason"] != "idle" || got["expiration"] != nil {
		t.Errorf("swept = %v; want duration 70, billing_minutes 2, ended_at %s (the last message), end_reason idle, no expiration",
			got, at(70*time.Second))
	}

	// An untouched session bills nothing for the time it sat idle.
	s.JSON("POST", "/api/v1/sessions", adminKey, map[string]any{"agent_id": 1}, 201)
	s.WaitFor("the untouched session swept", func() error {
		s.Clock.Advance(time.Minute)
		got = s.JSON("GET", "/api/v1/sessions/2", adminKey, nil, 200)["session"].(map[string]any)
		if got["status"] != "completed" {
			return fmt.Errorf("status %v", got["status"])
		}
		return nil
	})
	if got["duration"] != 0.0 || got["billing_minutes"] != 0.0 || got["ended_at"] != got["started_at"] {
		t.Errorf("untouched swept session = %v; want duration 0, billing_minutes 0, ended when it started", got)
	}
}
