package app_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/humd/humd/app"
	"github.com/humd/humd/app/apptest"
	"github.com/humd/humd/storage/billing"
)

// TestPastDueOrgKeepsTextsButAIWaits: an org past due beyond its grace
// period still receives and stores texts (inbound service never stops),
// but its AI starts no model run to answer them: the run is recorded as
// skipped for billing, no reply goes out, and the thread waits for a
// person. Within the grace period the AI answers as ever.
func TestPastDueOrgKeepsTextsButAIWaits(t *testing.T) {
	s := apptest.Start(t, apptest.Options{Seed: true, Config: app.Config{BillingProvider: "sandbox", BillingGrace: time.Hour}})
	svc, org, now := s.App.Svc, s.OrgID(), s.Clock.Now()
	for _, ev := range []*billing.Event{
		{ID: "evt_1", Type: billing.EvSubCreated, Created: now.Unix(), OrgID: org, SubscriptionID: "sub_1",
			PriceID: "price_sandbox_starter", Status: billing.StatusActive},
		{ID: "evt_2", Type: billing.EvInvoiceFailed, Created: now.Unix() + 1, OrgID: org, SubscriptionID: "sub_1"},
	} {
		if _, err := svc.IngestBillingEvent(ev); err != nil {
			t.Fatal(err)
		}
	}
	text := func(from string) string {
		res := s.JSON("POST", "/api/sandbox/inbound", adminKey, map[string]any{"from": from, "to": app.SandboxNumber,
			"body": "What are your opening hours?"}, 201)
		s.Clock.Advance(3 * time.Second) // the seeded flow's debounce
		return res["message"].(map[string]any)["conversation_id"].(string)
	}
	// Within the grace period: answered.
	conv := text("+13175550140")
	if run := onlyRun(t, s, conv); run["status"] != "completed" {
		t.Fatalf("run within the grace period = %v; want completed", run)
	}
	s.Clock.Advance(2 * time.Hour)
	conv = text("+13175550141")
	run := onlyRun(t, s, conv)
	if run["status"] != "skipped" || !strings.Contains(fmt.Sprint(run["error"]), "billing") {
		t.Fatalf("run past the grace period = %v; want skipped for billing", run)
	}
	if msgs := s.Messages(conv); len(msgs) != 1 || msgs[0]["direction"] != "inbound" {
		t.Errorf("thread = %v; want the inbound text stored and no reply", msgs)
	}
}
