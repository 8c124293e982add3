package consolebrowser_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/humd/humd/app"
	"github.com/humd/humd/app/apptest"
	"github.com/humd/humd/storage/tenancy"
)

// writeCSV writes a recipients file for the upload.
func writeCSV(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// evalAwait runs an expression in the page and waits for its promise.
func evalAwait[T any](u *user, expr string) T {
	u.t.Helper()
	ctx, cancel := context.WithTimeout(u.ctx, waitFor)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		u.t.Fatalf("eval %s: %v", expr, err)
	}
	return v
}

func campaignCount(s *apptest.Server) int {
	return len(s.JSON("GET", "/api/sms/campaigns", adminKey, nil, 200)["data"].([]any))
}

// A campaign from the browser: a CSV with a bad row is refused with the
// row's line number and nothing saved; the fixed file makes a draft whose
// page previews the first texts and counts the opted-out and blocked rows;
// launched, its progress moves to delivered on the open page, without a
// reload (the page's SSE stream), as the sandbox carrier delivers.
func TestBrowserCampaignFromCSV(t *testing.T) {
	s := serve(t, app.Config{})
	s.JSON("POST", "/api/sms/opt-outs", adminKey, map[string]any{"e164": "+13175550142"}, 201)
	s.JSON("POST", "/api/blocklist", adminKey, map[string]any{"e164": "+13175550143"}, 201)

	u := newUser(t, s)
	u.open("/campaigns/new")
	u.signIn(adminEmail, adminPassword)
	u.waitText("//h1", "New campaign")
	u.typeInto("Campaign name", "Winter sale")
	u.typeInto("Message template", "Hi {{first_name}}, {{vars.offer}} this week. Reply STOP to opt out")
	bad := writeCSV(t, "bad.csv", "phone,first_name,offer\n+13175550140,Ada,20% off\n317-555-0141,Bob,10% off\n")
	u.do("choose the bad file", chromedp.SetUploadFiles(chromedp.ID("c-csv"), []string{bad}))
	u.click(button, "Upload and check")
	u.waitText(`//section[@aria-label="Recipient errors"]`, `line 3: phone: "317-555-0141" is not an E.164 phone number`)
	u.waitText(`//section[@aria-label="Recipient errors"]`, "nothing was saved")
	if n := campaignCount(s); n != 0 {
		t.Fatalf("%d campaigns stored after a file with a bad row; want none", n)
	}

	good := writeCSV(t, "good.csv", "phone,first_name,offer\n+13175550140,Ada,20% off\n+13175550141,Bob,10% off\n"+
		"+13175550142,Cy,5% off\n+13175550143,Dee,1% off\n")
	u.do("choose the fixed file", chromedp.SetUploadFiles(chromedp.ID("c-csv"), []string{good}))
	u.click(button, "Upload and check")
	u.waitText("//h1", "Winter sale")
	u.waitText(`//ol[@aria-label="First texts"]`, "Hi Ada, 20% off this week. Reply STOP to opt out")
	u.waitText(`//ol[@aria-label="First texts"]`, "Hi Bob, 10% off this week.")
	u.waitText(`//section[@aria-label="Preview"]`, "1 opted out")
	u.waitText(`//section[@aria-label="Preview"]`, "1 blocked")
	u.waitText(`//*[@class="campaign-status"]`, "draft")
	if n := campaignCount(s); n != 1 {
		t.Fatalf("%d campaigns stored; want the one draft", n)
	}

	u.click(button, "Launch")
	u.waitText(`//*[@role="status"]`, "Launched")
	// Receipts wait for the fake clock, so nothing is delivered yet.
	u.waitText(`//dd[@data-count="delivered"]`, "0")
	eval[bool](u, `window.humdNotReloaded = true`) // from here on, a reload would lose this
	s.WaitFor("the campaign delivered", func() error {
		s.Clock.Advance(time.Second) // the throttle's pace and the sandbox's receipts run on the fake clock
		c := s.JSON("GET", "/api/sms/campaigns", adminKey, nil, 200)["data"].([]any)[0].(map[string]any)
		if counts := c["counts"].(map[string]any); c["status"] != "completed" || counts["delivered"] != 2.0 {
			return fmt.Errorf("status %v counts %v", c["status"], counts)
		}
		return nil
	})
	u.waitText(`//dd[@data-count="delivered"]`, "2")
	u.waitText(`//dd[@data-count="opted_out"]`, "1")
	u.waitText(`//dd[@data-count="skipped"]`, "1")
	u.waitText(`//dd[@data-count="waiting"]`, "0")
	u.waitText(`//*[@class="campaign-status"]`, "completed")
	u.waitText(`//table[@aria-label="Recipients"]//tr[contains(., "Ada")]`, "delivered")
	u.absent("button", "Pause") // the actions follow the state too
	if !eval[bool](u, `window.humdNotReloaded === true`) {
		t.Fatal("the campaign page was reloaded")
	}
	u.screenshot("campaign")
	u.open("/campaigns")
	u.waitText(`//table[@aria-label="Campaigns"]`, "Winter sale")
	u.screenshot("campaigns")
}

// A viewer sees campaigns without the new-campaign link, and a create
// posted from a viewer's session anyway (the form's CSRF token, a valid
// file) is refused by the server: 403, nothing stored.
func TestBrowserViewerCannotCreateCampaign(t *testing.T) {
	s := serve(t, app.Config{})
	s.JSON("POST", "/api/team/invites", adminKey, map[string]any{"email": "vera@example.com", "role": tenancy.Viewer, "confirm": true}, 201)
	ten := &tenancy.Repo{Store: s.App.Store}
	vera, err := ten.SignInVerified("vera@example.com", "Vera")
	if err != nil {
		t.Fatal(err)
	}
	if err := ten.SetPassword(vera.ID, "vera's password"); err != nil {
		t.Fatal(err)
	}
	v := newUser(t, s)
	v.open("/campaigns")
	v.signIn("vera@example.com", "vera's password")
	v.waitText("//h1", "Campaigns")
	v.waitText("//header", "viewer")
	v.absent("link", "New campaign")
	num := s.JSON("GET", "/api/numbers", adminKey, nil, 200)["data"].([]any)[0].(map[string]any)["id"].(string)
	status := evalAwait[float64](v, `(async () => {
		const tok = JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRF-Token"];
		const f = new FormData();
		f.append("csrf_token", tok);
		f.append("name", "From a viewer");
		f.append("twilio_number_id", `+"`"+num+"`"+`);
		f.append("body_template", "Hello. Reply STOP to opt out");
		f.append("throttle_per_minute", "30");
		f.append("recipients_csv", new Blob(["phone\n+13175550150\n"], {type: "text/csv"}), "list.csv");
		const r = await fetch("/campaigns/new", {method: "POST", body: f, headers: {"X-CSRF-Token": tok}});
		return r.status;
	})()`)
	if status != 403 {
		t.Fatalf("a viewer's create = %v; want 403", status)
	}
	if n := campaignCount(s); n != 0 {
		t.Fatalf("%d campaigns stored from a viewer's post; want none", n)
	}
}
