package consolebrowser_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/humd/humd/app"
	"github.com/humd/humd/app/apptest"
)

// sandboxPhone is the phone the sandbox phone page texts from by default.
const sandboxPhone = "+15555550100"

// aiReply waits until the thread of phone has the flow's reply and
// answers its text (the seeded flow waits 3 s of fake time first).
func aiReply(t *testing.T, s *apptest.Server, phone string) (conv, reply string) {
	t.Helper()
	s.WaitFor("the inbound text", func() error {
		list := s.JSON("GET", "/api/sms/conversations?q="+strings.TrimPrefix(phone, "+"), adminKey, nil, 200)["data"].([]any)
		if len(list) != 1 {
			return fmt.Errorf("threads of %s = %v", phone, list)
		}
		conv = list[0].(map[string]any)["id"].(string)
		return nil
	})
	s.Clock.Advance(3 * time.Second)
	s.WaitFor("the AI's reply", func() error {
		for _, m := range s.Messages(conv) {
			if m["direction"] == "outbound" && m["body"] != "" {
				reply = m["body"].(string)
				return nil
			}
		}
		return fmt.Errorf("no reply yet")
	})
	return conv, reply
}

// The first five minutes: a new user signs in, texts the sandbox number
// from the sandbox phone, and sees the text and then the AI's reply arrive
// in the inbox they have open, without reloading it (the page's one SSE
// stream; nothing polls).
func TestBrowserSandboxTextArrivesLive(t *testing.T) {
	s := serve(t, app.Config{})
	inbox := newUser(t, s)
	inbox.open("/inbox")
	inbox.signIn(adminEmail, adminPassword)
	inbox.waitText("//h1", "Inbox")
	inbox.waitText(`//*[@id="threads"]`, "No threads here.")
	// A reload would lose this.
	eval[bool](inbox, `window.humdNotReloaded = true`)

	phone := newUser(t, s)
	phone.open("/sandbox")
	phone.signIn(adminEmail, adminPassword)
	phone.waitText("//h1", "Sandbox phone")
	phone.typeInto("Message", "When are you open on Saturdays?")
	phone.click(button, "Send text")
	phone.waitText(`//*[@id="sb-thread"]`, "When are you open on Saturdays?")

	inbox.waitText(`//*[@id="threads"]`, sandboxPhone)
	inbox.waitText(`//*[@id="threads"]`, "When are you open on Saturdays?")
	inbox.waitText(`//*[@id="threads"]//*[contains(@class,"badge")]`, "1")

	_, reply := aiReply(t, s, sandboxPhone)
	preview := reply
	if len(preview) > 40 {
		preview = preview[:40]
	}
	inbox.waitText(`//*[@id="threads"]`, strings.TrimSpace(preview))
	if !eval[bool](inbox, `window.humdNotReloaded === true`) {
		t.Fatal("the inbox page was reloaded")
	}
	phone.waitText(`//*[@id="sb-thread"]`, strings.TrimSpace(preview))
	phone.waitText(`//*[@id="sb-thread"]`, "Run record")
	inbox.screenshot("inbox")
	phone.screenshot("sandbox")
	inbox.open("/")
	inbox.waitText("//h1", "Dashboard")
	inbox.waitText(`//*[@id="dashboard"]`, "sms.received")
	inbox.screenshot("dashboard")
}
