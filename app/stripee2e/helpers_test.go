package stripee2e_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v82/webhook"

	"github.com/humd/humd/app/apptest"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/events"
)

const (
	adminKey  = apptest.AdminKey
	secret    = "whsec_test_humd"
	ourNumber = "+15005550006"
	contact   = "+13175550100"
	customer  = "cus_test_humd"
	// plans: basic caps numbers and texts, pro caps nothing.
	plans = `[{"id":"basic","name":"Basic","stripe_price":"price_basic","limits":{"numbers":1,"sms_segments":2}},
	{"id":"pro","name":"Pro","stripe_price":"price_pro","limits":{}},
	{"id":"metered","name":"Metered","stripe_price":"price_metered","limits":{"sms_segments":4}}]`
)

// start runs humd with billing provider stripe on p.
func start(t *testing.T, p *stripeProxy, o apptest.Options) *apptest.Server {
	t.Helper()
	o.Config.BillingProvider = "stripe"
	o.Config.StripeSecretKey = "sk_test_humd"
	o.Config.StripeWebhookSecret = secret
	o.Config.StripeAPIBase = p.URL
	o.Config.Plans = plans
	return apptest.Start(t, o)
}

// event is a Stripe event of typ around obj.
func event(id, typ string, created time.Time, obj map[string]any) []byte {
	raw, err := json.Marshal(map[string]any{"id": id, "object": "event", "api_version": "2025-08-27.basil", "created": created.Unix(),
		"type": typ, "livemode": false, "data": map[string]any{"object": obj}})
	if err != nil {
		panic(err)
	}
	return raw
}

// post sends payload to /stripe/webhook signed with key ("" : no
// signature header) and answers the status and decoded body.
func post(t *testing.T, s *apptest.Server, payload []byte, key string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest("POST", s.URL+"/stripe/webhook", strings.NewReader(string(payload)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		sp := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: payload, Secret: key})
		req.Header.Set("Stripe-Signature", sp.Header)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	out := map[string]any{}
	_ = json.Unmarshal(raw, &out)
	return resp.StatusCode, out
}

// send posts a correctly signed event and wants a 200 with outcome.
func send(t *testing.T, s *apptest.Server, payload []byte, outcome string) map[string]any {
	t.Helper()
	st, body := post(t, s, payload, secret)
	if st != 200 || body["outcome"] != outcome {
		t.Fatalf("webhook = %d %v; want 200 %s", st, body, outcome)
	}
	return body
}

func subObj(id, org, price, status string, start time.Time) map[string]any {
	return map[string]any{"id": id, "object": "subscription", "customer": customer, "status": status,
		"metadata": map[string]string{"org_id": org}, "cancel_at_period_end": false,
		"items": map[string]any{"object": "list", "data": []map[string]any{{"id": "si_1", "object": "subscription_item",
			"price": map[string]any{"id": price, "object": "price"}, "quantity": 1,
			"current_period_start": start.Unix(), "current_period_end": start.AddDate(0, 1, 0).Unix()}}}}
}

func invoiceObj(sub, org string) map[string]any {
	return map[string]any{"id": "in_" + sub, "object": "invoice", "customer": customer,
		"parent": map[string]any{"type": "subscription_details", "subscription_details": map[string]any{"subscription": sub,
			"metadata": map[string]string{"org_id": org}}}}
}

// subscribe makes the server's org subscribe to price, active, as of now.
func subscribe(t *testing.T, s *apptest.Server, price string) {
	t.Helper()
	now := s.Clock.Now()
	send(t, s, event("evt_sub_created", "customer.subscription.created", now, subObj("sub_1", s.OrgID(), price, "active", now)), "applied")
}

func billingOf(s *apptest.Server) (sub, plan map[string]any) {
	b := s.JSON("GET", "/api/billing", adminKey, nil, 200)
	return b["subscription"].(map[string]any), b["plan"].(map[string]any)
}

func errCode(t *testing.T, s *apptest.Server, method, path string, body any, want int) string {
	t.Helper()
	res := s.JSON(method, path, adminKey, body, want)
	e, _ := res["error"].(map[string]any)
	if e == nil {
		t.Fatalf("%s %s: %v; want an error envelope", method, path, res)
	}
	return e["code"].(string)
}

// eventsOf answers the bootstrap org's events of typ.
func eventsOf(s *apptest.Server, typ string) []map[string]any {
	return orgEventsOf(s, s.OrgID(), typ)
}

func orgEventsOf(s *apptest.Server, org, typ string) []map[string]any {
	evs, _, err := events.List(s.App.Store, org, "", storage.PageRequest{Limit: 200})
	if err != nil {
		s.T.Fatal(err)
	}
	var out []map[string]any
	for _, e := range evs {
		if e.Type == typ {
			var d map[string]any
			_ = json.Unmarshal(e.Data, &d)
			out = append(out, d)
		}
	}
	return out
}
