package app

import (
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/valyala/fasthttp"
	"github.com/valyala/fasthttp/fasthttpadaptor"
	"golang.org/x/crypto/acme"
	"golang.org/x/crypto/acme/autocert"
)

// certCheckEvery bounds how often a handshake looks at the certificate
// files: renewals (certbot, cert-manager) are rare, handshakes are not.
const certCheckEvery = 5 * time.Second

// TLS reports whether humd serves https itself.
func (c *Config) TLS() bool { return c.TLSCert != "" || c.TLSKey != "" || c.TLSACMEDomains != "" }

func (c *Config) acmeDomains() []string {
	var out []string
	for _, d := range strings.Split(c.TLSACMEDomains, ",") {
		if d = strings.ToLower(strings.TrimSpace(d)); d != "" {
			out = append(out, d)
		}
	}
	return out
}

// defaultPublicURL is where Twilio reaches humd when HUMD_PUBLIC_URL does
// not say: https on the first ACME name (with Addr's port unless 443), https
// on Addr with certificate files, else http on Addr. The relay URL follows
// (ws or wss, transport/relay.WSURL).
func (c *Config) defaultPublicURL() string {
	if ds := c.acmeDomains(); len(ds) > 0 {
		host := ds[0]
		if _, port, err := net.SplitHostPort(c.Addr); err == nil && port != "443" {
			host = net.JoinHostPort(host, port)
		}
		return "https://" + host
	}
	if c.TLS() {
		return "https://" + c.Addr
	}
	return "http://" + c.Addr
}

func (c *Config) validateTLS() []error {
	var errs []error
	if (c.TLSCert == "") != (c.TLSKey == "") {
		errs = append(errs, errors.New("HUMD_TLS_CERT and HUMD_TLS_KEY must be set together"))
	} else if c.TLSCert != "" {
		if _, err := tls.LoadX509KeyPair(c.TLSCert, c.TLSKey); err != nil {
			errs = append(errs, fmt.Errorf("HUMD_TLS_CERT, HUMD_TLS_KEY: %w", err))
		}
	}
	if c.TLSACMEDomains == "" {
		return errs
	}
	if c.TLSCert != "" {
		errs = append(errs, errors.New("HUMD_TLS_ACME_DOMAINS and HUMD_TLS_CERT exclude each other"))
	}
	ds := c.acmeDomains()
	if len(ds) == 0 {
		errs = append(errs, errors.New("HUMD_TLS_ACME_DOMAINS names no domain"))
	}
	for _, d := range ds {
		// autocert issues for plain DNS names only: no wildcards, ports or IPs.
		if !strings.Contains(d, ".") || strings.ContainsAny(d, "*:/ ") || net.ParseIP(d) != nil {
			errs = append(errs, fmt.Errorf("HUMD_TLS_ACME_DOMAINS %q: must be DNS names like humd.example.com", d))
		}
	}
	if _, _, err := net.SplitHostPort(c.ACMEHTTPAddr); err != nil {
		errs = append(errs, fmt.Errorf("HUMD_ACME_HTTP_ADDR %q: %w", c.ACMEHTTPAddr, err))
	}
	return errs
}

// serveTLS wraps ln in TLS when the configuration asks for it: from the
// certificate files, or from Let's Encrypt with its http-01 challenge
// answered on ACMEHTTPAddr. fasthttp speaks HTTP/1.1 only, so ALPN never
// offers h2.
func (a *App) serveTLS(ln net.Listener) (net.Listener, error) {
	c := &a.cfg
	switch {
	case c.TLSCert != "":
		f := &certFiles{cert: c.TLSCert, key: c.TLSKey, now: a.Clock.Now, log: a.log}
		if err := f.load(); err != nil {
			return nil, err
		}
		return tls.NewListener(ln, &tls.Config{GetCertificate: f.get, NextProtos: []string{"http/1.1"},
			MinVersion: tls.VersionTLS12}), nil
	case c.TLSACMEDomains != "":
		m := &autocert.Manager{Prompt: autocert.AcceptTOS, HostPolicy: autocert.HostWhitelist(c.acmeDomains()...),
			Cache: autocert.DirCache(filepath.Join(c.DataDir, "acme"))}
		hln, err := net.Listen("tcp", c.ACMEHTTPAddr)
		if err != nil {
			return nil, fmt.Errorf("acme challenge listen %s: %w", c.ACMEHTTPAddr, err)
		}
		// Challenges are answered; every other plain-http GET is sent to https.
		a.acme = &acmeServer{m: m, ln: hln, srv: &fasthttp.Server{Handler: fasthttpadaptor.NewFastHTTPHandler(m.HTTPHandler(nil)),
			Name: "humd", ReadTimeout: 10 * time.Second, WriteTimeout: 10 * time.Second}}
		go func() { _ = a.acme.srv.Serve(hln) }()
		tc := m.TLSConfig()
		tc.NextProtos = []string{"http/1.1", acme.ALPNProto}
		tc.MinVersion = tls.VersionTLS12
		return tls.NewListener(ln, tc), nil
	}
	return ln, nil
}

// acmeServer is the autocert manager and its http-01 challenge server.
type acmeServer struct {
	m   *autocert.Manager
	ln  net.Listener
	srv *fasthttp.Server
}

// certFiles serves the certificate in two PEM files and loads them again
// when either changes (another inode, size or modification time), looking
// at most every certCheckEvery. A pair that does not load (a renewal half
// written) keeps the current certificate until the next look.
type certFiles struct {
	cert, key string
	now       func() time.Time
	log       *slog.Logger

	mu      sync.Mutex
	current *tls.Certificate
	stamps  [2]os.FileInfo
	checked time.Time
}

func (f *certFiles) load() error {
	var stamps [2]os.FileInfo
	for i, p := range []string{f.cert, f.key} {
		fi, err := os.Stat(p)
		if err != nil {
			return fmt.Errorf("tls: %w", err)
		}
		stamps[i] = fi
	}
	c, err := tls.LoadX509KeyPair(f.cert, f.key)
	if err != nil {
		return fmt.Errorf("tls: %w", err)
	}
	f.current, f.stamps, f.checked = &c, stamps, f.now()
	return nil
}

func (f *certFiles) changed() bool {
	for i, p := range []string{f.cert, f.key} {
		fi, err := os.Stat(p)
		if err != nil {
			return false
		}
		old := f.stamps[i]
		if !os.SameFile(old, fi) || !fi.ModTime().Equal(old.ModTime()) || fi.Size() != old.Size() {
			return true
		}
	}
	return false
}

func (f *certFiles) get(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if now := f.now(); now.Sub(f.checked) >= certCheckEvery {
		f.checked = now
		if f.changed() {
			if err := f.load(); err != nil {
				f.log.Warn("tls: keeping the current certificate", "err", err)
			} else {
				f.log.Info("tls: certificate reloaded", "file", f.cert, "not_after", f.current.Leaf.NotAfter)
			}
		}
	}
	return f.current, nil
}
