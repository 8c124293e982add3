package stripee2e_test

import (
	"strings"
	"testing"
	"time"

	"github.com/humd/humd/app/apptest"
	"github.com/humd/humd/storage/billing"
)

// TestStripeCheckoutToActive: checkout creates the org's customer once
// and reuses it, opens a subscription-mode session with
// client_reference_id = org and the client's Idempotency-Key; the signed
// checkout.session.completed and customer.subscription.created events make
// the plan active in GET /api/billing; the portal opens for the customer.
func TestStripeCheckoutToActive(t *testing.T) {
	p := newProxy(t)
	s := start(t, p, apptest.Options{})
	org := s.OrgID()
	if c := errCode(t, s, "POST", "/api/billing/checkout", map[string]any{"plan_id": "gold"}, 422); c != "validation_failed" {
		t.Errorf("unknown plan code = %s", c)
	}
	if st, _ := s.Do("POST", "/api/billing/checkout", adminKey, `{"plan_id":`); st != 400 && st != 422 {
		t.Errorf("malformed body = %d; want 4xx", st)
	}
	st, _, raw := s.DoHeader("POST", "/api/billing/checkout", adminKey, map[string]any{"plan_id": "pro"}, map[string]string{"Idempotency-Key": "idem-checkout-1"})
	if st != 200 || !strings.Contains(string(raw), `"url":"https://`) {
		t.Fatalf("checkout = %d %s", st, raw)
	}
	s.JSON("POST", "/api/billing/checkout", adminKey, map[string]any{"plan_id": "basic"}, 200)
	custs, sessions := p.Calls("/v1/customers"), p.Calls("/v1/checkout/sessions")
	if len(custs) != 1 || custs[0].Idem != "humd-customer-"+org || custs[0].Form.Get("metadata[org_id]") != org {
		t.Fatalf("customer calls = %+v; want one, with humd's idempotency key and the org", custs)
	}
	if len(sessions) != 2 {
		t.Fatalf("checkout sessions = %+v; want 2", sessions)
	}
	f := sessions[0].Form
	if f.Get("mode") != "subscription" || f.Get("client_reference_id") != org || f.Get("line_items[0][price]") != "price_pro" ||
		f.Get("customer") == "" || sessions[0].Idem != "idem-checkout-1" || f.Get("subscription_data[metadata][org_id]") != org {
		t.Errorf("first session = %v idem %q", f, sessions[0].Idem)
	}
	if sessions[1].Form.Get("customer") != f.Get("customer") || sessions[1].Idem == "idem-checkout-1" {
		t.Errorf("second session customer %q idem %q; want the same customer, not the first's key", sessions[1].Form.Get("customer"), sessions[1].Idem)
	}

	now := s.Clock.Now()
	send(t, s, event("evt_cs", "checkout.session.completed", now, map[string]any{"id": "cs_1", "object": "checkout.session",
		"client_reference_id": org, "customer": customer, "subscription": "sub_1", "payment_status": "paid", "mode": "subscription",
		"metadata": map[string]string{"org_id": org, "plan_id": "pro"}}), "applied")
	send(t, s, event("evt_sub", "customer.subscription.created", now, subObj("sub_1", "", "price_pro", "active", now)), "applied")
	sub, plan := billingOf(s)
	if sub["status"] != "active" || plan["id"] != "pro" || plan["name"] != "Pro" || sub["current_period_end"] != now.AddDate(0, 1, 0).UTC().Format(time.RFC3339) {
		t.Errorf("billing = %v %v; want pro active until %s", sub, plan, now.AddDate(0, 1, 0))
	}
	s.JSON("POST", "/api/billing/portal", adminKey, nil, 200)
	if ps := p.Calls("/v1/billing_portal/sessions"); len(ps) != 1 || ps[0].Form.Get("customer") != f.Get("customer") {
		t.Errorf("portal calls = %+v", ps)
	}
	// Stripe unreachable: a clear 503, nothing half-done.
	p.setDown("/v1/checkout", "refuse")
	if c := errCode(t, s, "POST", "/api/billing/checkout", map[string]any{"plan_id": "pro"}, 503); c != "billing_provider_unavailable" {
		t.Errorf("Stripe down: code %s", c)
	}
}

