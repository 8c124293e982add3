package outbound

import (
	"time"

	"github.com/valyala/fasthttp"
)

// Request is one POST.
type Request struct {
	URL         string
	UserAgent   string
	Headers     [][2]string // in order; later ones win over earlier ones of the same name
	Body        []byte
	Timeout     time.Duration
	MaxResponse int // bytes of the answer to keep (default 2048)
}

// Response is what came back.
type Response struct {
	Status     int
	Body       []byte
	RetryAfter time.Duration // from a Retry-After header in seconds
	Elapsed    time.Duration
	Err        error
}

// Post sends r with c (a shared client: fasthttp pools connections per host).
func Post(c *fasthttp.Client, r *Request) *Response {
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
	out := &Response{Elapsed: time.Since(start), Err: err}
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
	if secs, err := fasthttpAtoi(resp.Header.Peek("Retry-After")); err == nil && secs > 0 {
		out.RetryAfter = time.Duration(secs) * time.Second
	}
	return out
}

func fasthttpAtoi(b []byte) (int, error) { return fasthttp.ParseUint(b) }
