package billing_test

import (
	"testing"
	"time"

	"github.com/humd/humd/storage/billing"
)

// TestStateApply: events of one subscription apply in created order (an
// older one is stale), a payment failure starts past_due once, a paid
// invoice ends it, deletion cancels, and unknown types are ignored.
func TestStateApply(t *testing.T) {
	cat, err := billing.ParseCatalog(`[{"id":"pro","name":"Pro","stripe_price":"price_pro"}]`, true)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 25, 15, 0, 0, 0, time.UTC)
	st := &billing.State{OrgID: "org_1"}
	apply := func(typ string, created int64, status, want string) {
		t.Helper()
		ev := &billing.Event{ID: typ, Type: typ, Created: now.Unix() + created, SubscriptionID: "sub_1", PriceID: "price_pro", Status: status}
		if got := st.Apply(ev, cat, now); got != want {
			t.Errorf("%s at +%d = %s; want %s", typ, created, got, want)
		}
	}
	apply(billing.EvSubCreated, 0, "active", billing.OutcomeApplied)
	if st.PlanID != "pro" || st.Status != "active" {
		t.Fatalf("state = %+v", st)
	}
	apply(billing.EvInvoiceFailed, 10, "", billing.OutcomeApplied)
	since := st.PastDueSince
	apply(billing.EvSubUpdated, 11, "past_due", billing.OutcomeApplied)
	if st.Status != billing.StatusPastDue || since == nil || !st.PastDueSince.Equal(*since) {
		t.Errorf("past due since %v then %v; want it kept from the first failure", since, st.PastDueSince)
	}
	apply(billing.EvSubUpdated, 5, "active", billing.OutcomeStale)
	if st.Status != billing.StatusPastDue {
		t.Errorf("an older update changed the status to %s", st.Status)
	}
	apply(billing.EvInvoicePaid, 20, "", billing.OutcomeApplied)
	if st.Status != billing.StatusActive || st.PastDueSince != nil {
		t.Errorf("after payment = %+v", st)
	}
	apply("customer.created", 30, "", billing.OutcomeIgnored)
	apply(billing.EvSubDeleted, 40, "canceled", billing.OutcomeApplied)
	if st.Status != billing.StatusCanceled || st.Billed() {
		t.Errorf("after deletion = %+v", st)
	}
}
