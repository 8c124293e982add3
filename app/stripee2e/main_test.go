// Package stripee2e_test runs humd with billing provider stripe against
// stripe-mock (github.com/stripe/stripe-mock, a tool in go.mod) on
// loopback, behind a recording proxy that can also refuse requests, as a
// network failure or a Stripe outage would. Webhook events are signed with
// stripe-go's webhook.GenerateTestSignedPayload.
package stripee2e_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// mockBin is the stripe-mock binary TestMain built, "" when it could not.
var (
	mockBin  string
	mockSkip string
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "humd-stripe-mock-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	bin := filepath.Join(dir, "stripe-mock")
	cmd := exec.Command("go", "build", "-o", bin, "github.com/stripe/stripe-mock")
	if out, err := cmd.CombinedOutput(); err != nil {
		mockSkip = fmt.Sprintf("stripe-mock did not build (go build github.com/stripe/stripe-mock: %v): %s", err, out)
	} else {
		mockBin = bin
	}
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

var listening = regexp.MustCompile(`Listening for HTTP at address: (127\.0\.0\.1:\d+)`)

// startMock runs stripe-mock on loopback for the test and answers its URL.
func startMock(t *testing.T) string {
	t.Helper()
	if mockBin == "" {
		t.Skip(mockSkip)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, mockBin, "-http-addr", "127.0.0.1:0", "-https-addr", "127.0.0.1:0")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); _ = cmd.Wait() })
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if m := listening.FindStringSubmatch(sc.Text()); m != nil {
				addr <- m[1]
			}
		}
	}()
	select {
	case a := <-addr:
		return "http://" + a
	case <-time.After(30 * time.Second):
		t.Fatal("stripe-mock did not start listening")
	}
	return ""
}

// call is one request humd made to Stripe.
type call struct {
	Method, Path, Idem string
	Form               url.Values
	Status             int
}

// stripeProxy sits between humd and stripe-mock and records every
// request. For a path prefix set "refuse" it answers 503 as a Stripe outage
// would, without passing the request on; set "lose" it passes the request
// on and then answers 503, as when Stripe took a request and the answer
// was lost.
type stripeProxy struct {
	URL   string
	mu    sync.Mutex
	calls []call
	down  map[string]string
}

func newProxy(t *testing.T) *stripeProxy {
	t.Helper()
	target, err := url.Parse(startMock(t))
	if err != nil {
		t.Fatal(err)
	}
	p := &stripeProxy{down: map[string]string{}}
	rp := httputil.NewSingleHostReverseProxy(target)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(raw))
		form, _ := url.ParseQuery(string(raw))
		c := call{Method: r.Method, Path: r.URL.Path, Idem: r.Header.Get("Idempotency-Key"), Form: form, Status: 200}
		p.mu.Lock()
		mode := ""
		for prefix, m := range p.down {
			if strings.HasPrefix(r.URL.Path, prefix) {
				mode = m
			}
		}
		if mode != "" {
			c.Status = 503
		}
		p.calls = append(p.calls, c)
		p.mu.Unlock()
		switch mode {
		case "":
			rp.ServeHTTP(w, r)
			return
		case "lose":
			rp.ServeHTTP(httptest.NewRecorder(), r)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(503)
		_, _ = w.Write([]byte(`{"error":{"type":"api_error","message":"Stripe is down (test)"}}`))
	}))
	t.Cleanup(srv.Close)
	p.URL = srv.URL
	return p
}

// setDown sets how requests under prefix fail: "refuse", "lose", or ""
// to pass again.
func (p *stripeProxy) setDown(prefix, mode string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if mode != "" {
		p.down[prefix] = mode
	} else {
		delete(p.down, prefix)
	}
}

// Calls answers the requests made under path.
func (p *stripeProxy) Calls(path string) []call {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []call
	for _, c := range p.calls {
		if c.Path == path {
			out = append(out, c)
		}
	}
	return out
}
