package stripee2e_test

import (
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/humd/humd/app"
	"github.com/humd/humd/app/apptest"
	"github.com/humd/humd/storage/billing"
)

func inbound(t *testing.T, s *apptest.Server, sid, body string) {
	t.Helper()
	if st, raw := s.PostTwilio("/twilio/sms", s.App.SandboxToken, apptest.InboundForm(sid, contact, ourNumber, body), ""); st != 200 {
		t.Fatalf("inbound %s = %d %s", sid, st, raw)
	}
}

func onlyConversation(t *testing.T, s *apptest.Server) string {
	t.Helper()
	data := s.JSON("GET", "/api/sms/conversations", adminKey, nil, 200)["data"].([]any)
	if len(data) != 1 {
		t.Fatalf("conversations = %v", data)
	}
	return data[0].(map[string]any)["id"].(string)
}

// TestStripePastDueGrace: a payment failure makes the subscription
// past_due; outbound work goes on through the grace period, is refused
// after it (402 payment_past_due and a billing.plan_limit event) while
// inbound texts are still received and stored, and a paid invoice lifts
// the refusal.
func TestStripePastDueGrace(t *testing.T) {
	p := newProxy(t)
	s := start(t, p, apptest.Options{Config: apptestGrace(24 * time.Hour)})
	s.AddNumber(ourNumber, 1000)
	subscribe(t, s, "price_pro")
	inbound(t, s, "SM00000000000000000000000000000001", "hello")
	conv := onlyConversation(t, s)
	msgs := "/api/sms/conversations/" + conv + "/messages"
	s.JSON("POST", msgs, adminKey, map[string]any{"body": "reply 1"}, 201)

	failedAt := s.Clock.Now()
	send(t, s, event("evt_fail", "invoice.payment_failed", failedAt, invoiceObj("sub_1", s.OrgID())), "applied")
	sub, _ := billingOf(s)
	if sub["status"] != "past_due" || sub["outbound_allowed_until"] != failedAt.Add(24*time.Hour).UTC().Format(time.RFC3339) {
		t.Fatalf("after the failure = %v; want past_due, outbound until %s", sub, failedAt.Add(24*time.Hour))
	}
	s.Clock.Advance(23 * time.Hour)
	s.JSON("POST", msgs, adminKey, map[string]any{"body": "within grace"}, 201)

	s.Clock.Advance(2 * time.Hour)
	if c := errCode(t, s, "POST", msgs, map[string]any{"body": "after grace"}, 402); c != "payment_past_due" {
		t.Errorf("send after the grace period: code %s; want payment_past_due", c)
	}
	if c := errCode(t, s, "POST", "/api/sms/conversations", map[string]any{"twilio_number_id": s.JSON("GET", "/api/numbers", adminKey, nil, 200)["data"].([]any)[0].(map[string]any)["id"],
		"contact_e164": "+13175550199"}, 402); c != "payment_past_due" {
		t.Errorf("new conversation after the grace period: code %s", c)
	}
	if ev := eventsOf(s, "billing.plan_limit"); len(ev) != 2 || ev[0]["reason"] != "past_due" || ev[0]["work"] != "sms" {
		t.Errorf("billing.plan_limit events = %v; want two, past_due", ev)
	}
	// Inbound service goes on.
	inbound(t, s, "SM00000000000000000000000000000002", "are you there?")
	s.WaitFor("the inbound text stored", func() error {
		// hello, reply 1, within grace, are you there? (the refused texts are not)
		if n := len(s.Messages(conv)); n != 4 {
			return fmt.Errorf("%d messages", n)
		}
		return nil
	})
	if m := s.Messages(conv); m[len(m)-1]["body"] != "are you there?" {
		t.Errorf("last message = %v; want the inbound text", m[len(m)-1])
	}
	send(t, s, event("evt_paid", "invoice.paid", s.Clock.Now(), invoiceObj("sub_1", s.OrgID())), "applied")
	s.JSON("POST", msgs, adminKey, map[string]any{"body": "paid again"}, 201)
}

// apptestGrace is the billing config of a test with a grace period.
func apptestGrace(d time.Duration) (c app.Config) {
	c.BillingGrace = d
	return c
}

