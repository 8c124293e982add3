package twilio

import (
	"context"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strings"
	"sync/atomic"
)

// rewriteTransport sends every request to base (scheme and host, and base's
// path as a prefix), whatever Twilio host twilio-go aimed it at. twilio-go
// has no base-URL option; this is the seam LIBRARIES.md verified.
type rewriteTransport struct {
	base *url.URL
	next http.RoundTripper
}

func (t *rewriteTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	// A RoundTripper must not modify the caller's request.
	r := req.Clone(req.Context())
	r.URL.Scheme, r.URL.Host, r.Host = t.base.Scheme, t.base.Host, ""
	if p := strings.TrimRight(t.base.Path, "/"); p != "" {
		r.URL.Path = p + r.URL.Path
		if r.URL.RawPath != "" {
			r.URL.RawPath = strings.TrimRight(t.base.EscapedPath(), "/") + r.URL.RawPath
		}
	}
	return t.next.RoundTrip(r)
}

// exchange records how far one HTTP exchange got, for deciding whether a
// failed send may be retried. Trace hooks run on the transport's goroutines.
type exchange struct {
	wroteHeaders atomic.Bool
	statusCode   atomic.Int32
}

// maybeSent reports whether any of the request may have reached the wire.
// Headers are only buffered when WroteHeaders fires, so this errs on the side
// of "sent", which is the safe side.
func (e *exchange) maybeSent() bool { return e.wroteHeaders.Load() }

// status is the HTTP status of the last answer, 0 if none came.
func (e *exchange) status() int { return int(e.statusCode.Load()) }

// ctxTransport gives twilio-go's context-less requests the caller's ctx and a
// trace that fills ex.
type ctxTransport struct {
	ctx  context.Context
	ex   *exchange
	next http.RoundTripper
}

func (t *ctxTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	trace := &httptrace.ClientTrace{WroteHeaders: func() { t.ex.wroteHeaders.Store(true) }}
	resp, err := t.next.RoundTrip(req.WithContext(httptrace.WithClientTrace(t.ctx, trace)))
	if resp != nil {
		t.ex.statusCode.Store(int32(resp.StatusCode))
	}
	return resp, err
}
