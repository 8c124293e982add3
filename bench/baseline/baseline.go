package baseline

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/sms"
	"github.com/humd/humd/transport/twilio"
)

// Kind is how much of humd's work a baseline does.
type Kind int

const (
	// BareHTTP parses the form and answers: the HTTP limit of the machine.
	BareHTTP Kind = iota
	// OneBatch also commits one batch with Sync per request (the MessageSid
	// as key, the form as value): the durable-storage limit.
	OneBatch
	// Records commits, in one batch with Sync per request, the records humd
	// writes for an inbound text (sms.PutInbound and a new thread's contact),
	// kept per sender as humd keeps its threads; no signature check, reads,
	// keywords, actors or AI. It says what humd's data costs on its own.
	Records
)

// Server is a minimal fasthttp server on loopback that answers an inbound
// webhook the way humd does (200 and empty TwiML) with none or only part of
// humd's work (Kind).
type Server struct {
	// URL is where to send requests.
	URL   string
	srv   *fasthttp.Server
	ln    net.Listener
	store *storage.Pebble
	done  chan error
}

// Start starts a baseline; the durable kinds keep a Pebble store in
// dir.
func Start(kind Kind, dir string) (*Server, error) {
	b := &Server{done: make(chan error, 1)}
	if kind != BareHTTP {
		// OneBatch keeps Pebble's own WAL sync timing: spacing fsyncs as humd
		// does makes it slower (one tiny batch per request), and it is the
		// limit. Records stores humd's data as humd's store is set up.
		o := storage.Options{Logger: slog.New(slog.DiscardHandler)}
		if kind == OneBatch {
			o.WALMinSyncInterval = -1
		}
		st, err := storage.Open(dir, o)
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
	recs := &records{st: b.store, org: storage.NewID("org"), numberID: storage.NewID("num")}
	b.srv = &fasthttp.Server{Name: "baseline", Handler: func(ctx *fasthttp.RequestCtx) {
		f := ctx.PostArgs()
		sid := f.Peek("MessageSid")
		if len(sid) == 0 {
			ctx.Error("MessageSid required", fasthttp.StatusBadRequest)
			return
		}
		var err error
		switch kind {
		case OneBatch:
			batch := b.store.NewBatch()
			batch.Set(storage.Key("sid", string(sid)), ctx.PostBody())
			err = batch.Commit(storage.Sync)
		case Records:
			err = recs.store(string(sid), string(f.Peek("From")), string(f.Peek("To")), string(f.Peek("Body")))
		}
		if err != nil {
			ctx.Error(err.Error(), fasthttp.StatusInternalServerError)
			return
		}
		ctx.SetContentType("text/xml")
		ctx.SetBody(twiml)
	}}
	go func() { b.done <- b.srv.Serve(ln) }()
	return b, nil
}

// Addr is the server's host:port.
func (b *Server) Addr() string { return b.ln.Addr().String() }

// Store is the store the durable kinds write (nil for BareHTTP), for a test
// that compares what a baseline wrote with what humd wrote.
func (b *Server) Store() *storage.Pebble { return b.store }

// Close stops the server and closes the store.
func (b *Server) Close() error {
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

// records is the Records baseline's writer: one thread per sender, changed
// under its lock until its batch is durable, as humd's thread actor does.
type records struct {
	st            *storage.Pebble
	org, numberID string
	threads       sync.Map // sender -> *recordsThread
}

type recordsThread struct {
	mu   sync.Mutex
	conv *sms.Conversation
}

func (r *records) store(sid, from, to, body string) error {
	v, _ := r.threads.LoadOrStore(from, &recordsThread{})
	t := v.(*recordsThread)
	t.mu.Lock()
	defer t.mu.Unlock()
	now := time.Now()
	b := r.st.NewBatch()
	defer b.Discard()
	var c *sms.Conversation
	if t.conv != nil {
		cc := *t.conv
		c = &cc
	} else {
		c = sms.NewConversation(r.org, r.numberID, to, from, now)
	}
	c.Received(body, now)
	if t.conv == nil {
		var err error
		if c.ContactID, err = sms.EnsureContactID(r.st, b, r.org, from, now); err != nil {
			return err
		}
	}
	m := sms.NewInbound(c, sid, from, to, body, now)
	m.NumSegments = 1
	if err := sms.PutInbound(r.st, b, &sms.InboundText{Old: t.conv, Conv: c, Msg: m}); err != nil {
		return err
	}
	if err := b.Commit(storage.Sync); err != nil {
		return err
	}
	t.conv = c
	return nil
}
