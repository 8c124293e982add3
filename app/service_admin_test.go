package app_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/humd/humd/actors/service/adminsvc"
	"github.com/humd/humd/app"
	"github.com/humd/humd/app/apptest"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/billing"
	"github.com/humd/humd/storage/brands"
	"github.com/humd/humd/storage/sms"
	"github.com/humd/humd/storage/tenancy"
)

// TestServiceAdmin drives the admin area through a.Svc, without HTTP, on
// the sandbox carrier: roles (billing, numbers and brands are an admin's,
// the dashboard a viewer's), bad inputs named by their wire field, provider
// none's sentinel, and one happy path each for billing, the dashboard,
// numbers (search, buy, sync) and brands.
func TestServiceAdmin(t *testing.T) {
	s := apptest.Start(t, apptest.Options{Config: app.Config{PlanMaxNumbers: 1}})
	ctx := context.Background()
	svc := s.App.Svc
	org := s.OrgID()
	viewer := &tenancy.Principal{OrgID: org, Role: tenancy.Viewer}
	op := &tenancy.Principal{OrgID: org, Role: tenancy.Operator}
	admin := &tenancy.Principal{OrgID: org, Role: tenancy.Admin}

	// Billing.
	if _, err := svc.GetBilling(ctx, op); !errors.Is(err, storage.ErrForbidden) {
		t.Errorf("operator reads billing: %v; want forbidden", err)
	}
	on := true
	if _, err := svc.UpdateBillingSubscription(ctx, viewer, billing.SettingsPatch{AutoRecharge: &on}); !errors.Is(err, storage.ErrForbidden) {
		t.Errorf("viewer edits the subscription: %v; want forbidden", err)
	}
	_, err := svc.UpdateBillingSubscription(ctx, admin, billing.SettingsPatch{UsageAlertThreshold: storage.Some(50.5)})
	wantField(t, "a fractional threshold", err, "usage_alert_threshold")
	sub, err := svc.UpdateBillingSubscription(ctx, admin, billing.SettingsPatch{AutoRecharge: &on, UsageAlertThreshold: storage.Some(80.0)})
	if err != nil || !sub.AutoRecharge || sub.UsageAlertThreshold == nil || *sub.UsageAlertThreshold != 80 || sub.Status != "active" {
		t.Fatalf("subscription = %+v, %v", sub, err)
	}
	sub, err = svc.UpdateBillingSubscription(ctx, admin, billing.SettingsPatch{UsageAlertThreshold: storage.Opt[float64]{Set: true, Null: true}})
	if err != nil || sub.UsageAlertThreshold != nil || !sub.AutoRecharge {
		t.Errorf("threshold null = %+v, %v; want it cleared, the rest kept", sub, err)
	}
	b, err := svc.GetBilling(ctx, admin)
	if err != nil || b.Provider != "none" || b.Plan.MaxNumbers == nil || *b.Plan.MaxNumbers != 1 || !b.Subscription.AutoRecharge {
		t.Errorf("billing = %+v, %v", b, err)
	}
	_, err = svc.BillingCheckout(ctx, admin, adminsvc.CheckoutInput{})
	wantField(t, "checkout without a plan", err, "plan_id")
	if _, err := svc.BillingCheckout(ctx, admin, adminsvc.CheckoutInput{PlanID: "pro"}); !errors.Is(err, adminsvc.ErrBillingNotConfigured) {
		t.Errorf("checkout: %v; want ErrBillingNotConfigured", err)
	}
	if _, err := svc.BillingPortal(ctx, admin); !errors.Is(err, adminsvc.ErrBillingNotConfigured) {
		t.Errorf("portal: %v; want ErrBillingNotConfigured", err)
	}

	// Numbers.
	q := sms.NumberSearch{Country: "US", AreaCode: 317, Limit: 2}
	if _, err := svc.SearchAvailableNumbers(ctx, op, q); !errors.Is(err, storage.ErrForbidden) {
		t.Errorf("operator searches numbers: %v; want forbidden", err)
	}
	avail, err := svc.SearchAvailableNumbers(ctx, admin, q)
	if err != nil || len(avail) != 2 {
		t.Fatalf("search = %+v, %v", avail, err)
	}
	if _, err := svc.BuyNumber(ctx, op, adminsvc.BuyNumberInput{E164: avail[0].E164}); !errors.Is(err, storage.ErrForbidden) {
		t.Errorf("operator buys: %v; want forbidden", err)
	}
	nope := "flow_nope"
	_, err = svc.BuyNumber(ctx, admin, adminsvc.BuyNumberInput{E164: avail[0].E164, FlowID: &nope})
	wantField(t, "an unknown flow", err, "flow_id")
	n, err := svc.BuyNumber(ctx, admin, adminsvc.BuyNumberInput{E164: avail[0].E164, FriendlyName: "Front desk"})
	if err != nil || n.E164 != avail[0].E164 || n.Provider != "sandbox" {
		t.Fatalf("buy = %+v, %v", n, err)
	}
	if _, err := svc.BuyNumber(ctx, admin, adminsvc.BuyNumberInput{E164: avail[1].E164}); !errors.Is(err, storage.ErrPaymentRequired) {
		t.Errorf("buy past the plan's cap: %v; want payment required", err)
	}
	if res, err := svc.SyncNumbers(ctx, admin); err != nil || res.Provider != "sandbox" {
		t.Errorf("sync = %+v, %v", res, err)
	}

	// The dashboard.
	if d, err := svc.GetDashboard(ctx, viewer, adminsvc.DashboardQuery{}); err != nil || d.CountsCappedAt == 0 {
		t.Errorf("dashboard = %+v, %v", d, err)
	}

	// Brands.
	req := func() *brands.Request {
		return &brands.Request{Name: "Acme Dental", CustomerProfileBundleSID: "BU" + strings.Repeat("a", 32),
			A2PProfileBundleSID: "BU" + strings.Repeat("b", 32), MessagingServiceSID: "MG" + strings.Repeat("c", 32),
			UseCase: "CUSTOMER_CARE", Description: "Appointment reminders and answers to patients' questions by text.",
			MessageFlow:    "Patients opt in on the booking form at acme.example/book by ticking the SMS box.",
			SampleMessages: []string{"Hi Ann, your cleaning is Tuesday at 3pm. Reply C to confirm.", "We are open 9-5 on weekdays. Reply STOP to opt out."}}
	}
	if _, err := svc.CreateBrand(ctx, viewer, req()); !errors.Is(err, storage.ErrForbidden) {
		t.Errorf("viewer registers a brand: %v; want forbidden", err)
	}
	bad := req()
	bad.UseCase = "SPAM"
	_, err = svc.CreateBrand(ctx, admin, bad)
	wantField(t, "an unknown use case", err, "use_case")
	br, err := svc.CreateBrand(ctx, admin, req())
	if err != nil || br.Status != brands.StatusCampaign {
		t.Fatalf("create brand = %+v, %v", br, err)
	}
	if got, err := svc.RefreshBrand(ctx, admin, br.ID); err != nil || got.Status != brands.StatusApproved {
		t.Errorf("refresh = %+v, %v", got, err)
	}
	if got, err := svc.GetBrand(ctx, viewer, br.ID); err != nil || got.ID != br.ID {
		t.Errorf("get brand = %+v, %v", got, err)
	}
	if list, _, err := svc.ListBrands(ctx, viewer, storage.PageRequest{Limit: 10}); err != nil || len(list) != 1 {
		t.Errorf("brands = %+v, %v", list, err)
	}
}
