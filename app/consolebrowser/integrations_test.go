package consolebrowser_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/humd/humd/app"
	"github.com/humd/humd/app/apptest"
)

// hookReceiver is a customer's webhook receiver on loopback: it answers
// 200 and keeps what reached it.
type hookReceiver struct {
	URL string
	mu  sync.Mutex
	got []hookRequest
}

type hookRequest struct {
	header http.Header
	body   []byte
}

func startHookReceiver(t *testing.T) *hookReceiver {
	t.Helper()
	r := &hookReceiver{}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.got = append(r.got, hookRequest{header: req.Header.Clone(), body: body})
		r.mu.Unlock()
		_, _ = io.WriteString(w, "thanks")
	}))
	t.Cleanup(ts.Close)
	r.URL = ts.URL
	return r
}

// waitN waits until at least n requests reached the receiver and answers them.
func (r *hookReceiver) waitN(s *apptest.Server, n int) []hookRequest {
	var out []hookRequest
	s.WaitFor(fmt.Sprintf("%d webhook requests", n), func() error {
		s.Clock.Advance(time.Second) // the delivery actor polls the event log each second
		r.mu.Lock()
		defer r.mu.Unlock()
		if len(r.got) < n {
			return fmt.Errorf("%d requests so far", len(r.got))
		}
		out = append([]hookRequest(nil), r.got...)
		return nil
	})
	return out
}

// An admin adds a webhook endpoint from the integrations page and sees its
// signing secret once (a reload no longer has it); an event the filter
// names is delivered, signed with that secret, and shows in the endpoint's
// delivery log with its attempt; Redeliver sends it again with the same id
// and body.
func TestBrowserWebhookDeliveryAndRedeliver(t *testing.T) {
	rcv := startHookReceiver(t)
	s := serve(t, app.Config{AllowPrivateWebhooks: true})
	u := newUser(t, s)
	u.open("/integrations")
	u.signIn(adminEmail, adminPassword)
	u.waitText("//h1", "Integrations")
	u.typeInto("Endpoint URL", rcv.URL+"/hooks")
	u.typeInto("Events to send", "sms.received")
	u.typeInto("Description", "Order desk")
	u.click(button, "Add endpoint")
	u.waitText(`//section[@aria-label="Shown once"]`, "Signing secret")
	secret := eval[string](u, `document.getElementById("secret-once").value`)
	if !strings.HasPrefix(secret, "whsec_") {
		t.Fatalf("shown secret = %q", secret)
	}
	u.waitText(`//table[@aria-label="Webhook endpoints"]`, rcv.URL+"/hooks")

	// A reload (a GET) shows the endpoint but never the secret again.
	u.open("/integrations")
	u.waitText(`//table[@aria-label="Webhook endpoints"]`, "Order desk")
	if eval[bool](u, fmt.Sprintf(`document.documentElement.outerHTML.includes(%q)`, secret)) {
		t.Fatal("the signing secret is on the page after a reload")
	}
	u.absent("textbox", "Signing secret")
	u.screenshot("integrations")

	// An event happens: a contact texts the sandbox number.
	sandboxText(t, s, "+15555550144", "Is my order ready?")
	first := rcv.waitN(s, 1)[0]
	wh, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		t.Fatal(err)
	}
	if err := wh.VerifyIgnoringTimestamp(first.body, first.header); err != nil {
		t.Fatalf("the delivery is not signed with the secret the page showed: %v", err)
	}
	if !strings.Contains(string(first.body), `"sms.received"`) {
		t.Fatalf("delivered %s; want an sms.received event", first.body)
	}

	u.click(link, rcv.URL+"/hooks")
	u.waitText(`//table[@aria-label="Deliveries"]`, "sms.received")
	u.waitText(`//table[@aria-label="Deliveries"]`, "HTTP 200")
	u.screenshot("webhook")
	u.click(button, "Redeliver")
	u.waitText(`//p[@role="status"]`, "Redelivered sms.received")
	got := rcv.waitN(s, 2)
	if got[1].header.Get("webhook-id") != first.header.Get("webhook-id") || string(got[1].body) != string(first.body) {
		t.Fatalf("the redelivery changed the id or body: %q vs %q", got[1].header.Get("webhook-id"), first.header.Get("webhook-id"))
	}
	// The log shows both attempts of the one delivery.
	s.WaitFor("the second attempt in the log", func() error {
		u.open(pathOf(s, u.location()))
		if n := eval[float64](u, `document.querySelectorAll('table[aria-label="Deliveries"] ol.attempts li').length`); n != 2 {
			return fmt.Errorf("%v attempts shown", n)
		}
		return nil
	})
}

// The other integrations from the page: a trigger's URL is shown once and
// fires; rotating it shows a new URL and the old one stops; a CRM
// connector's ping reports what the bridge answered.
func TestBrowserTriggerAndCRM(t *testing.T) {
	bridge := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) { _, _ = io.WriteString(w, `{"ok":true}`) }))
	t.Cleanup(bridge.Close)
	s := serve(t, app.Config{AllowPrivateWebhooks: true})
	u := newUser(t, s)
	u.open("/integrations")
	u.signIn(adminEmail, adminPassword)
	u.typeInto("Trigger name", "Order shipped")
	u.typeInto("Event name", "external.order_shipped")
	u.click(button, "Add trigger")
	u.waitText(`//section[@aria-label="Shown once"]`, "URL of the trigger Order shipped")
	old := eval[string](u, `document.getElementById("secret-once").value`)
	if code, body := s.Do("POST", pathOf(s, old), "", map[string]any{"order": "A1"}); code != 202 && code != 200 {
		t.Fatalf("firing the shown URL = %d %s", code, body)
	}
	u.click(button, "Rotate URL of Order shipped")
	u.waitText(`//section[@aria-label="Shown once"]`, "New URL of the trigger Order shipped")
	fresh := eval[string](u, `document.getElementById("secret-once").value`)
	if fresh == old {
		t.Fatal("rotating showed the same URL")
	}
	if code, _ := s.Do("POST", pathOf(s, old), "", map[string]any{}); code < 400 {
		t.Fatalf("the old trigger URL still fires (%d)", code)
	}

	u.typeInto("Connector name", "Our CRM")
	u.typeInto("Bridge base URL", bridge.URL)
	u.click(button, "Add connector")
	u.waitText(`//section[@aria-label="Shown once"]`, "Secret of the connector Our CRM")
	u.click(button, "Ping Our CRM")
	u.waitText(`//article[@aria-label="Connector Our CRM"]`, "Reached it: HTTP 200")
}
