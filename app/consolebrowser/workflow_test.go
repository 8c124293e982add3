package consolebrowser_test

import (
	"fmt"
	"testing"

	"github.com/chromedp/chromedp/kb"

	"github.com/humd/humd/app"
)

// A snoozed thread leaves the open tab and shows under snoozed.
func TestBrowserSnoozeThread(t *testing.T) {
	s := serve(t, app.Config{})
	const phone = "+15555550166"
	conv := sandboxText(t, s, phone, "Remind me about this later")
	threads := `//table[@aria-label="Threads"]`

	u := newUser(t, s)
	u.open("/inbox?filter=open")
	u.signIn(adminEmail, adminPassword)
	u.waitText(threads, phone)
	u.open("/inbox/" + conv)
	u.waitText(`//*[@id="messages"]`, "Remind me about this later")
	u.click(button, "Snooze")
	u.waitText(`//*[contains(@class,"meta")]`, "snoozed until")
	if got := thread(s, conv)["snoozed_until"]; got == nil {
		t.Fatalf("snoozed_until = %v; want a time", got)
	}

	u.open("/inbox?filter=open")
	u.waitText(`//nav[@aria-label="Inbox filters"]/a[@aria-current="page"]`, "Open")
	u.waitText(threads, "") // the list is there
	u.lacks(threads+"//tr", phone)
	u.click(link, "Snoozed")
	u.waitText(`//nav[@aria-label="Inbox filters"]/a[@aria-current="page"]`, "Snoozed")
	u.waitText(threads+"//tr", phone)
}

// Keyboard only: sign in and reply to a thread with Tab, typing and Enter,
// no clicks.
func TestBrowserKeyboardOnly(t *testing.T) {
	s := serve(t, app.Config{})
	conv := sandboxText(t, s, "+15555550155", "Are you open on Sunday?")
	u := newUser(t, s)
	u.open("/inbox/" + conv)
	u.tabTo("Email")
	u.press(adminEmail)
	u.tabTo("Password")
	u.press(adminPassword)
	u.press(kb.Enter) // submits the sign-in form
	u.waitText(`//*[@id="messages"]`, "Are you open on Sunday?")

	u.tabTo("Message")
	u.press("No, we are closed on Sundays.")
	u.tabTo("Send")
	u.press(kb.Enter)
	u.waitText(`//*[@role="status"]`, "Sent.")
	u.waitText(`//*[@id="messages"]/li[last()]`, "No, we are closed on Sundays.")
	s.WaitFor("the reply stored", func() error {
		for _, m := range s.Messages(conv) {
			if m["body"] == "No, we are closed on Sundays." && m["direction"] == "outbound" {
				return nil
			}
		}
		return fmt.Errorf("not yet")
	})
}
