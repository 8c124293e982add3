package outbound

import (
	"context"
	"errors"
	"io"
	"net"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/humd/humd/actors/egress"
	"github.com/humd/humd/egresspolicy"
)

// Poster answers an egress.Poster that obeys p: a target's form is checked
// before each request and every address when it is dialled. It holds one
// client for all callers (fasthttp pools connections per host).
func Poster(p egresspolicy.Policy) egress.Poster {
	c := NewClient(p)
	return func(r *egress.Request) *egress.Response {
		if err := p.CheckTarget(r.URL); err != nil {
			return &egress.Response{Err: err}
		}
		return post(c, r)
	}
}

// NewClient answers a fasthttp client whose connections obey p. Idle
// connections are dropped after egresspolicy.IdleTimeout, before common
// servers drop them; a request whose connection closed before any answer
// byte (a server closing it as humd reused it) is sent once more at once.
func NewClient(p egresspolicy.Policy) *fasthttp.Client {
	return &fasthttp.Client{
		NoDefaultUserAgentHeader: true,
		DialTimeout: func(addr string, timeout time.Duration) (net.Conn, error) {
			if timeout <= 0 || timeout > egresspolicy.DialTimeout {
				timeout = egresspolicy.DialTimeout
			}
			ctx, cancel := context.WithTimeout(context.Background(), timeout)
			defer cancel()
			return p.DialContext(ctx, "tcp", addr)
		},
		MaxIdleConnDuration:       egresspolicy.IdleTimeout,
		MaxIdemponentCallAttempts: 2,
		RetryIfErr: func(_ *fasthttp.Request, attempts int, err error) (bool, bool) {
			return false, attempts == 1 && closedEarly(err)
		},
	}
}

// closedEarly reports whether a request failed before the server sent any
// of an answer: fasthttp answers io.EOF when not one byte came, and a
// failed write means the request never fully reached the server. That is
// what a server closing an idle connection as it is reused looks like. A
// timeout is not this: the server may still be working on it.
func closedEarly(err error) bool {
	if errors.Is(err, io.EOF) || errors.Is(err, fasthttp.ErrConnectionClosed) {
		return true
	}
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "write"
}

func post(c *fasthttp.Client, r *egress.Request) *egress.Response {
	req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(resp)
	req.SetRequestURI(r.URL)
	req.Header.SetMethod("POST")
	req.Header.SetContentType("application/json")
	req.Header.SetUserAgent(r.UserAgent)
	for _, h := range r.Headers {
		req.Header.Set(h[0], h[1])
	}
	req.SetBody(r.Body)
	start := time.Now()
	err := c.DoTimeout(req, resp, r.Timeout)
	out := &egress.Response{Elapsed: time.Since(start), Err: err}
	if err != nil {
		return out
	}
	max := r.MaxResponse
	if max <= 0 {
		max = 2048
	}
	body := resp.Body()
	if len(body) > max {
		body = body[:max]
	}
	out.Status, out.Body = resp.StatusCode(), append([]byte(nil), body...)
	if secs, err := fasthttp.ParseUint(resp.Header.Peek("Retry-After")); err == nil && secs > 0 {
		out.RetryAfter = time.Duration(secs) * time.Second
	}
	return out
}
