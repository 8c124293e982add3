package consolebrowser_test

import (
	"fmt"
	"testing"

	"github.com/humd/humd/app"
)

// An admin sets the org's name, time zone, business hours and HELP reply
// from the settings page; a bad time shows beside its day and nothing is
// saved; fixed, the hours are stored as the service's business_hours_json.
func TestBrowserOrgSettings(t *testing.T) {
	s := serve(t, app.Config{})
	u := newUser(t, s)
	u.open("/settings")
	u.signIn(adminEmail, adminPassword)
	u.waitText("//h1", "Settings")
	u.typeInto("Organization name", "Acme Dental")
	u.typeInto("Time zone", "America/New_York")
	eval[bool](u, `(() => { const b = document.querySelector('input[name="always_open"]'); if (b.checked) b.click(); return true })()`)
	u.typeInto("Monday hours", "08:00-27:00")
	u.typeInto("Tuesday hours", "08:00-12:00, 13:00-17:00")
	u.typeInto("Closed dates (one a line, YYYY-MM-DD)", "2026-12-25")
	u.typeInto("HELP reply", "Acme Dental: call 555-0100. Reply STOP to opt out.")
	u.click(button, "Save settings")
	u.waitText(`//p[label[@for="hours-mon"]]//*[contains(@class,"field-error")]`, "times must be HH:MM")
	if org := s.JSON("GET", "/api/org", adminKey, nil, 200); org["name"] == "Acme Dental" {
		t.Fatal("a refused form saved the name")
	}
	// What was typed is still there.
	if got := eval[string](u, `document.getElementById("help-text").value`); got != "Acme Dental: call 555-0100. Reply STOP to opt out." {
		t.Fatalf("HELP after the error = %q", got)
	}
	u.typeInto("Monday hours", "08:00-17:00")
	u.click(button, "Save settings")
	u.waitText(`//p[@role="status"]`, "Settings saved.")
	u.screenshot("settings")
	org := s.JSON("GET", "/api/org", adminKey, nil, 200)
	if org["name"] != "Acme Dental" || org["timezone"] != "America/New_York" || org["help_text"] != "Acme Dental: call 555-0100. Reply STOP to opt out." {
		t.Fatalf("org = %v", org)
	}
	bh, _ := org["business_hours_json"].(map[string]any)
	weekly, _ := bh["weekly"].(map[string]any)
	if bh["timezone"] != "America/New_York" || len(weekly["mon"].([]any)) != 1 || len(weekly["tue"].([]any)) != 2 || weekly["wed"] != nil {
		t.Fatalf("business hours = %v", bh)
	}
	if cd := bh["closed_dates"].([]any); len(cd) != 1 || cd[0] != "2026-12-25" {
		t.Fatalf("closed dates = %v", cd)
	}
	// The editor shows the stored hours back.
	u.open("/settings")
	if got := eval[string](u, `document.getElementById("hours-tue").value`); got != "08:00-12:00, 13:00-17:00" {
		t.Fatalf("Tuesday shown = %q", got)
	}
}

// With the sandbox billing provider the billing page shows the plan and
// this month's usage, and a plan's button goes through checkout: back on
// the page, the org is on that plan.
func TestBrowserBillingCheckout(t *testing.T) {
	s := serve(t, app.Config{BillingProvider: "sandbox"})
	sandboxText(t, s, "+15555550155", "Hi there")
	u := newUser(t, s)
	u.open("/billing")
	u.signIn(adminEmail, adminPassword)
	u.waitText("//h1", "Billing")
	u.waitText(`//section[@aria-labelledby="h-plan"]`, "sandbox")
	u.waitText(`//*[@aria-label="Usage"]`, "SMS segments")
	u.click(button, "Subscribe to Starter")
	u.waitText("//h1", "Sandbox checkout")
	u.click(button, "Subscribe")
	s.WaitFor("the subscription", func() error {
		if b := s.JSON("GET", "/api/billing", adminKey, nil, 200); b["plan"].(map[string]any)["id"] != "starter" {
			return fmt.Errorf("plan = %v", b["plan"])
		}
		return nil
	})
	u.open("/billing")
	u.waitText(`//section[@aria-labelledby="h-plan"]`, "Starter")
	u.waitText(`//section[@aria-labelledby="h-plan"]`, "active")
	u.screenshot("billing")
	u.click(button, "Manage billing")
	u.waitText("//h1", "Sandbox billing portal")
}
