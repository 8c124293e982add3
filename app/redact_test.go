package app_test

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/humd/humd/app/apptest"
)

// logBuffer collects a log written from many goroutines.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// rawRequest writes req on a fresh connection and reads the answer to the end.
func rawRequest(t *testing.T, addr, req string) string {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(c, req); err != nil {
		t.Fatal(err)
	}
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.CloseWrite()
	}
	out, _ := io.ReadAll(c)
	return string(out)
}

// TestLogsHoldNoSecrets: requests fasthttp cannot parse (a refused header
// value, a bad Content-Length, a broken request line, a bad request URI)
// carrying an API key in Authorization and x-api-key, and trigger URLs
// fired, mistyped and asked with the wrong method, leave log lines without
// the key, an opaque credential or the trigger token.
func TestLogsHoldNoSecrets(t *testing.T) {
	var log logBuffer
	s := apptest.Start(t, apptest.Options{Logger: slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	const opaque = "opaque-credential-0042" // a shape no rule knows: only its header gives it away
	event := s.JSON("POST", "/api/flows", adminKey, map[string]any{"name": "On order", "trigger_type": "event",
		"trigger_events": []string{"external.order_paid"}}, 201)["id"].(string)
	tr := s.JSON("POST", "/api/triggers", adminKey, map[string]any{"name": "Orders", "event_name": "external.order_paid", "flow_id": event}, 201)
	token, path := tr["token"].(string), fireURL(t, s, tr)

	creds := "Authorization: Bearer " + adminKey + "\r\nx-api-key: " + adminKey + "\r\nCookie: session=" + opaque + "\r\n"
	malformed := []string{
		// A control byte in a header value: fasthttp quotes the value.
		"GET /api/me HTTP/1.1\r\nHost: humd\r\nAuthorization: Bearer " + adminKey + "\x01\r\n\r\n",
		"GET /api/me HTTP/1.1\r\nHost: humd\r\nx-api-key: " + opaque + "\x01\r\n\r\n",
		// A Content-Length that is not a number.
		"POST /api/calls HTTP/1.1\r\nHost: humd\r\n" + creds + "Content-Length: ten\r\n\r\n{}",
		// A request line without a version: fasthttp quotes the whole header block.
		"POST " + path + "\r\nHost: humd\r\n" + creds + "\r\n",
		// A request URI that is not one.
		"GET api/triggers/in/" + token + " HTTP/1.1\r\nHost: humd\r\n" + creds + "\r\n",
	}
	for _, req := range malformed {
		if got := rawRequest(t, s.App.Addr(), req); !strings.HasPrefix(got, "HTTP/1.1 400") {
			t.Errorf("%q answered %q; want a 400", req, got)
		}
	}
	s.JSON("POST", path, "", map[string]any{"order": 1}, 202)
	s.JSON("POST", "/api/triggers/in/trg_"+strings.Repeat("x", 43), "", map[string]any{"order": 1}, 404)
	s.JSON("GET", path, "", nil, 405)
	if code, _ := s.Do("GET", "/api/me", opaque, nil); code != 401 {
		t.Errorf("an unknown key answered %d; want 401", code)
	}

	s.WaitFor("fasthttp's error lines and the access log line of the 405", func() error {
		out := log.String()
		if n := strings.Count(out, "component=fasthttp"); n < len(malformed) {
			return fmt.Errorf("%d fasthttp lines; want %d", n, len(malformed))
		}
		if !strings.Contains(out, "status=405") {
			return fmt.Errorf("no access log line of the GET")
		}
		return nil
	})
	out := log.String()
	for _, secret := range []string{adminKey, opaque, token, token[len("trg_"):], strings.Repeat("x", 43)} {
		if strings.Contains(out, secret) {
			t.Errorf("the log holds the secret %q:\n%s", secret, out)
		}
	}
	// The fires are logged too, with the token redacted from the path.
	if n := strings.Count(out, "path=/api/triggers/in/[redacted]"); n != 3 {
		t.Errorf("%d access log lines of trigger URLs with the token redacted; want 3:\n%s", n, out)
	}
}
