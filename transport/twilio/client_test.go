package twilio

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twilio/twilio-go/client"

	"github.com/humd/humd/actors/sender"
)

const (
	testSID   = "AC0123456789abcdef0123456789abcdef"
	testToken = "token0123456789"
)

func TestNewChecksConfig(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		ok   bool
	}{
		{"plain", Config{AccountSID: testSID, AuthToken: testToken}, true},
		{"api base", Config{AccountSID: testSID, AuthToken: testToken, APIBase: "http://127.0.0.1:9/prefix"}, true},
		{"no sid", Config{AuthToken: testToken}, false},
		{"no token", Config{AccountSID: testSID}, false},
		{"token with dash", Config{AccountSID: testSID, AuthToken: "test-token"}, false},
		{"relative base", Config{AccountSID: testSID, AuthToken: testToken, APIBase: "127.0.0.1:9"}, false},
		{"ftp base", Config{AccountSID: testSID, AuthToken: testToken, APIBase: "ftp://h"}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.cfg)
			if (err == nil) != tc.ok {
				t.Fatalf("New(%+v) err = %v; want ok=%v", tc.cfg, err, tc.ok)
			}
			if err != nil && !errors.Is(err, ErrConfig) {
				t.Errorf("New err = %v; want ErrConfig", err)
			}
		})
	}
}

// TestRewriteKeepsPath checks every Twilio host lands on APIBase, with the
// original path appended to APIBase's own path.
func TestRewriteKeepsPath(t *testing.T) {
	var mu sync.Mutex
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = append(got, r.Method+" "+r.Host+" "+r.URL.RequestURI())
		mu.Unlock()
		w.WriteHeader(500)
		fmt.Fprint(w, `{"code":20500,"message":"boom","status":500}`)
	}))
	defer srv.Close()
	c, err := New(Config{AccountSID: testSID, AuthToken: testToken, APIBase: srv.URL + "/proxy/"})
	if err != nil {
		t.Fatal(err)
	}
	_, _ = c.Send(context.Background(), &sender.Outbound{From: "+13175550100", To: "+13175550199", Body: "x"})
	_, _ = c.Lookup("+13175550199")
	host := strings.TrimPrefix(srv.URL, "http://")
	want := []string{
		"POST " + host + " /proxy/2010-04-01/Accounts/" + testSID + "/Messages.json",
		"GET " + host + " /proxy/v2/PhoneNumbers/+13175550199?Fields=line_type_intelligence%2Ccaller_name",
	}
	mu.Lock()
	defer mu.Unlock()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("requests:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestSendConnectionRefusedIsRetryable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	c, err := New(Config{AccountSID: testSID, AuthToken: testToken, APIBase: "http://" + addr, Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Send(context.Background(), &sender.Outbound{From: "+13175550100", To: "+13175550199", Body: "x"})
	var se *sender.Error
	if !errors.As(err, &se) || !se.Retryable || se.Status != 0 {
		t.Errorf("Send to a closed port = %#v; want a retryable *sender.Error without status", err)
	}
}

func TestSendCancelledBeforeWritingIsRetryable(t *testing.T) {
	c, err := New(Config{AccountSID: testSID, AuthToken: testToken, APIBase: "http://127.0.0.1:9"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	start := time.Now()
	_, err = c.Send(ctx, &sender.Outbound{From: "+13175550100", To: "+13175550199", Body: "x"})
	var se *sender.Error
	if !errors.As(err, &se) || !se.Retryable {
		t.Errorf("Send with a cancelled ctx = %#v; want retryable", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("Send with a cancelled ctx took %v", d)
	}
}

func TestSendRefusesIncompleteOutbound(t *testing.T) {
	c, err := New(Config{AccountSID: testSID, AuthToken: testToken, APIBase: "http://127.0.0.1:9"})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []*sender.Outbound{nil, {From: "+13175550100", Body: "x"}, {From: "+13175550100", To: "+13175550199"}} {
		var se *sender.Error
		if _, err := c.Send(context.Background(), m); !errors.As(err, &se) || se.Retryable {
			t.Errorf("Send(%+v) = %v; want a non-retryable *sender.Error", m, err)
		}
	}
}

func TestMapError(t *testing.T) {
	sent := func(status int) *exchange {
		ex := &exchange{}
		ex.wroteHeaders.Store(true)
		ex.statusCode.Store(int32(status))
		return ex
	}
	tests := []struct {
		name string
		err  error
		ex   *exchange
		want sender.Error
	}{
		{"invalid to", &client.TwilioRestError{Code: 21211, Status: 400, Message: "bad To"}, sent(400),
			sender.Error{Code: 21211, Status: 400, Message: "bad To"}},
		{"too many requests", &client.TwilioRestError{Code: 20429, Status: 429, Message: "Too Many Requests"}, sent(429),
			sender.Error{Code: 20429, Status: 429, Message: "Too Many Requests", Retryable: true}},
		{"server error", &client.TwilioRestError{Code: 20500, Status: 503, Message: "down"}, sent(503),
			sender.Error{Code: 20500, Status: 503, Message: "down", Retryable: true}},
		{"status only from the wire", &client.TwilioRestError{Code: 20001, Message: "odd"}, sent(502),
			sender.Error{Code: 20001, Status: 502, Message: "odd", Retryable: true}},
		{"v1 error", &client.RestErrorV1{Code: 21610, HttpStatusCode: 400, Message: "unsubscribed"}, sent(400),
			sender.Error{Code: 21610, Status: 400, Message: "unsubscribed"}},
		{"undecodable proxy page", errors.New("error decoding"), sent(502),
			sender.Error{Status: 502, Message: "error decoding", Retryable: true}},
		{"accepted but body cut", errors.New("unexpected EOF"), sent(201),
			sender.Error{Status: 201, Message: "unexpected EOF"}},
		{"timeout after writing", errors.New("deadline exceeded"), sent(0),
			sender.Error{Message: "deadline exceeded"}},
		{"refused before writing", errors.New("connection refused"), &exchange{},
			sender.Error{Message: "connection refused", Retryable: true}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := mapError(tc.err, tc.ex); *got != tc.want {
				t.Errorf("mapError = %+v; want %+v", *got, tc.want)
			}
		})
	}
}
