package logredact

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

const (
	apiKey  = "hum_live_Q7xW2mZp9LkV4cTn8RbY3sHd6JfA1gEu"
	trigger = "trg_3q2-7wJkLmNoPqRsTuVwXyZ0123456789abcdEFGHIJ"
	openai  = "sk-proj-9a8b7c6d5e4f3g2h1i0j"
	whsec   = "whsec_c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0"
	crmSec  = "crm_00112233445566778899aabbccddeeff0011223344556677"
	other   = "opaque-admin-key-0042" // no known shape: only a header name gives it away
)

func TestString(t *testing.T) {
	for _, tc := range []struct {
		in      string
		secrets []string
		keep    []string
	}{
		// fasthttp's dump of a request it could not parse (%q of the raw bytes).
		{in: fmt.Sprintf("error when serving connection: error when reading request headers: invalid header key: buffer size=200, contents: %q",
			"POST /api/calls HTTP/1.1\r\nHost: x\r\nAuthorization: Token "+other+"\r\nX-Api-Key: "+other+"\r\nCookie: s="+other+"\r\nX-Request-Id: r1\r\n\r\n"),
			secrets: []string{other}, keep: []string{"POST /api/calls", "X-Request-Id: r1", "Authorization: [redacted]"}},
		{in: `invalid header value "` + other + `\x01"`, secrets: []string{other}, keep: []string{"invalid header value"}},
		{in: `invalid header value "a\"b ` + other + `"`, secrets: []string{other}},
		{in: "Authorization: Bearer " + apiKey, secrets: []string{apiKey}},
		{in: "x-twilio-signature=" + other, secrets: []string{other}},
		{in: `{"Authorization":"` + other + `","x":1}`, secrets: []string{other}, keep: []string{`"x":1`}},
		{in: "dial failed with key " + apiKey + " and " + openai, secrets: []string{apiKey, openai}},
		{in: "basic " + other, secrets: []string{other}},
		{in: "signed with " + whsec + " and " + crmSec, secrets: []string{whsec, crmSec}},
		{in: "POST /api/triggers/in/" + trigger + " HTTP/1.1", secrets: []string{trigger}, keep: []string{"/api/triggers/in/[redacted] HTTP/1.1"}},
		{in: "/api/triggers/in/not-a-real-one/x?y=1", secrets: []string{"not-a-real-one"}, keep: []string{"?y=1"}},
		{in: "trigger " + trigger, secrets: []string{trigger}},
		{in: "route=/api/triggers/in/{token}", keep: []string{"/api/triggers/in/{token}"}},
		{in: fmt.Sprintf("%q", "\r\n"+apiKey+"\n\tBearer "+other), secrets: []string{apiKey, other}},
		// Ids that share a secret's prefix, and a key's display prefix, stay.
		{in: "trigger trg_01jf3v8k2m9x7q4w5e6r7t8y9u crm_01jf3v8k2m9x7q4w5e6r7t8y9u key hum_live_Q7xW", keep: []string{
			"trg_01jf3v8k2m9x7q4w5e6r7t8y9u", "crm_01jf3v8k2m9x7q4w5e6r7t8y9u", "hum_live_Q7xW"}},
		{in: "task_1234567890abcdef disk-usage-1234567890", keep: []string{"task_1234567890abcdef", "disk-usage-1234567890"}},
	} {
		got := String(tc.in)
		for _, s := range tc.secrets {
			if strings.Contains(got, s) {
				t.Errorf("String(%q) = %q; still holds %q", tc.in, got, s)
			}
		}
		if len(tc.secrets) > 0 && !strings.Contains(got, Redacted) {
			t.Errorf("String(%q) = %q; want a %s mark", tc.in, got, Redacted)
		}
		for _, k := range tc.keep {
			if !strings.Contains(got, k) {
				t.Errorf("String(%q) = %q; lost %q", tc.in, got, k)
			}
		}
	}
}

type request struct {
	Path   string
	Header map[string]string
}

type stringer struct{ s string }

func (s stringer) String() string { return s.s }

// TestHandler: the message, attributes of every kind, groups and With
// attributes are all redacted; a handler wrapped twice redacts once.
func TestHandler(t *testing.T) {
	var buf bytes.Buffer
	l := Logger(slog.New(slog.NewJSONHandler(&buf, nil)))
	if Logger(l) != l || New(l.Handler()) != l.Handler() {
		t.Error("wrapping a redacting logger again made a second layer")
	}
	l = l.With("authorization", other, "component", "test")
	l.WithGroup("g").Info("serving "+apiKey,
		"path", "/api/triggers/in/"+trigger,
		"x_api_key", other,
		"err", errors.New("upstream said: Authorization: Bearer "+openai),
		"raw", []byte("cookie: "+other),
		"str", stringer{"key " + apiKey},
		"req", request{Path: "/x", Header: map[string]string{"token": apiKey}},
		slog.Group("inner", "Cookie", other, "n", 3),
		"plain", "hello", "n", 42)
	out := buf.String()
	for _, s := range []string{apiKey, trigger, other, openai} {
		if strings.Contains(out, s) {
			t.Errorf("log line holds %q:\n%s", s, out)
		}
	}
	for _, k := range []string{`"plain":"hello"`, `"n":42`, `"component":"test"`, `"n":3`} {
		if !strings.Contains(out, k) {
			t.Errorf("log line lost %s:\n%s", k, out)
		}
	}
}
