package egress

import "time"

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

// Poster sends one request and blocks until the answer or the timeout.
type Poster func(r *Request) *Response
