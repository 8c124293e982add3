package app_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/humd/humd/app/apptest"
	"github.com/humd/humd/storage/calls"
)

// TestCallSearchByCurrentContactName: a call keeps the name its contact had
// when it started, and q also finds it by the name the contact got later
// (the caller of an inbound call, the callee of an outbound one).
func TestCallSearchByCurrentContactName(t *testing.T) {
	s := apptest.Start(t, apptest.Options{})
	now := s.Clock.Now()
	in := putCall(t, s, &calls.Call{From: "+13175550122", To: ourNumber, StartedAt: now.Add(-2 * time.Hour)}, nil, nil)
	out := putCall(t, s, &calls.Call{From: ourNumber, To: "+12125550199", Direction: calls.Outbound, StartedAt: now.Add(-time.Hour)}, nil, nil)
	for _, q := range []string{"hopper", "turing"} {
		if got := listIDs(t, s, "/api/calls?q="+q, adminKey); len(got) != 0 {
			t.Errorf("q=%s before any name = %v", q, got)
		}
	}
	s.JSON("POST", "/api/contacts", adminKey, map[string]any{"e164": "+13175550122", "name": "Grace Hopper"}, 201)
	ct := s.JSON("POST", "/api/contacts", adminKey, map[string]any{"e164": "+12125550199"}, 201)["id"].(string)
	s.JSON("PATCH", "/api/contacts/"+ct, adminKey, map[string]any{"first_name": "Alan", "last_name": "Turing"}, 200)
	for q, want := range map[string]string{"hopper": in.ID, "turing": out.ID} {
		if got := fmt.Sprint(listIDs(t, s, "/api/calls?q="+q, adminKey)); got != "["+want+"]" {
			t.Errorf("q=%s = %s; want [%s]", q, got, want)
		}
	}
	// A name that belongs to neither party finds nothing.
	if got := listIDs(t, s, "/api/calls?q=lovelace", adminKey); len(got) != 0 {
		t.Errorf("q=lovelace = %v", got)
	}
}
