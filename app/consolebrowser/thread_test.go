package consolebrowser_test

import (
	"fmt"
	"testing"

	"github.com/humd/humd/app"
	"github.com/humd/humd/app/apptest"
	"github.com/humd/humd/storage/tenancy"
)

// sandboxText injects a text from phone to the sandbox number through the
// API and answers the thread's id.
func sandboxText(t *testing.T, s *apptest.Server, phone, body string) string {
	t.Helper()
	s.JSON("POST", "/api/sandbox/inbound", adminKey, map[string]any{"from": phone, "to": app.SandboxNumber, "body": body}, 201)
	var conv string
	s.WaitFor("the thread", func() error {
		list := s.JSON("GET", "/api/sms/conversations", adminKey, nil, 200)["data"].([]any)
		for _, c := range list {
			if c.(map[string]any)["contact_e164"] == phone {
				conv = c.(map[string]any)["id"].(string)
				return nil
			}
		}
		return fmt.Errorf("no thread of %s in %v", phone, list)
	})
	return conv
}

func thread(s *apptest.Server, conv string) map[string]any {
	return s.JSON("GET", "/api/sms/conversations/"+conv, adminKey, nil, 200)
}

// From the thread: reply with the composer (and see the text's delivery
// status), assign it to yourself, close it.
func TestBrowserReplyAssignClose(t *testing.T) {
	s := serve(t, app.Config{})
	conv := sandboxText(t, s, "+15555550111", "Can someone call me back?")
	u := newUser(t, s)
	u.open("/inbox/" + conv)
	u.signIn(adminEmail, adminPassword)
	u.waitText(`//*[@id="messages"]`, "Can someone call me back?")
	u.waitText(`//aside`, "+15555550111") // the contact card

	u.typeInto("Message", "Yes, we will call you in ten minutes.")
	u.click(button, "Send")
	u.waitText(`//*[@role="status"]`, "Sent.")
	u.waitText(`//*[@id="messages"]/li[last()]`, "Yes, we will call you in ten minutes.")
	u.waitText(`//*[@id="messages"]/li[last()]//*[@class="delivery"]`, "") // a delivery status is shown
	s.WaitFor("the reply stored", func() error {
		for _, m := range s.Messages(conv) {
			if m["body"] == "Yes, we will call you in ten minutes." && m["direction"] == "outbound" {
				return nil
			}
		}
		return fmt.Errorf("not yet")
	})
	u.screenshot("thread")

	u.click(button, "Assign to me")
	me := s.JSON("GET", "/api/me", adminKey, nil, 200)["user"].(map[string]any)
	name := me["name"].(string)
	if name == "" {
		name = adminEmail
	}
	u.waitText(`//*[contains(@class,"meta")]`, "Assignee: "+name)
	if got := thread(s, conv)["assignee_user_id"]; got != s.App.Bootstrap.User.ID {
		t.Fatalf("assignee = %v; want the admin", got)
	}
	u.click(button, "Close")
	u.waitText(`//*[contains(@class,"meta")]`, "Status: closed")
	u.click(button, "Reopen") // the button became Reopen
	u.waitText(`//*[contains(@class,"meta")]`, "Status: open")
	u.click(button, "Close")
	u.waitText(`//*[contains(@class,"meta")]`, "Status: closed")
	if got := thread(s, conv)["status"]; got != "closed" {
		t.Fatalf("status = %v; want closed", got)
	}
}

// A viewer sees the thread but no composer and no actions; the admin, in
// another browser, has them.
func TestBrowserViewerSeesNoComposer(t *testing.T) {
	s := serve(t, app.Config{})
	conv := sandboxText(t, s, "+15555550122", "Hello?")
	s.JSON("POST", "/api/team/invites", adminKey, map[string]any{"email": "vera@example.com", "role": tenancy.Viewer, "confirm": true}, 201)
	// Vera accepts (as a first single sign-on would) and has a password.
	ten := &tenancy.Repo{Store: s.App.Store}
	vera, err := ten.SignInVerified("vera@example.com", "Vera")
	if err != nil {
		t.Fatal(err)
	}
	if err := ten.SetPassword(vera.ID, "vera's password"); err != nil {
		t.Fatal(err)
	}

	v := newUser(t, s)
	v.open("/inbox/" + conv)
	v.signIn("vera@example.com", "vera's password")
	v.waitText(`//*[@id="messages"]`, "Hello?")
	v.waitText("//header", "viewer")
	v.absent("textbox", "Message")
	v.absent("button", "Send")
	v.absent("button", "Close")
	v.absent("button", "Assign to me")
	v.absent("button", "Pause AI")

	a := newUser(t, s)
	a.open("/inbox/" + conv)
	a.signIn(adminEmail, adminPassword)
	a.waitText(`//*[@id="messages"]`, "Hello?")
	a.click(button, "Pause AI") // the admin can act
	a.waitText(`//*[contains(@class,"meta")]`, "AI: paused")
}
