package main

import (
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
)

// healthCmd probes a running humd's /api/health: the container image's
// HEALTHCHECK and systemd have no curl to call it with.
func healthCmd(stdout, stderr io.Writer) *cobra.Command {
	var s settings
	var timeout time.Duration
	var insecure bool
	cmd := &cobra.Command{
		Use:   "health [--url URL]",
		Short: "Check that a running humd answers /api/health (exit 0) or not (exit 1)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			tc := &tls.Config{InsecureSkipVerify: insecure} //nolint:gosec // asked for, for a local probe
			if s.URL == "" {
				s.URL, tc = probeURL()
			}
			return codeErr(health(s.URL, timeout, tc, stdout, stderr))
		},
	}
	cmd.Flags().StringVar(&s.URL, "url", "", "a running humd's base URL (HUMD_URL; default HUMD_ADDR on loopback, https with HUMD_TLS_CERT or HUMD_TLS_ACME_DOMAINS)")
	cmd.Flags().DurationVar(&timeout, "timeout", 5*time.Second, "give up after this long")
	cmd.Flags().BoolVar(&insecure, "insecure", false, "accept any https certificate (a self-signed one on loopback)")
	return cmd
}

// probeURL is where humd health looks without --url or HUMD_URL: humd's
// own HUMD_ADDR on loopback, over https when the environment turns TLS on.
// Then any certificate is taken (it is humd's own, reached by address), and
// the handshake names the first ACME domain, as autocert wants a name.
func probeURL() (string, *tls.Config) {
	if u := os.Getenv("HUMD_URL"); u != "" {
		return u, &tls.Config{}
	}
	addr := envOr("HUMD_ADDR", "127.0.0.1:8080")
	if host, port, err := net.SplitHostPort(addr); err == nil && (host == "" || net.ParseIP(host).IsUnspecified()) {
		addr = net.JoinHostPort("127.0.0.1", port)
	}
	acme := strings.TrimSpace(strings.Split(os.Getenv("HUMD_TLS_ACME_DOMAINS"), ",")[0])
	if os.Getenv("HUMD_TLS_CERT") == "" && acme == "" {
		return "http://" + addr, &tls.Config{}
	}
	return "https://" + addr, &tls.Config{InsecureSkipVerify: true, ServerName: acme} //nolint:gosec // humd's own certificate on loopback
}

func health(base string, timeout time.Duration, tc *tls.Config, stdout, stderr io.Writer) int {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy = nil
	tr.TLSClientConfig = tc
	c := &http.Client{Timeout: timeout, Transport: tr}
	resp, err := c.Get(strings.TrimRight(base, "/") + "/api/health")
	if err != nil {
		fmt.Fprintln(stderr, "humd health:", err)
		return 1
	}
	defer resp.Body.Close()
	var h struct{ Status, Version string }
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<16)).Decode(&h); err != nil || resp.StatusCode != http.StatusOK || h.Status != "ok" {
		fmt.Fprintf(stderr, "humd health: %s answered %d %q\n", base, resp.StatusCode, h.Status)
		return 1
	}
	fmt.Fprintf(stdout, "ok (humd %s)\n", h.Version)
	return 0
}
