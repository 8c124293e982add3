package apptest

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/humd/humd/actors/actortest"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/events"
	"github.com/humd/humd/storage/sms"
)

// OrgID is the bootstrap org's id.
func (s *Server) OrgID() string { return s.App.Bootstrap.Org.ID }

// AddNumber registers e164 in the bootstrap org with SMS enabled, straight
// into the store (the numbers API has its own tests).
func (s *Server) AddNumber(e164 string, mps float64) *sms.Number {
	s.T.Helper()
	now := s.Clock.Now()
	n := &sms.Number{ID: storage.NewID("num"), OrgID: s.OrgID(), E164: e164, FriendlyName: e164, SMSEnabled: true, MPS: mps,
		Capabilities: sms.Capabilities{Voice: true, SMS: true}, Provider: "sandbox", CreatedAt: now, UpdatedAt: now}
	b := s.App.Store.NewBatch()
	sms.PutNumber(b, n)
	if err := b.Commit(storage.Sync); err != nil {
		s.T.Fatal(err)
	}
	return n
}

// WaitFor polls cond until it answers nil (10s deadline).
func (s *Server) WaitFor(what string, cond func() error) {
	s.T.Helper()
	actortest.WaitFor(s.T, 10*time.Second, named(what, cond))
}

// Settle is WaitFor for an end state: once cond holds it has to keep holding
// for 200 ms of polling, so a late duplicate (a second send of one text)
// fails the test instead of slipping in after it looked.
func (s *Server) Settle(what string, cond func() error) {
	s.T.Helper()
	s.WaitFor(what, cond)
	s.Holds(what, cond)
}

// Holds checks that cond holds now and for 200 ms of polling after: a check
// that nothing happened (yet) right after advancing the clock would pass
// before the work it rules out had a chance to run.
func (s *Server) Holds(what string, cond func() error) {
	s.T.Helper()
	actortest.Holds(s.T, 200*time.Millisecond, named(what, cond))
}

// named prefixes cond's errors with what was waited for.
func named(what string, cond func() error) func() error {
	return func() error {
		if err := cond(); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		return nil
	}
}

// Events answers the bootstrap org's event types in order.
func (s *Server) Events() []*events.Event {
	s.T.Helper()
	evs, _, err := events.List(s.App.Store, s.OrgID(), "", storage.PageRequest{Limit: 200})
	if err != nil {
		s.T.Fatal(err)
	}
	return evs
}

// EventTypes answers just the types, in order.
func (s *Server) EventTypes() []string {
	var out []string
	for _, e := range s.Events() {
		out = append(out, e.Type)
	}
	return out
}

// Messages answers a thread's messages oldest first.
func (s *Server) Messages(convID string) []map[string]any {
	s.T.Helper()
	res := s.JSON("GET", "/api/sms/conversations/"+convID+"/messages?limit=200", AdminKey, nil, 200)
	var out []map[string]any
	data, _ := res["data"].([]any)
	for i := len(data) - 1; i >= 0; i-- {
		out = append(out, data[i].(map[string]any))
	}
	return out
}

// Decode re-marshals v into out (maps into structs).
func Decode(v any, out any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("decode %s: %w", raw, err)
	}
	return nil
}

// PutNumber rewrites a number record (tests that assign flows directly).
func (s *Server) PutNumber(n *sms.Number) {
	s.T.Helper()
	b := s.App.Store.NewBatch()
	sms.PutNumber(b, n)
	if err := b.Commit(storage.Sync); err != nil {
		s.T.Fatal(err)
	}
}
