package outbound

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"

	"github.com/humd/humd/actors/httptools"
	"github.com/humd/humd/egresspolicy"
)

// HTTPToolSender answers the httptools.Sender of flows' HTTP tools, on
// net/http: no redirects followed, httptools.MaxResponse of the answer read.
// Every connection is dialled through the policy, which checks the addresses
// it connects to.
func HTTPToolSender(policy egresspolicy.Policy) httptools.Sender {
	client := &http.Client{
		Transport:     policy.HTTPTransport(),
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return func(ctx context.Context, r *httptools.Request) (*httptools.Response, error) {
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
		raw, err := io.ReadAll(io.LimitReader(resp.Body, httptools.MaxResponse))
		if err != nil {
			return nil, fmt.Errorf("read the answer: %w", err)
		}
		return &httptools.Response{Status: resp.StatusCode, Body: raw}, nil
	}
}
