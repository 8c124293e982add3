package consolebrowser_test

import (
	"context"
	"testing"
	"time"

	"github.com/humd/humd/app"
	"github.com/humd/humd/transport/relay/relayclient"
)

// A sandbox call, followed live from its page (the call's own event
// stream), then reviewed: transcript and the calls list.
func TestBrowserSandboxCallTranscript(t *testing.T) {
	s := serve(t, app.Config{})
	const caller = "+15555550133"
	sc := s.JSON("POST", "/api/sandbox/calls", adminKey, map[string]any{"from": caller, "to": app.SandboxNumber}, 200)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	call, err := relayclient.PlaceInbound(ctx, relayclient.InboundOptions{HumdURL: s.URL, PublicURL: s.PublicURL,
		AuthToken: sc["call_token"].(string), CallSid: sc["call_sid"].(string), From: caller, To: app.SandboxNumber})
	if err != nil {
		t.Fatalf("place the sandbox call: %v", err)
	}
	if call.Conn == nil {
		t.Fatalf("the sandbox voice flow did not connect the call: %+v", call.TwiML)
	}
	t.Cleanup(func() { _ = call.Conn.Close() })
	callID := sc["call_id"].(string)

	u := newUser(t, s)
	u.open("/calls/" + callID)
	u.signIn(adminEmail, adminPassword)
	u.waitText("//h1", "Call with "+caller)
	u.waitText(`//*[@id="call"]`, "live")

	if err := call.Conn.Prompt("What are your opening hours?"); err != nil {
		t.Fatal(err)
	}
	reply, _, err := call.Conn.Reply(ctx)
	if err != nil || reply == "" {
		t.Fatalf("the agent's reply = %q, %v", reply, err)
	}
	// The open page shows both turns as they happen.
	u.waitText(`//*[@id="transcript"]`, "What are your opening hours?")
	u.waitText(`//*[@id="transcript"]`, firstWords(reply))
	if err := call.Hangup(ctx); err != nil {
		t.Fatal(err)
	}
	u.waitText(`//*[@id="call"]//p[contains(@class,"meta")]`, "completed")

	// Later, from the calls list.
	u.open("/calls?direction=inbound")
	u.waitText(`//table[@aria-label="Calls"]`, caller)
	u.click(link, "Nov 25 15:00 UTC")
	u.waitText(`//*[@id="transcript"]`, "What are your opening hours?")
	u.waitText(`//*[@id="transcript"]`, firstWords(reply))
	u.typeInto("Note", "Asked about hours; answered.")
	u.click(button, "Add note")
	u.waitText(`//section[@aria-label="Notes"]`, "Asked about hours; answered.")
	u.screenshot("call")
}

// firstWords is the start of a text, to find it where it may be cut.
func firstWords(s string) string {
	if len(s) > 30 {
		return s[:30]
	}
	return s
}
