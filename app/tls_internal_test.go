package app

import (
	"context"
	"crypto/tls"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/acme/autocert"
)

// The ACME side can only be tested offline up to the first request to
// Let's Encrypt: the manager's names and cache, the refusal of other
// names, and the http-01 listener.
func TestACMEConfiguredAndRefusesOtherHosts(t *testing.T) {
	dir := t.TempDir()
	a, err := New(Config{Addr: "127.0.0.1:0", DataDir: dir, TLSACMEDomains: "humd.example.com, Voice.Example.com",
		ACMEHTTPAddr: "127.0.0.1:0", AdminKey: "hum_live_testadminkey0000000000000000"},
		Options{Logger: slog.New(slog.DiscardHandler), NoSeed: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Listen(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Serve(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("close: %v", err)
		}
	}()

	m := a.acme.m
	if m.Cache != autocert.DirCache(filepath.Join(dir, "acme")) {
		t.Errorf("cache %v, want %s/acme", m.Cache, dir)
	}
	for _, host := range []string{"humd.example.com", "voice.example.com"} {
		if err := m.HostPolicy(context.Background(), host); err != nil {
			t.Errorf("host %s refused: %v", host, err)
		}
	}
	if err := m.HostPolicy(context.Background(), "evil.example.com"); err == nil {
		t.Error("host evil.example.com allowed")
	}
	// A handshake for a name not in the list fails before any ACME request.
	c, err := tls.Dial("tcp", a.Addr(), &tls.Config{ServerName: "evil.example.com", InsecureSkipVerify: true})
	if err == nil {
		c.Close()
		t.Fatal("handshake for evil.example.com succeeded")
	}

	// The http-01 listener answers challenges and sends the rest to https.
	base := "http://" + a.acme.ln.Addr().String()
	hc := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, _ := http.NewRequest("GET", base+"/api/health", nil)
	req.Host = "humd.example.com"
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusFound || loc != "https://humd.example.com/api/health" {
		t.Errorf("plain http: %d %q, want a redirect to https", resp.StatusCode, loc)
	}
	req, _ = http.NewRequest("GET", base+"/.well-known/acme-challenge/unknown-token", nil)
	req.Host = "humd.example.com"
	resp, err = hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound || strings.HasPrefix(resp.Header.Get("Location"), "https://") {
		t.Errorf("unknown challenge: %d %s, want the challenge handler's 404", resp.StatusCode, body)
	}
}
