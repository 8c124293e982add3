package twiliotest_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/humd/humd/actors/sender"
	"github.com/humd/humd/transport/twilio"
	"github.com/humd/humd/transport/twilio/twiliotest"
)

const (
	ours    = "+13175550100"
	contact = "+13175550199"
	public  = "https://humd.example.com"
)

var smSID = regexp.MustCompile(`^SM[0-9a-f]{32}$`)

func client(t *testing.T, s *twiliotest.Server, timeout time.Duration) *twilio.Client {
	t.Helper()
	c, err := s.Client(timeout)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestSend(t *testing.T) {
	s := twiliotest.Start(t, twiliotest.Options{})
	c := client(t, s, 0)
	body := strings.Repeat("a", 161) // two GSM-7 segments
	acc, err := c.Send(context.Background(), &sender.Outbound{MessageID: "msg_1", From: ours, To: contact, Body: body,
		MediaURLs: []string{"https://example.com/a.png"}, StatusCallback: public + "/twilio/sms/status"})
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	if !smSID.MatchString(acc.SID) || acc.Status != "queued" || acc.NumSegments != 2 {
		t.Errorf("Send = %+v; want an SM sid, queued, 2 segments", acc)
	}
	sent := s.Sent()
	if len(sent) != 1 {
		t.Fatalf("fake got %d messages; want 1", len(sent))
	}
	m := sent[0]
	if m.SID != acc.SID || m.From != ours || m.To != contact || m.Body != body ||
		strings.Join(m.MediaURLs, ",") != "https://example.com/a.png" || m.StatusCallback != public+"/twilio/sms/status" {
		t.Errorf("fake got %+v", m)
	}
}

func TestSendErrors(t *testing.T) {
	tests := []struct {
		name   string
		script func(s *twiliotest.Server)
		to     string
		token  string
		want   sender.Error // Message is checked for being non-empty only
	}{
		{"invalid To by the fake's own check", nil, "+1", "", sender.Error{Code: 21211, Status: 400}},
		{"scripted invalid To", func(s *twiliotest.Server) { s.FailTo(contact, 21211, 400) }, contact, "",
			sender.Error{Code: 21211, Status: 400}},
		{"unsubscribed", func(s *twiliotest.Server) { s.FailTo(contact, 21610, 400) }, contact, "",
			sender.Error{Code: 21610, Status: 400}},
		{"rate limited", func(s *twiliotest.Server) { s.FailNext(20429, 429, "Too Many Requests") }, contact, "",
			sender.Error{Code: 20429, Status: 429, Retryable: true}},
		{"server error", func(s *twiliotest.Server) { s.FailNext(20500, 500, "Internal Server Error") }, contact, "",
			sender.Error{Code: 20500, Status: 500, Retryable: true}},
		{"unavailable", func(s *twiliotest.Server) { s.FailNext(20503, 503, "Service Unavailable") }, contact, "",
			sender.Error{Code: 20503, Status: 503, Retryable: true}},
		{"wrong token", nil, contact, "wrongtoken1", sender.Error{Code: 20003, Status: 401}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := twiliotest.Start(t, twiliotest.Options{})
			if tc.script != nil {
				tc.script(s)
			}
			token := s.AuthToken
			if tc.token != "" {
				token = tc.token
			}
			c, err := twilio.New(twilio.Config{AccountSID: s.AccountSID, AuthToken: token, APIBase: s.URL})
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.Send(context.Background(), &sender.Outbound{From: ours, To: tc.to, Body: "hi"})
			var se *sender.Error
			if !errors.As(err, &se) {
				t.Fatalf("Send err = %v; want *sender.Error", err)
			}
			got := *se
			got.Message = ""
			if got != tc.want || se.Message == "" {
				t.Errorf("Send err = %+v; want %+v with a message", *se, tc.want)
			}
			if n := len(s.Sent()); n != 0 {
				t.Errorf("fake recorded %d messages for a refused send", n)
			}
		})
	}
}

func TestFailNextIsOneShot(t *testing.T) {
	s := twiliotest.Start(t, twiliotest.Options{})
	c := client(t, s, 0)
	s.FailNext(20429, 429, "Too Many Requests")
	out := &sender.Outbound{From: ours, To: contact, Body: "hi"}
	if _, err := c.Send(context.Background(), out); err == nil {
		t.Fatal("first Send succeeded; want 429")
	}
	if _, err := c.Send(context.Background(), out); err != nil {
		t.Fatalf("second Send: %v", err)
	}
}

