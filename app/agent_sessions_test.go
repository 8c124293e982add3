package app_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/humd/humd/app/apptest"
)

func TestAgentSessionValidation(t *testing.T) {
	s := apptest.Start(t, apptest.Options{})
	s.JSON("POST", "/api/flows", adminKey, map[string]any{"name": "Sales Support Agent", "voice_id": "21m00Tcm4TlvDq8ikWAM"}, 201)
	_, keyB := provision(t, s, "Org B", "")
	cases := []struct {
		body   string
		status int
		want   string // substring of the answer
	}{
		{`{"agent_id":1}`, 201, `"session_type":"agent_voice"`},
		{`{"agent_id":1,"session_type":"voice"}`, 201, `"session_type":"agent_voice"`},
		{`{"agent_id":1,"session_type":"agent_chat","metadata":{"source":"web_app"}}`, 201, `"source":"web_app"`},
		{`{"agent_id":1,"session_type":"agent_video"}`, 201, `"agent_video"`},
		{`{"agent_id":1,"session_type":"webrtc_video"}`, 201, `"webrtc_video"`},
		{`{"agent_id":"1"}`, 201, `"agent_id":1`},
		{`{"agent_id":1,"metadata":null}`, 201, `"metadata":{}`},
		{`{"agent_id":99}`, 404, `Agent not found or access denied`},
		{`{}`, 422, `agent_id`},
		{`{"agent_id":0}`, 422, `agent_id`},
		{`{"agent_id":-3}`, 422, `agent_id`},
		{`{"agent_id":1.5}`, 422, `agent_id`},
		{`{"agent_id":"abc"}`, 422, `agent_id`},
		{`{"agent_id":1,"session_type":"phone"}`, 422, `session_type`},
		{`{"agent_id":1,"session_type":5}`, 422, `session_type`},
		{`{"agent_id":1,"metadata":"x"}`, 422, `metadata`},
		{`{"agent_id":1,"metadata":[1]}`, 422, `metadata`},
		{`{"agent_id":1,"avatar":"x"}`, 422, `avatar`},
		{`[1]`, 422, `body`},
		{`{"agent_id":`, 422, `body`},
	}
	for _, c := range cases {
		status, raw := s.Do("POST", "/api/v1/sessions", adminKey, c.body)
		if status != c.status || !strings.Contains(string(raw), c.want) {
			t.Errorf("POST /api/v1/sessions %s = %d %s; want %d containing %q", c.body, status, raw, c.status, c.want)
		}
		if status >= 400 && !strings.Contains(string(raw), `"success":false`) {
			t.Errorf("error answer %s lacks success:false", raw)
		}
	}
	// Another org's key cannot reach org A's agent.
	status, raw := s.Do("POST", "/api/v1/sessions", keyB, `{"agent_id":1}`)
	if status != 404 || !strings.Contains(string(raw), "Agent not found or access denied") {
		t.Errorf("org B creating on org A's agent = %d %s", status, raw)
	}
	// x-api-key works as the seed shows.
	res := s.JSON("POST", "/api/v1/sessions", adminKey, map[string]any{"agent_id": 1}, 201)
	sess := res["session"].(map[string]any)
	if res["message"] != "Session started successfully" || res["success"] != true || sess["agent_name"] != "Sales Support Agent" ||
		sess["voice_id"] != "21m00Tcm4TlvDq8ikWAM" || sess["status"] != "active" {
		t.Errorf("create answer = %v", res)
	}
}

