package stripeapi

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/stripe/stripe-go/v82"
	"github.com/stripe/stripe-go/v82/webhook"

	billingactor "github.com/humd/humd/actors/billing"
)

// Sandbox is the billing provider of HUMD_BILLING_PROVIDER=sandbox: its
// checkout and portal are pages humd serves (sandbox_pages.go), whose
// buttons send humd the events Stripe would send, signed with Secret,
// through the webhook's own code. Page links carry their parameters signed
// with Secret, so the sandbox keeps no state of its own.
type Sandbox struct {
	PublicURL string
	// Secret signs the page links and the events (the webhook secret).
	Secret string
	// Now is humd's clock: the events' created times.
	Now func() time.Time
}

var _ billingactor.Provider = (*Sandbox)(nil)

func sandboxID(prefix string) string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}

// CreateCustomer implements billing.Provider.
func (s *Sandbox) CreateCustomer(context.Context, billingactor.CustomerRequest) (string, error) {
	return sandboxID("cus_sbx_"), nil
}

// CreateCheckout implements billing.Provider: a link to the sandbox
// checkout page.
func (s *Sandbox) CreateCheckout(_ context.Context, in billingactor.CheckoutRequest) (string, error) {
	v := url.Values{"session": {sandboxID("cs_sbx_")}, "org": {in.OrgID}, "customer": {in.CustomerID}, "plan": {in.Plan.ID},
		"plan_name": {in.Plan.Name}, "price": {in.Plan.StripePrice}, "success": {in.SuccessURL}, "cancel": {in.CancelURL}}
	return s.PublicURL + "/billing/sandbox/checkout?" + s.sign(v), nil
}

// CreatePortal implements billing.Provider: a link to the sandbox portal.
func (s *Sandbox) CreatePortal(_ context.Context, in billingactor.PortalRequest) (string, error) {
	v := url.Values{"org": {in.OrgID}, "customer": {in.CustomerID}, "return": {in.ReturnURL}}
	return s.PublicURL + "/billing/sandbox/portal?" + s.sign(v), nil
}

// ReportUsage implements billing.Provider: the sandbox bills nobody.
func (s *Sandbox) ReportUsage(context.Context, billingactor.UsageEvent) error { return nil }

// sign adds sig, an HMAC of the other values, to v.
func (s *Sandbox) sign(v url.Values) string {
	v.Del("sig")
	v.Set("sig", s.mac(v.Encode()))
	return v.Encode()
}

func (s *Sandbox) mac(msg string) string {
	m := hmac.New(sha256.New, []byte("humd-sandbox-billing:"+s.Secret))
	m.Write([]byte(msg))
	return hex.EncodeToString(m.Sum(nil))
}

// verify checks the sig of values humd signed; it answers them without sig.
func (s *Sandbox) verify(v url.Values) (url.Values, bool) {
	sig := v.Get("sig")
	w := url.Values{}
	for k, vs := range v {
		if k != "sig" {
			w[k] = vs
		}
	}
	return w, sig != "" && hmac.Equal([]byte(sig), []byte(s.mac(w.Encode())))
}

// event builds a Stripe event of typ around obj, as Stripe would send it,
// and signs it: the payload and its Stripe-Signature header.
func (s *Sandbox) event(typ string, obj map[string]any, created time.Time) ([]byte, string, error) {
	raw, err := json.Marshal(map[string]any{"id": sandboxID("evt_sbx_"), "object": "event", "api_version": stripe.APIVersion,
		"created": created.Unix(), "type": typ, "livemode": false, "pending_webhooks": 1, "data": map[string]any{"object": obj}})
	if err != nil {
		return nil, "", fmt.Errorf("sandbox event: %w", err)
	}
	// The signature's time is the wall clock's: stripe-go checks it
	// against the wall clock (five minutes' tolerance).
	sp := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: raw, Secret: s.Secret, Timestamp: time.Now()})
	return sp.Payload, sp.Header, nil
}

// subscription is a Stripe subscription object for the sandbox's events.
func subscription(id, org, customer, plan, price, status string, start, end time.Time) map[string]any {
	return map[string]any{"id": id, "object": "subscription", "customer": customer, "status": status,
		"metadata": map[string]string{"org_id": org, "plan_id": plan}, "cancel_at_period_end": false,
		"items": map[string]any{"object": "list", "data": []map[string]any{{"id": "si_" + strings.TrimPrefix(id, "sub_"), "object": "subscription_item",
			"price": map[string]any{"id": price, "object": "price"}, "quantity": 1,
			"current_period_start": start.Unix(), "current_period_end": end.Unix()}}}}
}
