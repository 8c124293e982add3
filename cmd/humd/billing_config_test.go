package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCheckConfigBilling: -check-config names each billing problem: an
// unknown provider, what stripe needs, and a bad plan by index and field.
func TestCheckConfigBilling(t *testing.T) {
	t.Setenv("HUMD_BILLING_PROVIDER", "paypal")
	if code, _, errs := runCLI(t, "-check-config"); code != 2 || !strings.Contains(errs, "HUMD_BILLING_PROVIDER") {
		t.Errorf("unknown provider = %d %q", code, errs)
	}
	t.Setenv("HUMD_BILLING_PROVIDER", "stripe")
	code, _, errs := runCLI(t, "-check-config")
	for _, want := range []string{"STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET", "HUMD_PLANS"} {
		if code != 2 || !strings.Contains(errs, want) {
			t.Errorf("stripe without settings = %d %q; want %s named", code, errs, want)
		}
	}
	t.Setenv("STRIPE_SECRET_KEY", "sk_test_123")
	t.Setenv("STRIPE_WEBHOOK_SECRET", "whsec_123")
	t.Setenv("STRIPE_API_BASE", "ftp://x")
	t.Setenv("HUMD_PLANS", `[{"id":"Pro!","name":"","stripe_price":"x","limits":{"numbers":-1}}]`)
	code, _, errs = runCLI(t, "-check-config")
	for _, want := range []string{"STRIPE_API_BASE", "HUMD_PLANS[0]", "id must be", "name is required", "stripe_price", "limits must be"} {
		if code != 2 || !strings.Contains(errs, want) {
			t.Errorf("bad plan = %d %q; want %q", code, errs, want)
		}
	}
	t.Setenv("STRIPE_API_BASE", "http://127.0.0.1:12111")
	t.Setenv("HUMD_PLANS", `[{"id":"pro","name":"Pro","stripe_price":"price_1","limits":{"numbers":3}},{"id":"pro","name":"Again","stripe_price":"price_2"}]`)
	if code, _, errs := runCLI(t, "-check-config"); code != 2 || !strings.Contains(errs, "used twice") {
		t.Errorf("duplicate plan id = %d %q", code, errs)
	}
	file := filepath.Join(t.TempDir(), "plans.json")
	if err := os.WriteFile(file, []byte(`[{"id":"pro","name":"Pro","stripe_price":"price_1","limits":{"numbers":3,"call_minutes":100}}]`), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("HUMD_PLANS", file)
	if code, out, errs := runCLI(t, "-check-config"); code != 0 {
		t.Errorf("plans from a file = %d %q %q", code, out, errs)
	}
	t.Setenv("HUMD_PLANS", filepath.Join(t.TempDir(), "missing.json"))
	if code, _, errs := runCLI(t, "-check-config"); code != 2 || !strings.Contains(errs, "HUMD_PLANS") {
		t.Errorf("missing plans file = %d %q", code, errs)
	}
}
