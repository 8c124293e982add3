package app

import (
	"errors"
	"fmt"
	"time"

	"github.com/humd/humd/storage/billing"
)

// validateBilling checks the billing settings: the provider, what stripe
// needs, and the plan catalog (each plan's problems named).
func (c *Config) validateBilling() []error {
	var errs []error
	switch c.BillingProvider {
	case "", "none", "sandbox":
	case "stripe":
		if c.StripeSecretKey == "" {
			errs = append(errs, errors.New("HUMD_BILLING_PROVIDER=stripe needs STRIPE_SECRET_KEY (sk_live_... or sk_test_...)"))
		}
		if c.StripeWebhookSecret == "" {
			errs = append(errs, errors.New("HUMD_BILLING_PROVIDER=stripe needs STRIPE_WEBHOOK_SECRET (whsec_..., from the webhook endpoint for <public url>/stripe/webhook)"))
		}
		if c.Plans == "" {
			errs = append(errs, errors.New("HUMD_BILLING_PROVIDER=stripe needs HUMD_PLANS, the plan catalog"))
		}
	default:
		errs = append(errs, fmt.Errorf("HUMD_BILLING_PROVIDER %q: must be none, sandbox or stripe", c.BillingProvider))
	}
	if _, err := billing.ParseCatalog(c.Plans, c.BillingProvider == "stripe"); err != nil {
		errs = append(errs, err)
	}
	if c.BillingGrace < 0 {
		errs = append(errs, errors.New("HUMD_BILLING_GRACE must be 0 or more"))
	}
	if c.BillingMeterEvery < 0 || c.BillingMeterEvery > 0 && c.BillingMeterEvery < time.Minute {
		errs = append(errs, errors.New("HUMD_BILLING_METER_EVERY must be at least 1m"))
	}
	return errs
}

// BillingCatalog answers the plan catalog: HUMD_PLANS, or with the sandbox
// provider and none configured, billing.SandboxCatalog.
func (c *Config) BillingCatalog() (billing.Catalog, error) {
	cat, err := billing.ParseCatalog(c.Plans, c.BillingProvider == "stripe")
	if err == nil && cat == nil && c.BillingProvider == "sandbox" {
		cat = billing.SandboxCatalog
	}
	return cat, err
}
