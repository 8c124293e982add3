package consolebrowser_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/humd/humd/app"
	"github.com/humd/humd/app/apptest"
)

func optedOut(s *apptest.Server, e164 string) bool {
	for _, o := range s.JSON("GET", "/api/sms/opt-outs", adminKey, nil, 200)["data"].([]any) {
		if o.(map[string]any)["e164"] == e164 {
			return true
		}
	}
	return false
}

func blocked(s *apptest.Server, e164 string) bool {
	for _, o := range s.JSON("GET", "/api/blocklist", adminKey, nil, 200)["data"].([]any) {
		if o.(map[string]any)["e164"] == e164 {
			return true
		}
	}
	return false
}

// Contacts from the browser: search finds a contact, a tag added on its
// page is stored, opting it out puts it on the opt-outs page, and from
// there it is opted back in; the blocklist adds and removes a number.
func TestBrowserContactTagOptOut(t *testing.T) {
	s := serve(t, app.Config{})
	const grace = "+13175550160"
	id := s.JSON("POST", "/api/contacts", adminKey, map[string]any{"e164": grace, "name": "Grace Hopper"}, 201)["id"].(string)
	s.JSON("POST", "/api/contacts", adminKey, map[string]any{"e164": "+13175550161", "name": "Alan Turing"}, 201)

	u := newUser(t, s)
	u.open("/contacts")
	u.signIn(adminEmail, adminPassword)
	u.waitText(`//table[@aria-label="Contacts"]`, "Alan Turing")
	u.do("search", chromedp.SendKeys("searchbox", "grace", byName("searchbox", "Search contacts")))
	u.click(button, "Search")
	// The search is a page load: wait for its answer, one row, Grace's.
	s.WaitFor("the search's answer", func() error {
		rows, err := eval2[string](u, `location.search + " " + Array.from(document.querySelectorAll('table[aria-label="Contacts"] tbody tr')).map(r => r.innerText).join("|")`)
		if err != nil || !strings.HasPrefix(rows, "?q=grace&") || strings.Contains(rows, "|") || !strings.Contains(rows, "Grace Hopper") {
			return fmt.Errorf("page %q, %v", rows, err)
		}
		return nil
	})
	u.click(link, "Grace Hopper")
	u.waitText("//h1", "Grace Hopper")

	u.typeInto("New tag", "vip")
	u.click(button, "Add tag")
	u.waitText(`//ul[@aria-label="Tags of this contact"]`, "vip")
	s.WaitFor("the tag stored", func() error {
		if tags := s.JSON("GET", "/api/contacts/"+id, adminKey, nil, 200)["tags"].([]any); !slices.Contains(tags, any("vip")) {
			return fmt.Errorf("tags %v", tags)
		}
		return nil
	})

	u.click(button, "Opt out")
	u.waitText(`//section[@aria-label="Consent"]`, "Opted out")
	if !optedOut(s, grace) {
		t.Fatal("the contact is not on the opt-out list after Opt out")
	}
	u.click(link, "Opt-outs")
	u.waitText(`//table[@aria-label="Opt-outs"]`, grace)
	u.waitText(`//table[@aria-label="Opt-outs"]`, "api")
	u.click(button, "Opt "+grace+" back in")
	u.waitText(`//*[@role="status"]`, "opted back in")
	if optedOut(s, grace) {
		t.Fatal("the number is still opted out after Opt back in")
	}

	u.click(link, "Blocklist")
	u.typeInto("Phone (E.164)", "+13175550199")
	u.click(button, "Block number")
	u.waitText(`//table[@aria-label="Blocked numbers"]`, "+13175550199")
	if !blocked(s, "+13175550199") {
		t.Fatal("the number is not blocked after Block number")
	}
	u.click(button, "Unblock +13175550199")
	u.waitText(`//table[@aria-label="Blocked numbers"]`, "No blocked numbers.")
	if blocked(s, "+13175550199") {
		t.Fatal("the number is still blocked after Unblock")
	}
	u.open("/contacts?tag=vip")
	u.waitText(`//table[@aria-label="Contacts"]`, "Grace Hopper")
	u.screenshot("contacts")
}