// TestStripePlanLimit: the plan's number cap and its SMS segments per
// period refuse the work that would pass them, with 402 plan_limit and a
// billing.plan_limit event naming the resource.
func TestStripePlanLimit(t *testing.T) {
	p := newProxy(t)
	s := start(t, p, apptest.Options{})
	subscribe(t, s, "price_basic") // 1 number, 2 segments
	s.JSON("POST", "/api/numbers", adminKey, map[string]any{"e164": ourNumber}, 201)
	if c := errCode(t, s, "POST", "/api/numbers", map[string]any{"e164": "+13175550188"}, 402); c != "plan_limit" {
		t.Errorf("second number: code %s; want plan_limit", c)
	}
	if ev := eventsOf(s, "billing.plan_limit"); len(ev) != 1 || ev[0]["resource"] != "numbers" || ev[0]["limit"] != 1.0 {
		t.Errorf("events = %v; want one for numbers", ev)
	}
	inbound(t, s, "SM00000000000000000000000000000001", "hello") // 1 segment
	conv := onlyConversation(t, s)
	msgs := "/api/sms/conversations/" + conv + "/messages"
	s.JSON("POST", msgs, adminKey, map[string]any{"body": "one segment"}, 201)
	s.WaitFor("2 segments used", func() error {
		if u := s.JSON("GET", "/api/billing", adminKey, nil, 200)["usage"].(map[string]any); u["sms_segments"] != 2.0 {
			return fmt.Errorf("usage %v", u)
		}
		return nil
	})
	if c := errCode(t, s, "POST", msgs, map[string]any{"body": "over"}, 402); c != "plan_limit" {
		t.Errorf("third segment: code %s; want plan_limit", c)
	}
	ev := eventsOf(s, "billing.plan_limit")
	if len(ev) != 2 || ev[1]["resource"] != "sms_segments" || ev[1]["used"] != 2.0 {
		t.Errorf("events = %v; want the second for sms_segments", ev)
	}
	lim := s.JSON("GET", "/api/billing", adminKey, nil, 200)["limits"].(map[string]any)["sms_segments"].(map[string]any)
	if lim["limit"] != 2.0 || lim["used"] != 2.0 {
		t.Errorf("sms_segments limit = %v", lim)
	}
	// Inbound is never capped.
	inbound(t, s, "SM00000000000000000000000000000002", "still here")
}

// TestStripeUsageAcrossRestart: usage goes to Stripe as meter events once
// per slice. A slice whose answer was lost (Stripe took it, humd heard 503)
// is sent again after a restart with the same identifier and value, which
// Stripe counts once; the next slice carries only the new usage, and a
// slice with nothing new sends nothing. billing.usage_alert fires once in
// the period.
func TestStripeUsageAcrossRestart(t *testing.T) {
	p := newProxy(t)
	dir := t.TempDir()
	s := start(t, p, apptest.Options{Dir: dir})
	s.AddNumber(ourNumber, 1000)
	subscribe(t, s, "price_metered") // 4 segments
	s.JSON("PATCH", "/api/billing/subscription", adminKey, map[string]any{"usage_alert_threshold": 50}, 200)
	inbound(t, s, "SM00000000000000000000000000000001", "one")
	inbound(t, s, "SM00000000000000000000000000000002", "two")
	const meter = "/v1/billing/meter_events"
	p.setDown(meter, "lose")
	s.Clock.Advance(time.Hour)
	s.WaitFor("the first slice tried", func() error {
		if n := len(p.Calls(meter)); n == 0 {
			return fmt.Errorf("no meter events")
		}
		return nil
	})
	s.WaitFor("the slice stored unsent", func() error {
		slices, err := billing.ListMeterSlices(s.App.Store, s.OrgID())
		if err != nil || len(slices) != 1 || slices[0].Done() {
			return fmt.Errorf("slices %+v %v", slices, err)
		}
		return nil
	})
	if n := len(eventsOf(s, "billing.usage_alert")); n != 1 {
		t.Errorf("usage alerts = %d; want 1 at 2 of 4 segments", n)
	}
	now, org := s.Clock.Now(), s.OrgID()
	s.Stop()

	p.setDown(meter, "")
	s = start(t, p, apptest.Options{Dir: dir, Now: now})
	s.WaitFor("the slice sent again and acknowledged", func() error {
		slices, err := billing.ListMeterSlices(s.App.Store, org)
		if err != nil || len(slices) != 1 || !slices[0].Done() {
			return fmt.Errorf("slices %+v %v", slices, err)
		}
		return nil
	})
	inbound(t, s, "SM00000000000000000000000000000003", "three")
	s.Clock.Advance(time.Hour)
	s.WaitFor("the second slice", func() error {
		slices, err := billing.ListMeterSlices(s.App.Store, org)
		if err != nil || len(slices) != 2 || !slices[1].Done() {
			return fmt.Errorf("slices %+v %v", slices, err)
		}
		return nil
	})
	s.Clock.Advance(time.Hour) // nothing new
	calls := len(p.Calls(meter))
	s.Holds("no slice without new usage", func() error {
		if n := len(p.Calls(meter)); n != calls {
			return fmt.Errorf("%d meter events; want %d", n, calls)
		}
		return nil
	})
	// What Stripe counts: one value per identifier.
	byID := map[string]string{}
	for _, c := range p.Calls(meter) {
		id, v := c.Form.Get("identifier"), c.Form.Get("payload[value]")
		if old, ok := byID[id]; ok && old != v {
			t.Errorf("identifier %s sent with %s and %s", id, old, v)
		}
		if c.Form.Get("event_name") != billing.MeterSMSSegments || c.Form.Get("payload[stripe_customer_id]") != customer {
			t.Errorf("meter event %v", c.Form)
		}
		byID[id] = v
	}
	total := 0
	for _, v := range byID {
		n, _ := strconv.Atoi(v)
		total += n
	}
	if total != 3 || len(byID) != 2 {
		t.Errorf("Stripe counts %v = %d segments; want 2 identifiers totalling the 3 inbound segments", byID, total)
	}
	if n := len(orgEventsOf(s, org, "billing.usage_alert")); n != 1 {
		t.Errorf("usage alerts = %d; want still 1 in the period", n)
	}
}
