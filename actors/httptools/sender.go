package httptools

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"

	"github.com/humd/humd/storage/webhooks"
)

// Request is one HTTP tool request.
type Request struct {
	Method  string
	URL     string
	Headers [][2]string // in order; later ones win over earlier ones of the same name
	Body    []byte
}

// Response is what came back: the status and the start of the body.
type Response struct {
	Status int
	Body   []byte
}

// Sender sends one request and blocks until the answer, ctx's end, or a
// failure. It does not follow redirects.
type Sender func(ctx context.Context, r *Request) (*Response, error)

// MaxResponse is how much of an answer is read.
const MaxResponse = 64 << 10

// ErrBlockedAddress refuses a connection to a private, loopback or
// link-local address when the policy does not allow them.
var ErrBlockedAddress = errors.New("httptools: address not allowed")

// NewSender answers the default Sender on net/http. Connections are checked
// against policy when they are dialled.
func NewSender(policy webhooks.Policy) Sender {
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	if !policy.AllowPrivate {
		dialer.Control = func(_, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil || blocked(ap.Addr()) {
				return fmt.Errorf("%w: %s", ErrBlockedAddress, address)
			}
			return nil
		}
	}
	client := &http.Client{
		Transport: &http.Transport{DialContext: dialer.DialContext, TLSHandshakeTimeout: 5 * time.Second,
			MaxIdleConns: 64, MaxIdleConnsPerHost: 4, IdleConnTimeout: 90 * time.Second, ForceAttemptHTTP2: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return func(ctx context.Context, r *Request) (*Response, error) {
		var body io.Reader
		if len(r.Body) > 0 {
			body = bytes.NewReader(r.Body)
		}
		req, err := http.NewRequestWithContext(ctx, r.Method, r.URL, body)
		if err != nil {
			return nil, err
		}
		for _, h := range r.Headers {
			req.Header.Set(h[0], h[1])
		}
		resp, err := client.Do(req)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		raw, err := io.ReadAll(io.LimitReader(resp.Body, MaxResponse))
		if err != nil {
			return nil, fmt.Errorf("read the answer: %w", err)
		}
		return &Response{Status: resp.StatusCode, Body: raw}, nil
	}
}

func blocked(a netip.Addr) bool {
	a = a.Unmap()
	return a.IsLoopback() || a.IsPrivate() || a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() || a.IsUnspecified() ||
		a.IsMulticast() || a.IsInterfaceLocalMulticast()
}
