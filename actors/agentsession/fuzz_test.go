package agentsession

import (
	"testing"
	"time"

	"github.com/humd/humd/actors/actortest"
	"github.com/humd/humd/actors/clock"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/storagetest"
)

func newService(t testing.TB) *Service {
	t.Helper()
	st := storagetest.OpenMem(t)
	return New(Config{System: actortest.NewSystem(t), Store: st, Clock: clock.NewFake(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)),
		Agent: func(org string, id uint64) (*Agent, error) {
			if id != 1 {
				return nil, storage.ErrNotFound
			}
			return &Agent{FlowID: "flow_1", AgentID: 1, Name: "Agent"}, nil
		}})
}

// Every decoder answers only 2xx or 4xx, whatever the bytes.
func fuzzStatus(f *testing.F, seeds []string, call func(s *Service, body []byte) int) {
	for _, sd := range seeds {
		f.Add([]byte(sd))
	}
	s := newService(f)
	if st, _ := s.Create("org", "key", []byte(`{"agent_id":1}`)); st != 201 {
		f.Fatalf("seed session: %d", st)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if st := call(s, body); st >= 500 || st < 200 {
			t.Fatalf("%q answered %d", body, st)
		}
	})
}

func FuzzCreateSession(f *testing.F) {
	fuzzStatus(f, []string{`{"agent_id":1}`, `{"agent_id":"1","session_type":"voice"}`, `{"agent_id":1,"metadata":{"a":[1]}}`, `{}`, `[]`, `null`},
		func(s *Service, b []byte) int { st, _ := s.Create("org", "key", b); return st })
}

func FuzzPostMessage(f *testing.F) {
	fuzzStatus(f, []string{`{"content":"hi"}`, `{"content":"hi","role":"system","metadata":{}}`, `{"content":""}`, `{}`},
		func(s *Service, b []byte) int { st, _ := s.PostMessage("org", "1", b); return st })
}

func FuzzEndSession(f *testing.F) {
	fuzzStatus(f, []string{``, `{}`, `{"duration":5}`, `{"duration":-1}`, `{"metadata":{"a":1},"transcript":"t"}`},
		func(s *Service, b []byte) int { st, _ := s.End("org", "1", b); return st })
}
