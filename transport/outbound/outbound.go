package outbound

import (
	"time"

	"github.com/valyala/fasthttp"

	"github.com/humd/humd/actors/egress"
)

// Poster answers an egress.Poster over c (a shared client: fasthttp pools
// connections per host).
func Poster(c *fasthttp.Client) egress.Poster {
	if c == nil {
		c = &fasthttp.Client{NoDefaultUserAgentHeader: true}
	}
	return func(r *egress.Request) *egress.Response { return post(c, r) }
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
