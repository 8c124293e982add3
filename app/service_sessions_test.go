package app_test

import (
	"context"
	"errors"
	"strconv"
	"testing"

	"github.com/humd/humd/actors/addresssession"
	"github.com/humd/humd/actors/addresssession/address"
	"github.com/humd/humd/actors/agentsession"
	"github.com/humd/humd/app/apptest"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/tenancy"
)

// TestServiceSessions drives the sessions area through a.Svc, without HTTP:
// roles, a bad input named by its wire field, and each session kind's life.
func TestServiceSessions(t *testing.T) {
	s := apptest.Start(t, apptest.Options{})
	s.JSON("POST", "/api/flows", adminKey, map[string]any{"name": "Support"}, 201) // agent 1
	importExample(t, s)
	ctx := context.Background()
	svc := s.App.Svc
	viewer := &tenancy.Principal{OrgID: s.OrgID(), Role: tenancy.Viewer}
	op := &tenancy.Principal{OrgID: s.OrgID(), Role: tenancy.Operator, KeyID: "key_test"}
	street, zip := "29090 Tiffany Drive E", "48034"

	if _, err := svc.CreateAgentSession(ctx, viewer, agentsession.CreateInput{AgentID: 1}); !errors.Is(err, storage.ErrForbidden) {
		t.Errorf("viewer creates an agent session: %v; want forbidden", err)
	}
	if _, err := svc.CreateAddressSession(ctx, viewer, &address.Input{Street1: &street, Zip: &zip}); !errors.Is(err, storage.ErrForbidden) {
		t.Errorf("viewer creates an address session: %v; want forbidden", err)
	}
	var ve *storage.ValidationError
	_, err := svc.CreateAgentSession(ctx, op, agentsession.CreateInput{AgentID: 1, SessionType: storage.Some("hologram")})
	if !errors.As(err, &ve) || ve.Fields["session_type"] == "" {
		t.Errorf("bad session_type: %v; want a ValidationError on session_type", err)
	}
	if _, err := svc.CreateAgentSession(ctx, op, agentsession.CreateInput{AgentID: 99}); !errors.Is(err, agentsession.ErrAgentNotFound) {
		t.Errorf("unknown agent: %v", err)
	}
	var inv *addresssession.InvalidError
	empty := ""
	_, err = svc.CreateAddressSession(ctx, op, &address.Input{Street1: &empty, Zip: &zip})
	if !errors.As(err, &inv) || len(inv.Errors) != 1 || inv.Errors[0].Field != "street1" {
		t.Errorf("empty street1: %v; want an InvalidError on street1", err)
	}

	// An agent session: create, message, end, list.
	v, err := svc.CreateAgentSession(ctx, op, agentsession.CreateInput{AgentID: 1, SessionType: storage.Some("voice")})
	if err != nil || v.SessionType != "agent_voice" {
		t.Fatalf("create = %+v, %v", v, err)
	}
	id := strconv.FormatUint(v.SessionID, 10)
	hi := "hi"
	if p, err := svc.PostAgentSessionMessage(ctx, op, id, agentsession.PostInput{Content: &hi}); err != nil || p.Message.Content != "hi" {
		t.Fatalf("message = %+v, %v", p, err)
	}
	if ended, err := svc.EndAgentSession(ctx, op, id, agentsession.EndInput{}); err != nil || ended.Status != agentsession.StatusCompleted {
		t.Fatalf("end = %+v, %v", ended, err)
	}
	if msgs, _, err := svc.ListAgentSessionMessages(ctx, viewer, id, storage.PageRequest{Limit: 10}); err != nil || len(msgs) != 1 {
		t.Errorf("messages = %v, %v", msgs, err)
	}
	if _, err := svc.GetAgentSession(ctx, viewer, "404"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("missing session: %v", err)
	}

	// An address session: create (sync), read, close; then it is gone.
	sess, err := svc.CreateAddressSession(ctx, op, &address.Input{Street1: &street, Zip: &zip, Sync: []string{"geocode", "internet"}})
	if err != nil || sess.Working() || len(sess.Providers) == 0 {
		t.Fatalf("create address session = %+v, %v", sess, err)
	}
	if got, err := svc.GetAddressSession(ctx, viewer, sess.Token); err != nil || got.Token != sess.Token {
		t.Fatalf("get = %+v, %v", got, err)
	}
	if _, err := svc.CloseAddressSession(ctx, op, sess.Token); err != nil {
		t.Fatalf("close: %v", err)
	}
	var closed *addresssession.ClosedError
	if _, err := svc.GetAddressSession(ctx, viewer, sess.Token); !errors.As(err, &closed) || !errors.Is(err, storage.ErrGone) {
		t.Errorf("get after close: %v; want a ClosedError", err)
	}
}