// TestStripeWebhookReplay: a replayed event (same id) changes nothing,
// even where applying it again would.
func TestStripeWebhookReplay(t *testing.T) {
	p := newProxy(t)
	s := start(t, p, apptest.Options{})
	subscribe(t, s, "price_pro")
	at := s.Clock.Now().Add(time.Minute)
	failed := event("evt_fail", "invoice.payment_failed", at, invoiceObj("sub_1", s.OrgID()))
	send(t, s, failed, "applied")
	if sub, _ := billingOf(s); sub["status"] != "past_due" {
		t.Fatalf("after payment failure status = %v", sub["status"])
	}
	send(t, s, event("evt_paid", "invoice.paid", at, invoiceObj("sub_1", s.OrgID())), "applied")
	body := send(t, s, failed, "applied")
	if body["duplicate"] != true {
		t.Errorf("replay answered %v; want duplicate", body)
	}
	if sub, _ := billingOf(s); sub["status"] != "active" || sub["past_due_since"] != nil {
		t.Errorf("after a replayed payment failure status = %v; want still active", sub)
	}
}

// TestStripeWebhookOutOfOrder: per subscription, an event created before
// the newest one applied is stored but changes nothing.
func TestStripeWebhookOutOfOrder(t *testing.T) {
	p := newProxy(t)
	s := start(t, p, apptest.Options{})
	org, now := s.OrgID(), s.Clock.Now()
	send(t, s, event("evt_new", "customer.subscription.updated", now.Add(10*time.Second), subObj("sub_1", org, "price_pro", "active", now)), "applied")
	send(t, s, event("evt_old", "customer.subscription.updated", now.Add(5*time.Second), subObj("sub_1", org, "price_basic", "past_due", now)), "stale")
	sub, plan := billingOf(s)
	if sub["status"] != "active" || plan["id"] != "pro" {
		t.Errorf("after an older update = %v %v; want the newer pro active", sub, plan)
	}
	if r, err := billing.GetEvent(s.App.Store, "evt_old"); err != nil || r.Outcome != billing.OutcomeStale {
		t.Errorf("older event stored = %+v %v; want stored as stale", r, err)
	}
	send(t, s, event("evt_newer", "customer.subscription.deleted", now.Add(20*time.Second), subObj("sub_1", org, "price_pro", "canceled", now)), "applied")
	if sub, _ := billingOf(s); sub["status"] != "canceled" {
		t.Errorf("after deletion status = %v", sub["status"])
	}
}

// TestStripeWebhookBadSignature: a body not signed with the endpoint's
// secret (or not signed at all) is a 400 and stores nothing; the same
// event signed right is then applied, not taken for a replay.
func TestStripeWebhookBadSignature(t *testing.T) {
	p := newProxy(t)
	s := start(t, p, apptest.Options{})
	now := s.Clock.Now()
	payload := event("evt_forged", "customer.subscription.created", now, subObj("sub_1", s.OrgID(), "price_pro", "active", now))
	for _, key := range []string{"whsec_not_ours", ""} {
		st, body := post(t, s, payload, key)
		if st != 400 || body["error"].(map[string]any)["code"] != "invalid_signature" {
			t.Errorf("signed with %q = %d %v; want 400 invalid_signature", key, st, body)
		}
	}
	if ok, err := s.App.Store.Has(billing.KeyEvent("evt_forged")); ok || err != nil {
		t.Errorf("a forged event was stored (%v %v)", ok, err)
	}
	if sub, _ := billingOf(s); sub["status"] != "none" {
		t.Errorf("after forged events status = %v; want none", sub["status"])
	}
	if st, _ := post(t, s, []byte(`not json`), secret); st != 400 {
		t.Errorf("signed garbage = %d; want 400", st)
	}
	send(t, s, payload, "applied")
	if sub, _ := billingOf(s); sub["status"] != "active" {
		t.Errorf("after the signed event status = %v", sub["status"])
	}
}
