package sessionapi

import (
	"bytes"
	"testing"
	"time"

	"github.com/humd/humd/actors/actortest"
	"github.com/humd/humd/actors/agentsession"
	"github.com/humd/humd/actors/clock"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/storagetest"
	"github.com/humd/humd/transport/wire"
)

func newService(t testing.TB) *agentsession.Service {
	t.Helper()
	st := storagetest.OpenMem(t)
	return agentsession.New(agentsession.Config{System: actortest.NewSystem(t), Store: st, Clock: clock.NewFake(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)),
		Agent: func(org string, id uint64) (*agentsession.Agent, error) {
			if id != 1 {
				return nil, storage.ErrNotFound
			}
			return &agentsession.Agent{FlowID: "flow_1", AgentID: 1, Name: "Agent"}, nil
		}})
}

// status is what the route answers for a body: its wire decoding, then the
// service, then the seed's error mapping.
func status(err error) int {
	if err == nil {
		return 200
	}
	st, _ := agentError(err)
	return st
}

func create(s *agentsession.Service, b []byte) int {
	in, err := decodeCreateAgentSession(b)
	if err == nil {
		_, err = s.Create("org", "key", in)
	}
	return status(err)
}

// Every decoder answers only 2xx or 4xx, whatever the bytes.
func fuzzStatus(f *testing.F, seeds []string, call func(s *agentsession.Service, body []byte) int) {
	for _, sd := range seeds {
		f.Add([]byte(sd))
	}
	s := newService(f)
	if st := create(s, []byte(`{"agent_id":1}`)); st != 200 {
		f.Fatalf("seed session: %d", st)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if st := call(s, body); st >= 500 || st < 200 {
			t.Fatalf("%q answered %d", body, st)
		}
	})
}

func FuzzCreateSession(f *testing.F) {
	fuzzStatus(f, []string{`{"agent_id":1}`, `{"agent_id":"1","session_type":"voice"}`, `{"agent_id":1,"metadata":{"a":[1]}}`, `{}`, `[]`, `null`}, create)
}

func FuzzPostMessage(f *testing.F) {
	fuzzStatus(f, []string{`{"content":"hi"}`, `{"content":"hi","role":"system","metadata":{}}`, `{"content":""}`, `{}`},
		func(s *agentsession.Service, b []byte) int {
			var in agentsession.PostInput
			err := wire.DecodeStrict(b, &in)
			if err == nil {
				_, err = s.PostMessage("org", "1", in)
			}
			return status(err)
		})
}

func FuzzEndSession(f *testing.F) {
	fuzzStatus(f, []string{``, `{}`, `{"duration":5}`, `{"duration":-1}`, `{"metadata":{"a":1},"transcript":"t"}`},
		func(s *agentsession.Service, b []byte) int {
			var in agentsession.EndInput
			var err error
			if len(bytes.TrimSpace(b)) > 0 {
				err = wire.DecodeStrict(b, &in)
			}
			if err == nil {
				_, err = s.End("org", "1", in)
			}
			return status(err)
		})
}

// TestCreateReportsWireAndDomainProblemsTogether: a create with an unknown
// key, a bad agent_id and a bad session_type names all three in one 422,
// as when one function checked them all.
func TestCreateReportsWireAndDomainProblemsTogether(t *testing.T) {
	_, err := decodeCreateAgentSession([]byte(`{"x":1,"agent_id":0,"session_type":5,"metadata":[]}`))
	st, body := agentError(err)
	details, _ := body["details"].(map[string]string)
	if st != 422 || details["x"] != "unknown field" || details["agent_id"] == "" || details["session_type"] == "" || details["metadata"] == "" {
		t.Errorf("answer = %d %v; want 422 naming x, agent_id, session_type and metadata", st, body)
	}
	if st, body := agentError(func() error { _, err := decodeCreateAgentSession([]byte(`[]`)); return err }()); st != 422 ||
		body["error"] != "body must be a JSON object" {
		t.Errorf("non-object = %d %v", st, body)
	}
}
