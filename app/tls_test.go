package app_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/humd/humd/app"
	"github.com/humd/humd/app/apptest"
	"github.com/humd/humd/transport/relay"
)

// writeSelfSigned writes a fresh self-signed certificate for 127.0.0.1,
// named cn, to dir/cert.pem and dir/key.pem (replacing them by rename, as
// certbot and cert-manager do) and answers it.
func writeSelfSigned(t *testing.T, dir, cn string) *x509.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	for name, block := range map[string]*pem.Block{"cert.pem": {Type: "CERTIFICATE", Bytes: der},
		"key.pem": {Type: "EC PRIVATE KEY", Bytes: kder}} {
		tmp := filepath.Join(dir, name+".new")
		if err := os.WriteFile(tmp, pem.EncodeToMemory(block), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// httpsClient trusts only cert and speaks to humd over new connections.
func httpsClient(cert *x509.Certificate) *http.Client {
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true, ForceAttemptHTTP2: true,
		TLSClientConfig: &tls.Config{RootCAs: pool}}}
}

func servedCN(t *testing.T, addr string) string {
	t.Helper()
	c, err := tls.Dial("tcp", addr, &tls.Config{InsecureSkipVerify: true, NextProtos: []string{"h2", "http/1.1"}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	st := c.ConnectionState()
	if st.NegotiatedProtocol == "h2" {
		t.Fatal("humd offered h2; fasthttp speaks HTTP/1.1 only")
	}
	return st.PeerCertificates[0].Subject.CommonName
}

func TestTLSFromFilesServesAndReloads(t *testing.T) {
	dir := t.TempDir()
	first := writeSelfSigned(t, dir, "humd-first")
	s := apptest.Start(t, apptest.Options{Config: app.Config{TLSCert: filepath.Join(dir, "cert.pem"), TLSKey: filepath.Join(dir, "key.pem")}})
	base := "https://" + s.App.Addr()

	resp, err := httpsClient(first).Get(base + "/api/health")
	if err != nil {
		t.Fatalf("https health: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"ok"`) || resp.Proto != "HTTP/1.1" {
		t.Fatalf("health over https = %d %s %s", resp.StatusCode, resp.Proto, body)
	}
	// Plain http on the TLS port gets no answer a client could take for one.
	if r, err := http.Get("http://" + s.App.Addr() + "/api/health"); err == nil {
		r.Body.Close()
		if r.StatusCode == 200 {
			t.Fatal("plain http answered 200 on the TLS port")
		}
	}

	second := writeSelfSigned(t, dir, "humd-second")
	// The files are looked at every few seconds, not on every handshake.
	if cn := servedCN(t, s.App.Addr()); cn != "humd-first" {
		t.Fatalf("before the next look: served %s", cn)
	}
	s.Clock.Advance(5 * time.Second)
	if cn := servedCN(t, s.App.Addr()); cn != "humd-second" {
		t.Fatalf("after replacing the files: served %s, want humd-second", cn)
	}
	resp, err = httpsClient(second).Get(base + "/api/health")
	if err != nil {
		t.Fatalf("https health with the new certificate: %v", err)
	}
	resp.Body.Close()

	// A half-written renewal (a key that does not match) keeps the current one.
	if err := os.WriteFile(filepath.Join(dir, "key.pem"), []byte("not a key"), 0o600); err != nil {
		t.Fatal(err)
	}
	s.Clock.Advance(5 * time.Second)
	if cn := servedCN(t, s.App.Addr()); cn != "humd-second" {
		t.Fatalf("after a broken key: served %s", cn)
	}
}

func TestTLSDefaultsPublicURLToHTTPS(t *testing.T) {
	dir := t.TempDir()
	writeSelfSigned(t, dir, "humd")
	for _, tc := range []struct {
		cfg        app.Config
		public, ws string
	}{
		{app.Config{Addr: "0.0.0.0:8443", TLSCert: filepath.Join(dir, "cert.pem"), TLSKey: filepath.Join(dir, "key.pem")},
			"https://0.0.0.0:8443", "wss://0.0.0.0:8443/twilio/relay"},
		{app.Config{Addr: ":443", TLSACMEDomains: "humd.example.com,voice.example.com"},
			"https://humd.example.com", "wss://humd.example.com/twilio/relay"},
		{app.Config{Addr: ":8443", TLSACMEDomains: "humd.example.com"}, "https://humd.example.com:8443", "wss://humd.example.com:8443/twilio/relay"},
		{app.Config{Addr: "127.0.0.1:8080"}, "http://127.0.0.1:8080", "ws://127.0.0.1:8080/twilio/relay"},
	} {
		c := tc.cfg
		c.Defaults()
		if err := c.Validate(); err != nil {
			t.Fatalf("%+v: %v", tc.cfg, err)
		}
		if c.PublicURL != tc.public || relay.WSURL(c.PublicURL) != tc.ws {
			t.Errorf("public URL %s, relay %s; want %s, %s", c.PublicURL, relay.WSURL(c.PublicURL), tc.public, tc.ws)
		}
	}
}

func TestTLSConfigRefused(t *testing.T) {
	dir := t.TempDir()
	writeSelfSigned(t, dir, "humd")
	cert, key := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	for _, tc := range []struct {
		cfg  app.Config
		want string
	}{
		{app.Config{TLSCert: cert}, "set together"},
		{app.Config{TLSCert: key, TLSKey: cert}, "HUMD_TLS_CERT, HUMD_TLS_KEY"},
		{app.Config{TLSCert: cert, TLSKey: key, TLSACMEDomains: "humd.example.com"}, "exclude each other"},
		{app.Config{TLSACMEDomains: "*.example.com"}, "DNS names"},
		{app.Config{TLSACMEDomains: " , "}, "names no domain"},
		{app.Config{TLSACMEDomains: "humd.example.com", ACMEHTTPAddr: "80"}, "HUMD_ACME_HTTP_ADDR"},
	} {
		c := tc.cfg
		c.Defaults()
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: err %v, want %q", tc.cfg, err, tc.want)
		}
	}
}
