package actortest

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/humd/humd/actors/egress"
)

// Poster is an egress.Poster over net/http for tests whose receivers are
// loopback servers (httptest). It sends what the real poster sends
// (POST, JSON content type, the request's User-Agent and headers, later
// headers winning) and reads the answer the same way (the first
// MaxResponse bytes, Retry-After in seconds), without the SSRF policy,
// which has its own tests.
func Poster(c *http.Client) egress.Poster {
	if c == nil {
		c = &http.Client{}
	}
	return func(r *egress.Request) *egress.Response {
		req, err := http.NewRequest(http.MethodPost, r.URL, bytes.NewReader(r.Body))
		if err != nil {
			return &egress.Response{Err: err}
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("User-Agent", r.UserAgent)
		for _, h := range r.Headers {
			req.Header.Set(h[0], h[1])
		}
		timeout := r.Timeout
		if timeout <= 0 {
			timeout = 10 * time.Second
		}
		cc := *c
		cc.Timeout = timeout
		start := time.Now()
		resp, err := cc.Do(req)
		if err != nil {
			return &egress.Response{Elapsed: time.Since(start), Err: err}
		}
		defer resp.Body.Close()
		limit := r.MaxResponse
		if limit <= 0 {
			limit = 2048
		}
		body, _ := io.ReadAll(io.LimitReader(resp.Body, int64(limit)))
		out := &egress.Response{Status: resp.StatusCode, Body: body, Elapsed: time.Since(start)}
		if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s > 0 {
			out.RetryAfter = time.Duration(s) * time.Second
		}
		return out
	}
}
