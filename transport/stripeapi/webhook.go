package stripeapi

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/stripe/stripe-go/v82"
	"github.com/stripe/stripe-go/v82/webhook"

	"github.com/humd/humd/actors/service"
	storebilling "github.com/humd/humd/storage/billing"
	"github.com/humd/humd/transport/httpapi"
)

// Deps are what the Stripe edge needs.
type Deps struct {
	Svc *service.Service
	// Provider is the configured provider's name: stripe or sandbox (the
	// edge serves nothing with none).
	Provider string
	// WebhookSecret checks Stripe-Signature (STRIPE_WEBHOOK_SECRET; the
	// sandbox's own secret with provider sandbox).
	WebhookSecret string
	// Sandbox is the sandbox provider (provider sandbox only).
	Sandbox *Sandbox
}

// API serves POST /stripe/webhook and the sandbox's pages.
type API struct {
	d Deps
}

// New builds the Stripe edge.
func New(d Deps) *API { return &API{d: d} }

// Received answers a webhook: what the event did.
type Received struct {
	Received bool `json:"received"`
	// Outcome is applied, stale (older than the subscription's newest
	// event), ignored (a type humd does not act on) or unmatched (no org).
	Outcome   string `json:"outcome" jsonschema:"enum=applied|stale|ignored|unmatched"`
	Duplicate bool   `json:"duplicate"`
}

// errBadSignature: nothing is stored for a request Stripe did not sign.
var errBadSignature = &httpapi.StatusError{Status: 400, Code: "invalid_signature",
	Message: "Stripe-Signature does not match this body; check STRIPE_WEBHOOK_SECRET (the endpoint's signing secret)"}

// Routes lists the webhook, and with the sandbox provider its pages.
func (a *API) Routes() []*httpapi.Route {
	if a.d.Provider != "stripe" && a.d.Provider != "sandbox" {
		return nil
	}
	rs := []*httpapi.Route{
		{Method: "POST", Path: "/stripe/webhook", OpID: "stripeWebhook", Summary: "Stripe webhook (signed with Stripe-Signature)", Tag: "Billing",
			Auth: httpapi.Public, Fails: []int{400}, Responses: httpapi.Answer[Received](200), Handle: a.webhook},
		{Method: "GET", Path: "/billing/done", OpID: "billingDone", Summary: "Where checkout and the portal send the browser back (HTML)", Tag: "Billing",
			Auth: httpapi.Public, Responses: httpapi.Answer[HTML](200), Handle: a.done},
	}
	if a.d.Sandbox != nil {
		rs = append(rs, a.sandboxRoutes()...)
	}
	return rs
}

func (a *API) webhook(c *httpapi.Call) error {
	r, err := a.receive(c.Body(), string(c.Ctx.Request.Header.Peek("Stripe-Signature")))
	if err != nil {
		return err
	}
	return c.JSON(200, r)
}

// receive checks, decodes and hands over one webhook event; the sandbox's
// own events come through here too.
func (a *API) receive(payload []byte, sig string) (*Received, error) {
	ev, err := Decode(payload, sig, a.d.WebhookSecret)
	if err != nil {
		return nil, err
	}
	res, err := a.d.Svc.IngestBillingEvent(ev)
	if err != nil {
		return nil, err
	}
	return &Received{Received: true, Outcome: res.Outcome, Duplicate: res.Duplicate}, nil
}

// Decode checks a webhook's signature with stripe-go and decodes the event
// to the fields humd acts on. A bad signature (or none) is a 400
// invalid_signature; a signed body humd cannot read is a 400 too.
func Decode(payload []byte, sig, secret string) (*storebilling.Event, error) {
	e, err := webhook.ConstructEventWithOptions(payload, sig, secret, webhook.ConstructEventOptions{IgnoreAPIVersionMismatch: true})
	if err != nil {
		if errors.Is(err, webhook.ErrNotSigned) || errors.Is(err, webhook.ErrNoValidSignature) || errors.Is(err, webhook.ErrInvalidHeader) ||
			errors.Is(err, webhook.ErrTooOld) || secret == "" {
			return nil, errBadSignature
		}
		return nil, &httpapi.StatusError{Status: 400, Code: "invalid_event", Message: "the signed body is not a Stripe event: " + err.Error()}
	}
	if e.ID == "" || e.Type == "" {
		return nil, &httpapi.StatusError{Status: 400, Code: "invalid_event", Message: "the event has no id or type"}
	}
	ev := &storebilling.Event{ID: e.ID, Type: string(e.Type), Created: e.Created, Payload: json.RawMessage(payload)}
	if e.Data == nil {
		return ev, nil
	}
	if err := decodeObject(ev, e.Data.Raw); err != nil {
		return nil, &httpapi.StatusError{Status: 400, Code: "invalid_event", Message: fmt.Sprintf("%s: %v", e.Type, err)}
	}
	return ev, nil
}

func decodeObject(ev *storebilling.Event, raw json.RawMessage) error {
	switch ev.Type {
	case storebilling.EvCheckoutCompleted:
		var s stripe.CheckoutSession
		if err := json.Unmarshal(raw, &s); err != nil {
			return err
		}
		ev.OrgID, ev.PlanID, ev.PaymentStatus = s.ClientReferenceID, s.Metadata["plan_id"], string(s.PaymentStatus)
		if s.Customer != nil {
			ev.CustomerID = s.Customer.ID
		}
		if s.Subscription != nil {
			ev.SubscriptionID = s.Subscription.ID
		}
	case storebilling.EvSubCreated, storebilling.EvSubUpdated, storebilling.EvSubDeleted:
		var s stripe.Subscription
		if err := json.Unmarshal(raw, &s); err != nil {
			return err
		}
		ev.SubscriptionID, ev.Status, ev.CancelAtPeriodEnd = s.ID, string(s.Status), s.CancelAtPeriodEnd
		ev.OrgID, ev.PlanID = s.Metadata["org_id"], s.Metadata["plan_id"]
		if s.Customer != nil {
			ev.CustomerID = s.Customer.ID
		}
		if s.Items != nil && len(s.Items.Data) > 0 {
			it := s.Items.Data[0]
			ev.PeriodStart, ev.PeriodEnd = it.CurrentPeriodStart, it.CurrentPeriodEnd
			if it.Price != nil {
				ev.PriceID = it.Price.ID
			}
		}
	case storebilling.EvInvoicePaid, storebilling.EvInvoiceFailed:
		var inv stripe.Invoice
		if err := json.Unmarshal(raw, &inv); err != nil {
			return err
		}
		if inv.Customer != nil {
			ev.CustomerID = inv.Customer.ID
		}
		if p := inv.Parent; p != nil && p.SubscriptionDetails != nil {
			if p.SubscriptionDetails.Subscription != nil {
				ev.SubscriptionID = p.SubscriptionDetails.Subscription.ID
			}
			ev.OrgID = p.SubscriptionDetails.Metadata["org_id"]
		}
		if ev.SubscriptionID == "" { // API versions before 2025-03-31 put it on the invoice
			var old struct {
				Subscription string `json:"subscription"`
			}
			_ = json.Unmarshal(raw, &old)
			ev.SubscriptionID = old.Subscription
		}
	}
	return nil
}
