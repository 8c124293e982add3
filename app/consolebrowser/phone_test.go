package consolebrowser_test

import (
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/humd/humd/app"
)

// overflowJS names the elements wider than the viewport (the page scrolls
// sideways because of them); empty when the page fits.
const overflowJS = `(() => {
	const w = document.documentElement.clientWidth;
	if (document.documentElement.scrollWidth <= w + 1) return "";
	const out = [];
	for (const e of document.querySelectorAll("body *")) {
		const r = e.getBoundingClientRect();
		if (r.right > w + 1 && getComputedStyle(e).position !== "fixed") {
			out.push(e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + (e.className ? "." + String(e.className).split(" ")[0] : "") + " right=" + Math.round(r.right));
			if (out.length >= 5) break;
		}
	}
	return "page " + document.documentElement.scrollWidth + "px wide in " + w + "px: " + out.join(", ");
})()`

// The console is readable on a phone: at a phone's width (390 CSS pixels,
// mobile viewport) no page scrolls sideways, and the thread's composer is
// on screen.
func TestBrowserReadableOnAPhone(t *testing.T) {
	s := serve(t, app.Config{})
	conv := sandboxText(t, s, "+15555550177", "Do you ship to Canada? I would like to order the large size please")
	u := newUser(t, s)
	mobile := func(p *emulation.SetDeviceMetricsOverrideParams, _ *emulation.SetTouchEmulationEnabledParams) {
		p.Mobile = true
	}
	u.do("phone viewport", chromedp.EmulateViewport(390, 844, mobile))
	u.open("/inbox")
	u.signIn(adminEmail, adminPassword)
	u.waitText("//h1", "Inbox")
	for _, page := range []struct{ path, title string }{
		{"/", "Dashboard"}, {"/inbox", "Inbox"}, {"/inbox/" + conv, ""}, {"/calls", "Calls"},
		{"/voicemails", "Voicemails"}, {"/approvals", "Approvals"}, {"/sandbox", "Sandbox phone"},
		{"/flows", "Flows"}, {"/numbers", "Numbers"}, {"/knowledge", "Knowledge"}, {"/campaigns", "Campaigns"},
		{"/campaigns/new", ""}, {"/contacts", "Contacts"}, {"/integrations", "Integrations"}, {"/team", ""},
		{"/settings", "Settings"}, {"/billing", "Billing"},
	} {
		u.open(page.path)
		u.waitText("//h1", page.title)
		if got := eval[string](u, overflowJS); got != "" {
			t.Errorf("%s on a phone: %s", page.path, got)
		}
	}
	u.open("/inbox/" + conv)
	u.waitText(`//*[@id="messages"]`, "Do you ship to Canada?")
	for _, name := range []string{"Message", "Send"} {
		role := "textbox"
		if name == "Send" {
			role = "button"
		}
		label, by := role+" "+name, byName(role, name)
		u.do("find "+label, chromedp.WaitVisible(label, by))
	}
	if right := eval[float64](u, `(() => { const b = [...document.querySelectorAll("button")].find(e => e.innerText.trim() === "Send");
		return b ? b.getBoundingClientRect().right : 1e9; })()`); right > 391 {
		t.Errorf("the Send button ends at %.0fpx, off a 390px screen", right)
	}
}
