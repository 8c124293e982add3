package consolebrowser_test

import (
	"fmt"
	"testing"

	"github.com/humd/humd/app"
)

// The sandbox phone calls the sandbox number as a contact: the user types
// what the caller says, hears the agent, sees the call's record beside the
// phone, hangs up, and finds the transcript on the call's page.
func TestBrowserSandboxPhoneCall(t *testing.T) {
	s := serve(t, app.Config{})
	const caller = "+15555550144"
	u := newUser(t, s)
	u.open("/sandbox")
	u.signIn(adminEmail, adminPassword)
	u.typeInto("Calling from", caller)
	u.click(button, "Call")
	u.waitText(`//h2`, "Call "+caller+" → "+app.SandboxNumber)
	u.waitText(`//ol[@aria-label="Call"]/li[1]`, "Thanks for calling the sandbox shop") // the greeting

	u.typeInto("You say", "What are your opening hours?")
	u.click(button, "Say")
	u.waitText(`//ol[@aria-label="Call"]/li[2]`, "What are your opening hours?")
	u.waitText(`//ol[@aria-label="Call"]/li[3]`, "Monday to Friday") // the flow's spoken answer
	u.waitText(`//section[@aria-label="Call record"]`, caller)
	u.waitText(`//section[@aria-label="Call record"]`, "in_progress")
	u.screenshot("sandbox-call")

	u.click(button, "Hang up")
	u.waitText(`//*[@id="sb-call"]`, "Call ended.")
	u.absent("button", "Say")
	var id string
	s.WaitFor("the call stored, completed", func() error {
		list := s.JSON("GET", "/api/calls?direction=inbound", adminKey, nil, 200)["data"].([]any)
		for _, c := range list {
			if c := c.(map[string]any); c["from"] == caller && c["status"] == "completed" {
				id = c["id"].(string)
				return nil
			}
		}
		return fmt.Errorf("no completed call from %s in %v", caller, list)
	})
	u.click(link, "Open the call's transcript")
	u.waitText("//h1", "Call with "+caller)
	if got := pathOf(s, u.location()); got != "/calls/"+id {
		t.Fatalf("the transcript link went to %s; want /calls/%s", got, id)
	}
	u.waitText(`//*[@id="transcript"]`, "What are your opening hours?")
	u.waitText(`//*[@id="transcript"]`, "Monday to Friday")
	u.open("/calls")
	u.waitText(`//table[@aria-label="Calls"]`, caller)
}
