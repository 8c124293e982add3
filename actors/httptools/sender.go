package httptools

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"

	"github.com/humd/humd/egresspolicy"
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

// NewSender answers the default Sender on net/http. Every connection is
// dialled through the policy, which checks the addresses it connects to.
func NewSender(policy egresspolicy.Policy) Sender {
	client := &http.Client{
		Transport:     policy.HTTPTransport(),
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
