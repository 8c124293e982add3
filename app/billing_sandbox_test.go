package app_test

import (
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/humd/humd/app"
	"github.com/humd/humd/app/apptest"
)

// noRedirect answers a redirect itself, so a test sees the 303.
var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

var hiddenInput = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)

// sandboxPage GETs a sandbox page link humd answered (on its public URL)
// and answers the page's hidden form fields.
func sandboxPage(t *testing.T, s *apptest.Server, link string) url.Values {
	t.Helper()
	if !strings.HasPrefix(link, s.PublicURL+"/billing/sandbox/") {
		t.Fatalf("link %q; want a sandbox page of %s", link, s.PublicURL)
	}
	resp, err := http.Get(s.URL + strings.TrimPrefix(link, s.PublicURL))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("GET %s = %d %s", link, resp.StatusCode, raw)
	}
	form := url.Values{}
	for _, m := range hiddenInput.FindAllStringSubmatch(string(raw), -1) {
		form.Set(m[1], strings.ReplaceAll(m[2], "&amp;", "&"))
	}
	return form
}

// sandboxSubmit posts a sandbox page's form with a button's action and
// answers the 303's Location.
func sandboxSubmit(t *testing.T, s *apptest.Server, path string, form url.Values, action string) string {
	t.Helper()
	form.Set("action", action)
	resp, err := noRedirect.PostForm(s.URL+path, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 303 {
		raw, _ := io.ReadAll(resp.Body)
		t.Fatalf("POST %s (%s) = %d %s; want 303", path, action, resp.StatusCode, raw)
	}
	return resp.Header.Get("Location")
}

// TestBillingSandboxCheckout is the sandbox's done-when: with
// HUMD_BILLING_PROVIDER=sandbox a new user buys a plan on humd's own
// checkout page and GET /api/billing shows it active, with its period;
// cancelling a checkout changes nothing, and an unknown plan is a 422
// naming plan_id.
func TestBillingSandboxCheckout(t *testing.T) {
	s := apptest.Start(t, apptest.Options{Config: app.Config{BillingProvider: "sandbox"}})
	_, key := provision(t, s, "New Co", "new@example.com")
	b := s.JSON("GET", "/api/billing", key, nil, 200)
	if b["provider"] != "sandbox" || b["subscription"].(map[string]any)["status"] != "none" {
		t.Fatalf("before checkout = %v; want provider sandbox, status none", b)
	}
	st, raw := s.Do("POST", "/api/billing/checkout", key, map[string]any{"plan_id": "gold"})
	if st != 422 || !strings.Contains(string(raw), `"plan_id"`) {
		t.Errorf("unknown plan = %d %s; want 422 naming plan_id", st, raw)
	}
	if st, raw := s.Do("POST", "/api/billing/portal", key, nil); st != 409 {
		t.Errorf("portal before checkout = %d %s; want 409", st, raw)
	}

	// A checkout cancelled on the page leaves the org unsubscribed.
	link := s.JSON("POST", "/api/billing/checkout", key, map[string]any{"plan_id": "pro"}, 200)["url"].(string)
	if loc := sandboxSubmit(t, s, "/billing/sandbox/checkout", sandboxPage(t, s, link), "cancel"); !strings.Contains(loc, "checkout=canceled") {
		t.Errorf("cancel went to %q", loc)
	}
	if got := s.JSON("GET", "/api/billing", key, nil, 200)["subscription"].(map[string]any)["status"]; got != "none" {
		t.Errorf("after a cancelled checkout status = %v; want none", got)
	}

	link = s.JSON("POST", "/api/billing/checkout", key, map[string]any{"plan_id": "pro"}, 200)["url"].(string)
	form := sandboxPage(t, s, link)
	// A link humd did not sign is refused.
	forged := url.Values{}
	for k, v := range form {
		forged[k] = v
	}
	forged.Set("plan", "starter")
	if resp, err := noRedirect.PostForm(s.URL+"/billing/sandbox/checkout", url.Values(forged)); err != nil || resp.StatusCode != 400 {
		t.Errorf("forged checkout = %v %v; want 400", resp.StatusCode, err)
	}
	if loc := sandboxSubmit(t, s, "/billing/sandbox/checkout", form, "complete"); loc != s.PublicURL+"/billing/done?checkout=complete" {
		t.Errorf("complete went to %q", loc)
	}
	b = s.JSON("GET", "/api/billing", key, nil, 200)
	sub, plan := b["subscription"].(map[string]any), b["plan"].(map[string]any)
	if sub["status"] != "active" || plan["id"] != "pro" || plan["name"] != "Pro" || sub["current_period_end"] == nil {
		t.Errorf("after checkout = %v; want plan pro active with its period", b)
	}
	if lim := b["limits"].(map[string]any)["call_minutes"].(map[string]any); lim["limit"] != 5000.0 {
		t.Errorf("call_minutes limit = %v; want the plan's 5000", lim)
	}
	// The other org saw nothing.
	if got := s.JSON("GET", "/api/billing", adminKey, nil, 200)["subscription"].(map[string]any)["status"]; got != "none" {
		t.Errorf("another org's status = %v; want none", got)
	}
	// The portal works now, and its cancel button ends the subscription.
	portal := s.JSON("POST", "/api/billing/portal", key, nil, 200)["url"].(string)
	sandboxSubmit(t, s, "/billing/sandbox/portal", sandboxPage(t, s, portal), "cancel")
	if got := s.JSON("GET", "/api/billing", key, nil, 200)["subscription"].(map[string]any)["status"]; got != "canceled" {
		t.Errorf("after the portal's cancel status = %v; want canceled", got)
	}
}
