package billing

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
)

// Plan is one entry of the plan catalog (HUMD_PLANS): what an org buys at
// checkout and the monthly limits it then works within. A limit of 0 is
// no limit.
type Plan struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// StripePrice is the Stripe Price the checkout subscribes to (price_...).
	StripePrice string     `json:"stripe_price"`
	Limits      PlanLimits `json:"limits"`
}

// PlanLimits are a plan's caps per billing period (numbers: held at once).
type PlanLimits struct {
	Numbers     int64 `json:"numbers"`
	CallMinutes int64 `json:"call_minutes"`
	SMSSegments int64 `json:"sms_segments"`
	AITokens    int64 `json:"ai_tokens"`
}

// Catalog is the plan catalog, in the order it was configured.
type Catalog []Plan

// Find answers the plan with id, or nil.
func (c Catalog) Find(id string) *Plan {
	for i := range c {
		if c[i].ID == id {
			return &c[i]
		}
	}
	return nil
}

// ByPrice answers the plan selling a Stripe price, or nil.
func (c Catalog) ByPrice(price string) *Plan {
	for i := range c {
		if price != "" && c[i].StripePrice == price {
			return &c[i]
		}
	}
	return nil
}

// SandboxCatalog is the catalog the sandbox provider offers when
// HUMD_PLANS is not set, so a first run shows checkout with no setup.
var SandboxCatalog = Catalog{
	{ID: "starter", Name: "Starter", StripePrice: "price_sandbox_starter",
		Limits: PlanLimits{Numbers: 1, CallMinutes: 500, SMSSegments: 2000, AITokens: 2_000_000}},
	{ID: "pro", Name: "Pro", StripePrice: "price_sandbox_pro",
		Limits: PlanLimits{Numbers: 10, CallMinutes: 5000, SMSSegments: 20000, AITokens: 20_000_000}},
}

var planID = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,63}$`)

// ParseCatalog reads HUMD_PLANS: a JSON array of plans written inline
// (the value starts with '['), or the path of a file holding one. Every
// problem is reported at once, each naming the plan and field.
func ParseCatalog(v string, needPrice bool) (Catalog, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil, nil
	}
	raw := []byte(v)
	if !strings.HasPrefix(v, "[") {
		var err error
		if raw, err = os.ReadFile(v); err != nil {
			return nil, fmt.Errorf("HUMD_PLANS: not a JSON array and not a readable file: %w", err)
		}
	}
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.DisallowUnknownFields()
	var c Catalog
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("HUMD_PLANS: %w (want a JSON array of {id, name, stripe_price, limits: {numbers, call_minutes, sms_segments, ai_tokens}})", err)
	}
	var errs []error
	seen := map[string]bool{}
	for i, p := range c {
		at := fmt.Sprintf("HUMD_PLANS[%d]", i)
		if p.ID != "" {
			at += " (" + p.ID + ")"
		}
		switch {
		case !planID.MatchString(p.ID):
			errs = append(errs, fmt.Errorf("%s: id must be 1-64 lower-case letters, digits, _ or -", at))
		case seen[p.ID]:
			errs = append(errs, fmt.Errorf("%s: id is used twice", at))
		}
		seen[p.ID] = true
		if strings.TrimSpace(p.Name) == "" {
			errs = append(errs, fmt.Errorf("%s: name is required", at))
		}
		if needPrice && !strings.HasPrefix(p.StripePrice, "price_") {
			errs = append(errs, fmt.Errorf("%s: stripe_price must be a Stripe price id (price_...)", at))
		}
		l := p.Limits
		if l.Numbers < 0 || l.CallMinutes < 0 || l.SMSSegments < 0 || l.AITokens < 0 {
			errs = append(errs, fmt.Errorf("%s: limits must be 0 (no limit) or more", at))
		}
	}
	if len(c) == 0 {
		errs = append(errs, errors.New("HUMD_PLANS: the catalog is empty"))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return c, nil
}
