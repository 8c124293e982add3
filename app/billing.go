package app

import (
	"crypto/rand"
	"encoding/hex"

	billingactor "github.com/humd/humd/actors/billing"
	"github.com/humd/humd/actors/service"
	"github.com/humd/humd/transport/httpapi"
	"github.com/humd/humd/transport/stripeapi"
)

// wireBilling starts the billing actor on the configured provider: none
// (no actor; the Gate allows everything), sandbox or stripe.
func (a *App) wireBilling() (*billingactor.Service, *stripeapi.Sandbox, error) {
	cat, err := a.cfg.BillingCatalog()
	if err != nil {
		return nil, nil, err
	}
	cfg := billingactor.Config{Store: a.Store, Clock: a.Clock, Logger: a.log, Name: a.cfg.BillingProvider, Catalog: cat,
		Grace: a.cfg.BillingGrace, MeterEvery: a.cfg.BillingMeterEvery, PublicURL: a.cfg.PublicURL}
	var sb *stripeapi.Sandbox
	switch a.cfg.BillingProvider {
	case "stripe":
		cfg.Provider = stripeapi.NewClient(a.cfg.StripeSecretKey, a.cfg.StripeAPIBase)
	case "sandbox":
		sb = &stripeapi.Sandbox{PublicURL: a.cfg.PublicURL, Secret: a.billingWebhookSecret(), Now: a.Clock.Now}
		cfg.Provider = sb
	}
	svc, err := billingactor.New(a.System.Root, cfg)
	return svc, sb, err
}

// billingWebhookSecret is what checks Stripe-Signature: STRIPE_WEBHOOK_SECRET,
// else (sandbox) a secret of this run, which signs the sandbox's own
// events and links.
func (a *App) billingWebhookSecret() string {
	if a.cfg.StripeWebhookSecret != "" || a.cfg.BillingProvider != "sandbox" {
		return a.cfg.StripeWebhookSecret
	}
	if a.sandboxBillingSecret == "" {
		var b [24]byte
		_, _ = rand.Read(b[:])
		a.sandboxBillingSecret = "whsec_sandbox_" + hex.EncodeToString(b[:])
	}
	return a.sandboxBillingSecret
}

// stripeArea serves POST /stripe/webhook (and the sandbox's pages).
func (a *App) stripeArea(svc *service.Service, d services) httpapi.Area {
	return stripeapi.New(stripeapi.Deps{Svc: svc, Provider: a.cfg.BillingProvider, WebhookSecret: a.billingWebhookSecret(), Sandbox: d.BillingSandbox})
}
