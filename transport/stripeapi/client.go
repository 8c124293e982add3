package stripeapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/stripe/stripe-go/v82"

	billingactor "github.com/humd/humd/actors/billing"
)

// Client is the billing Provider on stripe-go.
type Client struct {
	sc *stripe.Client
}

var _ billingactor.Provider = (*Client)(nil)

// NewClient builds the stripe-go client; base overrides Stripe's API base
// (STRIPE_API_BASE), "" for Stripe's own.
func NewClient(key, base string) *Client {
	cfg := &stripe.BackendConfig{
		HTTPClient:        &http.Client{Timeout: 30 * time.Second},
		LeveledLogger:     &stripe.LeveledLogger{Level: stripe.LevelNull},
		MaxNetworkRetries: stripe.Int64(1),
	}
	if base != "" {
		cfg.URL = stripe.String(base)
	}
	b := stripe.GetBackendWithConfig(stripe.APIBackend, cfg)
	return &Client{sc: stripe.NewClient(key, stripe.WithBackends(&stripe.Backends{API: b, Connect: b, Uploads: b, MeterEvents: b}))}
}

// providerErr maps a stripe-go error: Stripe's refusal (4xx) is
// ErrProviderRejected with Stripe's message; no answer, a 429 or a 5xx is
// ErrProviderUnavailable.
func providerErr(op string, err error) error {
	var se *stripe.Error
	if errors.As(err, &se) {
		if se.HTTPStatusCode >= 500 || se.HTTPStatusCode == http.StatusTooManyRequests {
			return fmt.Errorf("stripe %s: %w: %s", op, billingactor.ErrProviderUnavailable, se.Msg)
		}
		return fmt.Errorf("stripe %s: %w: %s", op, billingactor.ErrProviderRejected, se.Msg)
	}
	return fmt.Errorf("stripe %s: %w: %w", op, billingactor.ErrProviderUnavailable, err)
}

func params(ctx context.Context, idem string) stripe.Params {
	p := stripe.Params{Context: ctx}
	if idem != "" {
		p.IdempotencyKey = stripe.String(idem)
	}
	return p
}

// CreateCustomer implements billing.Provider.
func (c *Client) CreateCustomer(ctx context.Context, in billingactor.CustomerRequest) (string, error) {
	p := &stripe.CustomerCreateParams{Params: params(ctx, in.IdempotencyKey), Metadata: map[string]string{"org_id": in.OrgID}}
	if in.Name != "" {
		p.Name = stripe.String(in.Name)
	}
	cus, err := c.sc.V1Customers.Create(ctx, p)
	if err != nil {
		return "", providerErr("create customer", err)
	}
	return cus.ID, nil
}

// CreateCheckout implements billing.Provider: a subscription-mode Checkout
// Session for the org's customer, client_reference_id the org, and the
// org and plan in the subscription's metadata so its events name them.
func (c *Client) CreateCheckout(ctx context.Context, in billingactor.CheckoutRequest) (string, error) {
	meta := map[string]string{"org_id": in.OrgID, "plan_id": in.Plan.ID}
	p := &stripe.CheckoutSessionCreateParams{Params: params(ctx, in.IdempotencyKey),
		Mode: stripe.String(string(stripe.CheckoutSessionModeSubscription)), Customer: stripe.String(in.CustomerID),
		ClientReferenceID: stripe.String(in.OrgID), SuccessURL: stripe.String(in.SuccessURL), CancelURL: stripe.String(in.CancelURL),
		LineItems: []*stripe.CheckoutSessionCreateLineItemParams{{Price: stripe.String(in.Plan.StripePrice), Quantity: stripe.Int64(1)}},
		Metadata:  meta, SubscriptionData: &stripe.CheckoutSessionCreateSubscriptionDataParams{Metadata: meta}}
	s, err := c.sc.V1CheckoutSessions.Create(ctx, p)
	if err != nil {
		return "", providerErr("create checkout session", err)
	}
	return s.URL, nil
}

// CreatePortal implements billing.Provider.
func (c *Client) CreatePortal(ctx context.Context, in billingactor.PortalRequest) (string, error) {
	s, err := c.sc.V1BillingPortalSessions.Create(ctx, &stripe.BillingPortalSessionCreateParams{Params: params(ctx, in.IdempotencyKey),
		Customer: stripe.String(in.CustomerID), ReturnURL: stripe.String(in.ReturnURL)})
	if err != nil {
		return "", providerErr("create portal session", err)
	}
	return s.URL, nil
}

// ReportUsage implements billing.Provider: one meter event, whose
// identifier Stripe dedupes, so a resend is counted once.
func (c *Client) ReportUsage(ctx context.Context, in billingactor.UsageEvent) error {
	_, err := c.sc.V1BillingMeterEvents.Create(ctx, &stripe.BillingMeterEventCreateParams{Params: params(ctx, ""),
		EventName: stripe.String(in.EventName), Identifier: stripe.String(in.Identifier), Timestamp: stripe.Int64(in.At.Unix()),
		Payload: map[string]string{"stripe_customer_id": in.CustomerID, "value": strconv.FormatInt(in.Value, 10)}})
	if err != nil {
		return providerErr("meter event", err)
	}
	return nil
}