func TestAgentSessionLifecycle(t *testing.T) {
	s := apptest.Start(t, apptest.Options{})
	s.JSON("POST", "/api/flows", adminKey, map[string]any{"name": "Agent"}, 201)
	a := s.JSON("POST", "/api/v1/sessions", adminKey, map[string]any{"agent_id": 1}, 201)["session"].(map[string]any)
	b := s.JSON("POST", "/api/v1/sessions", adminKey, map[string]any{"agent_id": 1}, 201)["session"].(map[string]any)
	if a["session_id"].(float64) != 1 || b["session_id"].(float64) != 2 {
		t.Fatalf("session ids %v, %v; want 1, 2", a["session_id"], b["session_id"])
	}
	for i := 0; i < 3; i++ {
		s.JSON("POST", "/api/v1/sessions/1/messages", adminKey, map[string]any{"content": fmt.Sprintf("m%d", i)}, 201)
	}
	for _, bad := range []string{`{}`, `{"content":""}`, `{"content":"` + strings.Repeat("x", 4001) + `"}`, `{"content":"x","role":"assistant"}`} {
		s.JSON("POST", "/api/v1/sessions/1/messages", adminKey, bad, 422)
	}
	msgs := s.JSON("GET", "/api/v1/sessions/1/messages", adminKey, nil, 200)["messages"].([]any)
	if len(msgs) != 3 || msgs[0].(map[string]any)["content"] != "m0" || msgs[2].(map[string]any)["content"] != "m2" {
		t.Errorf("messages = %v; want m0..m2 in order", msgs)
	}
	s.Clock.Advance(95 * time.Second)
	end := s.JSON("PUT", "/api/v1/sessions/1/end", adminKey, map[string]any{"transcript": "hello", "metadata": map[string]any{"x": 1}}, 200)
	sess := end["session"].(map[string]any)
	if sess["status"] != "completed" || sess["duration"].(float64) != 95 || sess["billing_minutes"].(float64) != 2 ||
		sess["transcript"] != "hello" || end["message"] != "Session ended successfully" {
		t.Errorf("end = %v", end)
	}
	again := s.JSON("POST", "/api/v1/sessions/1/end", adminKey, nil, 200)
	if again["session"].(map[string]any)["ended_at"] != sess["ended_at"] {
		t.Errorf("ending twice changed the session: %v", again)
	}
	res := s.JSON("POST", "/api/v1/sessions/1/messages", adminKey, map[string]any{"content": "late"}, 409)
	if res["error"] != "Session is not active" || res["success"] != false {
		t.Errorf("message to an ended session = %v", res)
	}
	s.JSON("GET", "/api/v1/sessions/abc", adminKey, nil, 404)
	s.JSON("PUT", "/api/v1/sessions/1/end", adminKey, map[string]any{"duration": -1}, 422)
	list := s.JSON("GET", "/api/v1/sessions?status=active", adminKey, nil, 200)["sessions"].([]any)
	if len(list) != 1 || list[0].(map[string]any)["session_id"].(float64) != 2 {
		t.Errorf("active sessions = %v; want only 2", list)
	}
	// The sweeper ends session 2 once it has been idle past the limit.
	s.WaitFor("idle session swept", func() error {
		s.Clock.Advance(time.Minute)
		got := s.JSON("GET", "/api/v1/sessions/2", adminKey, nil, 200)["session"].(map[string]any)
		if got["status"] != "completed" {
			return fmt.Errorf("status %v", got["status"])
		}
		return nil
	})
}

func TestAgentSessionsSurviveRestart(t *testing.T) {
	dir := t.TempDir()
	s := apptest.Start(t, apptest.Options{Dir: dir})
	s.JSON("POST", "/api/flows", adminKey, map[string]any{"name": "Agent"}, 201)
	s.JSON("POST", "/api/v1/sessions", adminKey, map[string]any{"agent_id": 1}, 201)
	s.JSON("POST", "/api/v1/sessions/1/messages", adminKey, map[string]any{"content": "before"}, 201)
	s.Stop()
	s2 := apptest.Start(t, apptest.Options{Dir: dir})
	s2.JSON("POST", "/api/v1/sessions/1/messages", adminKey, map[string]any{"content": "after"}, 201)
	msgs := s2.JSON("GET", "/api/v1/sessions/1/messages", adminKey, nil, 200)["messages"].([]any)
	if len(msgs) != 2 || msgs[1].(map[string]any)["content"] != "after" || msgs[1].(map[string]any)["seq"].(float64) != 2 {
		t.Errorf("messages after restart = %v", msgs)
	}
	if id := s2.JSON("POST", "/api/v1/sessions", adminKey, map[string]any{"agent_id": 1}, 201)["session"].(map[string]any)["session_id"]; id.(float64) != 2 {
		t.Errorf("next session id after restart = %v; want 2", id)
	}
}
