package bench

import (
	"errors"
	"fmt"
	"log/slog"
	"net"

	"github.com/valyala/fasthttp"

	"github.com/humd/humd/storage"
	"github.com/humd/humd/transport/twilio"
)

// Baseline is a minimal fasthttp server on loopback that answers an inbound
// webhook the way humd does (200 and empty TwiML) with none of humd's work:
// it parses the form, and with a store commits one batch with Sync per
// request (the MessageSid as key, the form as value).
type Baseline struct {
	// URL is where to send requests.
	URL   string
	srv   *fasthttp.Server
	ln    net.Listener
	store *storage.Pebble
	done  chan error
}

// StartBaseline starts the bare-HTTP baseline, or with dir != "" the
// durable-storage baseline with a Pebble store in dir.
func StartBaseline(dir string) (*Baseline, error) {
	b := &Baseline{done: make(chan error, 1)}
	if dir != "" {
		// Pebble's own WAL sync timing: spacing fsyncs as humd does makes this
		// baseline slower (one tiny batch per request), and it is the limit.
		st, err := storage.Open(dir, storage.Options{Logger: slog.New(slog.DiscardHandler), WALMinSyncInterval: -1})
		if err != nil {
			return nil, err
		}
		b.store = st
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		if b.store != nil {
			_ = b.store.Close()
		}
		return nil, err
	}
	twiml := []byte(twilio.EmptyMessagingResponse())
	b.ln, b.URL = ln, "http://"+ln.Addr().String()
	b.srv = &fasthttp.Server{Name: "baseline", Handler: func(ctx *fasthttp.RequestCtx) {
		sid := ctx.PostArgs().Peek("MessageSid")
		if len(sid) == 0 {
			ctx.Error("MessageSid required", fasthttp.StatusBadRequest)
			return
		}
		if b.store != nil {
			batch := b.store.NewBatch()
			batch.Set(storage.Key("sid", string(sid)), ctx.PostBody())
			if err := batch.Commit(storage.Sync); err != nil {
				ctx.Error(err.Error(), fasthttp.StatusInternalServerError)
				return
			}
		}
		ctx.SetContentType("text/xml")
		ctx.SetBody(twiml)
	}}
	go func() { b.done <- b.srv.Serve(ln) }()
	return b, nil
}

// Addr is the server's host:port.
func (b *Baseline) Addr() string { return b.ln.Addr().String() }

// Close stops the server and closes the store.
func (b *Baseline) Close() error {
	var errs []error
	errs = append(errs, b.srv.Shutdown())
	if err := <-b.done; err != nil {
		errs = append(errs, fmt.Errorf("baseline serve: %w", err))
	}
	if b.store != nil {
		errs = append(errs, b.store.Close())
	}
	return errors.Join(errs...)
}
