package httptools

import (
	"context"
	"errors"
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
// failure. It does not follow redirects and reads at most MaxResponse of the
// answer. transport/outbound implements it (HTTPToolSender); the service
// calls it from worker goroutines only, so actors make no HTTP themselves.
type Sender func(ctx context.Context, r *Request) (*Response, error)

// MaxResponse is how much of an answer is read.
const MaxResponse = 64 << 10

// errNoSender answers every request of a Service built without a Sender.
var errNoSender = errors.New("httptools: no sender wired")

func noSender(context.Context, *Request) (*Response, error) { return nil, errNoSender }
