package app_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/humd/humd/actors/agentsession"
	billingactor "github.com/humd/humd/actors/billing"
	"github.com/humd/humd/actors/service/adminsvc"
	"github.com/humd/humd/actors/service/smssvc"
	"github.com/humd/humd/actors/service/voicesvc"
	"github.com/humd/humd/app"
	"github.com/humd/humd/app/apptest"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/billing"
	"github.com/humd/humd/storage/tenancy"
)

// TestServiceBilling drives billing through a.Svc with the sandbox
// provider, without HTTP: checkout and portal are an admin's, an unknown
// plan is named by plan_id, the portal waits for a customer, a checkout
// answers the sandbox page, a webhook event goes through the billing actor
// (whose state then agrees with GET billing), and the Gate refuses outbound
// work past the grace period but never before.
func TestServiceBilling(t *testing.T) {
	s := apptest.Start(t, apptest.Options{Config: app.Config{BillingProvider: "sandbox", BillingGrace: time.Hour}})
	ctx := context.Background()
	svc := s.App.Svc
	org := s.OrgID()
	op := &tenancy.Principal{OrgID: org, Role: tenancy.Operator}
	admin := &tenancy.Principal{OrgID: org, Role: tenancy.Admin}
	if _, err := svc.BillingCheckout(ctx, op, adminsvc.CheckoutInput{PlanID: "pro"}); !errors.Is(err, storage.ErrForbidden) {
		t.Errorf("operator checkout: %v; want forbidden", err)
	}
	_, err := svc.BillingCheckout(ctx, admin, adminsvc.CheckoutInput{PlanID: "gold"})
	wantField(t, "an unknown plan", err, "plan_id")
	if _, err := svc.BillingPortal(ctx, admin); !errors.Is(err, storage.ErrConflict) {
		t.Errorf("portal before checkout: %v; want a conflict", err)
	}
	u, err := svc.BillingCheckout(adminsvc.WithIdempotencyKey(ctx, "k1"), admin, adminsvc.CheckoutInput{PlanID: "starter"})
	if err != nil || !strings.HasPrefix(u.URL, s.PublicURL+"/billing/sandbox/checkout?") {
		t.Fatalf("checkout = %+v, %v", u, err)
	}
	now := s.Clock.Now()
	res, err := svc.IngestBillingEvent(&billing.Event{ID: "evt_1", Type: billing.EvSubCreated, Created: now.Unix(), OrgID: org,
		SubscriptionID: "sub_1", PriceID: "price_sandbox_starter", Status: billing.StatusActive})
	if err != nil || res.Outcome != billing.OutcomeApplied {
		t.Fatalf("ingest = %+v, %v", res, err)
	}
	b, err := svc.GetBilling(ctx, admin)
	if err != nil || b.Plan.ID != "starter" || b.Subscription.Status != "active" || b.Provider != "sandbox" {
		t.Errorf("billing = %+v, %v", b, err)
	}
	if _, err := svc.BillingPortal(ctx, admin); err != nil {
		t.Errorf("portal after checkout: %v", err)
	}
	gate := svc.Deps().Billing
	if _, err := svc.IngestBillingEvent(&billing.Event{ID: "evt_2", Type: billing.EvInvoiceFailed, Created: now.Unix(), OrgID: org,
		SubscriptionID: "sub_1"}); err != nil {
		t.Fatal(err)
	}
	if err := gate.Allow(org, billingactor.WorkCall); err != nil {
		t.Errorf("call within the grace period: %v", err)
	}
	s.Clock.Advance(time.Hour)
	for _, w := range []billingactor.Work{billingactor.WorkCall, billingactor.WorkSMS, billingactor.WorkAI, billingactor.WorkNumber} {
		if err := gate.Allow(org, w); !errors.Is(err, billing.ErrPastDue) {
			t.Errorf("%v after the grace period: %v; want ErrPastDue", w, err)
		}
	}
	// Every operation that starts outbound work asks the Gate.
	hi := "hi"
	starts := map[string]func() error{
		"CreateAgentSession": func() error {
			_, err := svc.CreateAgentSession(ctx, op, agentsession.CreateInput{AgentID: 1})
			return err
		},
		"PostAgentSessionMessage": func() error {
			_, err := svc.PostAgentSessionMessage(ctx, op, "1", agentsession.PostInput{Content: &hi, Role: "user"})
			return err
		},
		"CreateOutboundCall": func() error {
			_, err := svc.CreateOutboundCall(ctx, op, voicesvc.OutboundCallInput{FlowID: "flow_x", To: "+13175550100"})
			return err
		},
		"CreateConversation": func() error {
			_, err := svc.CreateConversation(ctx, op, smssvc.CreateConversationInput{NumberID: "num_x", ContactE164: "+13175550100"}, nil)
			return err
		},
		"LaunchCampaign": func() error { _, err := svc.LaunchCampaign(ctx, op, "camp_x"); return err },
		"RegisterNumber": func() error {
			_, err := svc.RegisterNumber(ctx, admin, smssvc.RegisterNumberInput{E164: "+13175550177"})
			return err
		},
		"BuyNumber": func() error {
			_, err := svc.BuyNumber(ctx, admin, adminsvc.BuyNumberInput{E164: "+13175550177"})
			return err
		},
	}
	for name, f := range starts {
		if err := f(); !errors.Is(err, billing.ErrPastDue) {
			t.Errorf("%s after the grace period: %v; want ErrPastDue", name, err)
		}
	}
}