func TestCheckFrom(t *testing.T) {
	s := twiliotest.Start(t, twiliotest.Options{CheckFrom: true})
	s.SetNumbers([]twilio.Number{{E164: ours, SMS: true}})
	c := client(t, s, 0)
	if _, err := c.Send(context.Background(), &sender.Outbound{From: ours, To: contact, Body: "hi"}); err != nil {
		t.Fatalf("Send from our number: %v", err)
	}
	_, err := c.Send(context.Background(), &sender.Outbound{From: "+13175550111", To: contact, Body: "hi"})
	var se *sender.Error
	if !errors.As(err, &se) || se.Code != 21606 {
		t.Errorf("Send from a foreign number = %v; want 21606", err)
	}
}

// A timeout after the request went out is ambiguous: the fake took the text,
// so the error must not be retryable.
func TestSendTimeoutAfterWriteIsNotRetryable(t *testing.T) {
	s := twiliotest.Start(t, twiliotest.Options{})
	s.Delay(5 * time.Second)
	c := client(t, s, 200*time.Millisecond)
	start := time.Now()
	_, err := c.Send(context.Background(), &sender.Outbound{From: ours, To: contact, Body: "hi"})
	var se *sender.Error
	if !errors.As(err, &se) || se.Retryable {
		t.Errorf("Send timing out = %v; want a non-retryable *sender.Error", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Send took %v with a 200ms timeout", d)
	}
	if n := len(s.Sent()); n != 1 {
		t.Errorf("fake has %d messages; want the 1 it took", n)
	}
}

func TestSendHonoursContext(t *testing.T) {
	s := twiliotest.Start(t, twiliotest.Options{})
	s.Delay(5 * time.Second)
	c := client(t, s, 0)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.Send(ctx, &sender.Outbound{From: ours, To: contact, Body: "hi"})
	var se *sender.Error
	if !errors.As(err, &se) || se.Retryable {
		t.Errorf("Send past its ctx = %v; want a non-retryable *sender.Error", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Send took %v with a 100ms ctx", d)
	}
}

func TestIncomingNumbersPages(t *testing.T) {
	s := twiliotest.Start(t, twiliotest.Options{})
	var want []twilio.Number
	for i := range 120 { // 3 pages of 50
		want = append(want, twilio.Number{SID: fmt.Sprintf("PN%032d", i), E164: fmt.Sprintf("+1317555%04d", i),
			FriendlyName: fmt.Sprintf("line %d", i), Voice: i%2 == 0, SMS: true, MMS: i%3 == 0})
	}
	s.SetNumbers(want)
	got, err := client(t, s, 0).IncomingNumbers()
	if err != nil {
		t.Fatalf("IncomingNumbers: %v", err)
	}
	if len(got) != len(want) {
		t.Fatalf("IncomingNumbers gave %d numbers; want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("number %d = %+v; want %+v", i, got[i], want[i])
		}
	}
	pages := 0
	for _, r := range s.Requests() {
		if strings.HasPrefix(r, "GET /2010-04-01/Accounts/"+s.AccountSID+"/IncomingPhoneNumbers.json") {
			pages++
		}
	}
	if pages != 3 {
		t.Errorf("client fetched %d pages; want 3 (%v)", pages, s.Requests())
	}
}

func TestIncomingNumbersError(t *testing.T) {
	s := twiliotest.Start(t, twiliotest.Options{})
	s.FailNext(20003, 401, "Authenticate")
	_, err := client(t, s, 0).IncomingNumbers()
	var se *sender.Error
	if !errors.As(err, &se) || se.Code != 20003 {
		t.Errorf("IncomingNumbers = %v; want 20003", err)
	}
}

func TestLookup(t *testing.T) {
	s := twiliotest.Start(t, twiliotest.Options{})
	s.SetLookup(contact, twiliotest.Lookup{CarrierName: "Verizon Wireless", LineType: "mobile", CallerName: "JANE DOE", CallerType: "CONSUMER"})
	c := client(t, s, 0)
	got, err := c.Lookup(contact)
	if err != nil {
		t.Fatalf("Lookup: %v", err)
	}
	want := twilio.LookupResult{E164: contact, Valid: true, CountryCode: "US", CarrierName: "Verizon Wireless",
		LineType: "mobile", CallerName: "JANE DOE", CallerType: "CONSUMER"}
	if *got != want {
		t.Errorf("Lookup = %+v; want %+v", *got, want)
	}
	other, err := c.Lookup("+442079460000")
	if err != nil {
		t.Fatalf("Lookup: %v", err)
	}
	if other.CountryCode != "GB" || other.LineType != "mobile" || other.CallerName != "" {
		t.Errorf("default Lookup = %+v", *other)
	}
	n := len(s.Requests())
	if _, err := c.Lookup("../Accounts"); err == nil {
		t.Error("Lookup of a non-number succeeded")
	}
	if len(s.Requests()) != n {
		t.Error("Lookup of a non-number reached the server")
	}
}

// hook is a stand-in for humd's webhook endpoints: it checks signatures with
// transport/twilio over the public URL and records what came.
type hook struct {
	mu     sync.Mutex
	token  string
	status int
	got    []url.Values
	valid  []bool
	paths  []string
}

func (h *hook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	ok := twilio.ValidateSignature(h.token, public, r.URL.RequestURI(), body, r.Header.Get(twilio.SignatureHeader))
	form, _ := url.ParseQuery(string(body))
	h.mu.Lock()
	h.got, h.valid, h.paths = append(h.got, form), append(h.valid, ok), append(h.paths, r.URL.RequestURI())
	st := h.status
	h.mu.Unlock()
	if st == 0 {
		st = 200
	}
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(st)
	io.WriteString(w, twilio.EmptyMessagingResponse())
}

func TestPlayStatus(t *testing.T) {
	s := twiliotest.Start(t, twiliotest.Options{})
	h := &hook{token: s.AuthToken}
	humd := httptest.NewServer(h)
	defer humd.Close()
	s.SetCallbackTarget(public, humd.URL)
	c := client(t, s, 0)
	acc, err := c.Send(context.Background(), &sender.Outbound{From: ours, To: contact, Body: "hi", StatusCallback: public + "/twilio/sms/status?m=msg_1"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.PlayStatus(acc.SID, "sent", nil); err != nil {
		t.Fatalf("PlayStatus sent: %v", err)
	}
	if err := s.PlayStatus(acc.SID, "undelivered", url.Values{"ErrorCode": {"30007"}}); err != nil {
		t.Fatalf("PlayStatus undelivered: %v", err)
	}
	h.mu.Lock()
	if len(h.got) != 2 {
		t.Fatalf("humd got %d callbacks; want 2", len(h.got))
	}
	for i, st := range []string{"sent", "undelivered"} {
		f := h.got[i]
		if !h.valid[i] {
			t.Errorf("callback %d: signature does not validate", i)
		}
		if h.paths[i] != "/twilio/sms/status?m=msg_1" {
			t.Errorf("callback %d went to %s", i, h.paths[i])
		}
		if f.Get("MessageSid") != acc.SID || f.Get("MessageStatus") != st || f.Get("SmsStatus") != st ||
			f.Get("AccountSid") != s.AccountSID || f.Get("To") != contact || f.Get("From") != ours {
			t.Errorf("callback %d = %v", i, f)
		}
	}
	if h.got[0].Has("ErrorCode") || h.got[1].Get("ErrorCode") != "30007" {
		t.Errorf("ErrorCode: sent has %q, undelivered has %q", h.got[0].Get("ErrorCode"), h.got[1].Get("ErrorCode"))
	}
	h.status = 403
	h.mu.Unlock()
	if m := s.Sent()[0]; m.Status != "undelivered" || m.ErrorCode != 30007 {
		t.Errorf("fake's message = %+v; want undelivered 30007", m)
	}
	if err := s.PlayStatus(acc.SID, "delivered", nil); err == nil {
		t.Error("PlayStatus to a 403 answered nil")
	}
	if err := s.PlayStatus("SMnope", "delivered", nil); err == nil {
		t.Error("PlayStatus of an unknown sid answered nil")
	}
}

func TestSendInbound(t *testing.T) {
	s := twiliotest.Start(t, twiliotest.Options{})
	h := &hook{token: s.AuthToken}
	humd := httptest.NewServer(h)
	defer humd.Close()
	resp, err := s.SendInbound(humd.URL, public, contact, ours, "Hello & goodbye", url.Values{"OptOutType": {"STOP"}})
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(raw), "<Response") {
		t.Errorf("humd answered %d %q", resp.StatusCode, raw)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.got) != 1 || !h.valid[0] || h.paths[0] != "/twilio/sms" {
		t.Fatalf("humd got %v valid=%v paths=%v", h.got, h.valid, h.paths)
	}
	f := h.got[0]
	want := map[string]string{"From": contact, "To": ours, "Body": "Hello & goodbye", "NumMedia": "0", "NumSegments": "1",
		"SmsStatus": "received", "ApiVersion": "2010-04-01", "AccountSid": s.AccountSID, "OptOutType": "STOP"}
	for k, v := range want {
		if f.Get(k) != v {
			t.Errorf("inbound %s = %q; want %q", k, f.Get(k), v)
		}
	}
	if !smSID.MatchString(f.Get("MessageSid")) || f.Get("SmsSid") != f.Get("MessageSid") {
		t.Errorf("inbound MessageSid %q SmsSid %q", f.Get("MessageSid"), f.Get("SmsSid"))
	}
	// A forged copy must not validate: the token is what proves Twilio.
	f.Set("Body", "forged")
	if twilio.ValidateSignature(s.AuthToken, public, "/twilio/sms", []byte(f.Encode()), twilio.Sign("guess", public+"/twilio/sms", f)) {
		t.Error("a signature made with another token validates")
	}
}
