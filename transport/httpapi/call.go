package httpapi

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/tenancy"
)

// AskTimeout bounds how long a handler waits for an actor's answer (a Sync
// commit, normally well under a millisecond).
const AskTimeout = 10 * time.Second

// Call is one request as a handler sees it. It lives only as long as the
// fasthttp handler; anything kept longer must be copied out (Body, Param do).
type Call struct {
	Ctx       *fasthttp.RequestCtx
	Route     *Route
	Principal *tenancy.Principal
	RequestID string
	server    *Server
	// logAttrs are the ids a handler learned (LogWith), for the request's
	// access line.
	logAttrs []any
}

// LogWith adds key-value pairs to the request's access line: the ids a
// handler learns on the way, such as the org and conversation an inbound
// text went to, so the line can be found with the actor's lines about it.
// An "org" given here names the org of a request without a key
// (Twilio's webhooks); a key's org wins.
func (c *Call) LogWith(args ...any) { c.logAttrs = append(c.logAttrs, args...) }

// Param returns a copy of a path parameter.
func (c *Call) Param(name string) string {
	v := c.Ctx.UserValue(name)
	if s, ok := v.(string); ok {
		return strings.Clone(s)
	}
	return ""
}

// Query returns a copy of a query parameter.
func (c *Call) Query(name string) string { return string(c.Ctx.QueryArgs().Peek(name)) }

// Body returns a copy of the request body.
func (c *Call) Body() []byte { return bytes.Clone(c.Ctx.PostBody()) }

// Form returns a copy of a posted form field (Twilio's webhooks).
func (c *Call) Form(name string) string { return string(c.Ctx.PostArgs().Peek(name)) }

// Skips counts the records a scan went past because they do not decode.
func (c *Call) Skips() *storage.Skips { return c.server.cfg.Skips }

// Logger is the edge's (redacting) logger, with the request's id.
func (c *Call) Logger() *slog.Logger { return c.server.cfg.Logger.With("request_id", c.RequestID) }

// Page reads ?limit= and ?cursor= (D-10).
func (c *Call) Page() (storage.PageRequest, error) {
	p := storage.PageRequest{Cursor: c.Query("cursor"), Skips: c.Skips()}
	if l := c.Query("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 {
			return p, storage.Invalid("limit", "must be an integer from 1 to 200")
		}
		p.Limit = storage.ClampLimit(n)
	}
	return p, nil
}

// JSON writes v with status. v must be of the type the route declares for
// status (pointers aside), which is what the document says it answers.
func (c *Call) JSON(status int, v any) error {
	if want := c.Route.Responses[status]; want != nil {
		if got := reflect.TypeOf(v); deref(got) != deref(want) {
			err := fmt.Errorf("httpapi: %s %s answers %d with %v; the route declares %v", c.Route.Method, c.Route.Path, status, got, want)
			if c.server.cfg.CheckTypes {
				return err
			}
			c.server.cfg.Logger.Error("answer drifted from the document", "err", err)
		}
	}
	return c.write(status, v)
}

func deref(t reflect.Type) reflect.Type {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

func (c *Call) write(status int, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("httpapi: encode %T: %w", v, err)
	}
	c.Ctx.SetStatusCode(status)
	c.Ctx.SetContentType("application/json")
	c.Ctx.SetBody(raw)
	return nil
}

// Text writes a non-JSON answer; its type names the content type.
func Text[T interface {
	~string
	ContentTyper
}](c *Call, status int, body T) error {
	c.Ctx.SetStatusCode(status)
	c.Ctx.SetContentType(body.ContentType())
	c.Ctx.SetBodyString(string(body))
	return nil
}

// NoContent answers 204.
func (c *Call) NoContent() error {
	c.Ctx.SetStatusCode(http.StatusNoContent)
	c.Ctx.Response.ResetBody()
	return nil
}

// Page is the D-10 list shape: a page of items and the cursor of the next,
// null on the last.
type Page[T any] struct {
	Data       []T     `json:"data"`
	NextCursor *string `json:"next_cursor"`
}

// List writes a page of items (D-10) as Page[T].
func List[T any](c *Call, items []T, next string) error {
	if items == nil {
		items = []T{}
	}
	p := &Page[T]{Data: items}
	if next != "" {
		p.NextCursor = &next
	}
	return c.JSON(http.StatusOK, p)
}

// Items is an answer of every match at once, without a cursor.
type Items[T any] struct {
	Data []T `json:"data"`
}

// StreamEvents answers 200 text/event-stream and hands write the body
// writer. A proxy that buffers (nginx) would hold the stream back, and the
// server's WriteTimeout would cut a long call's or an open page's stream.
func (c *Call) StreamEvents(write func(w *bufio.Writer)) {
	c.Ctx.SetStatusCode(200)
	c.Ctx.SetContentType(EventStream("").ContentType())
	c.Ctx.Response.Header.Set("X-Accel-Buffering", "no")
	_ = c.Ctx.SetWriteDeadline(time.Now().Add(24 * time.Hour))
	c.Ctx.SetBodyStreamWriter(write)
}
