package console

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/humd/humd/actors/call/live"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/calls"
	"github.com/humd/humd/transport/httpapi"
)

// callLive follows a call for its page: the call's live events
// (service.StreamCall, the stream GET /api/calls/{id}/stream serves) as
// Server-Sent Events whose data is the page's own HTML for a transcript
// line or a tool call, which htmx appends (sse-swap). The call actor
// publishes a line before storing it, so the page shows what the event
// carries rather than reading the record again; call.ended, published once
// the end is stored, makes the page load the whole call.
func (a *API) callLive(c *httpapi.Call) error {
	secureHeaders(c)
	s, err := a.session(c)
	if errors.Is(err, errSignedOut) {
		return fmt.Errorf("console call stream: %w", storage.ErrUnauthorized)
	}
	if err != nil {
		return err
	}
	st, err := a.d.Svc.StreamCall(c.Ctx, s.P, c.Param("id"), 0, false)
	if err != nil {
		return err
	}
	if st.Over {
		return c.NoContent()
	}
	c.StreamEvents(func(w *bufio.Writer) {
		defer st.Close()
		if _, err := w.WriteString("retry: 3000\n\n"); err != nil || w.Flush() != nil {
			return
		}
		if st.First != nil && a.writeLive(w, *st.First) != nil {
			return
		}
		tick := time.NewTicker(keepAlive)
		defer tick.Stop()
		for {
			select {
			case ev, ok := <-st.Sub.C:
				if !ok || a.writeLive(w, ev) != nil {
					return
				}
			case <-a.done:
				return
			case <-tick.C:
				if _, err := w.WriteString(": keep-alive\n\n"); err != nil || w.Flush() != nil {
					return
				}
			}
		}
	})
	return nil
}

// writeLive writes one call event as the page's SSE event.
func (a *API) writeLive(w *bufio.Writer, ev live.Event) error {
	name, block := "", ""
	var data any
	switch ev.Type {
	case live.Final:
		var t calls.Turn
		if json.Unmarshal(ev.Data, &t) != nil {
			return nil
		}
		name, block, data = "turn", "turn", &t
	case live.ToolFinished:
		var t calls.ToolActivity
		if json.Unmarshal(ev.Data, &t) != nil {
			return nil
		}
		name, block, data = "tool", "tool", &t
	case live.Ended:
		name = "ended"
	default:
		return nil
	}
	html := ""
	if block != "" {
		var buf bytes.Buffer
		if err := pages["call"].ExecuteTemplate(&buf, block, data); err != nil {
			return err
		}
		html = buf.String()
	}
	if _, err := fmt.Fprintf(w, "event: %s\n", name); err != nil {
		return err
	}
	for _, line := range strings.Split(html, "\n") {
		if _, err := fmt.Fprintf(w, "data: %s\n", line); err != nil {
			return err
		}
	}
	if _, err := w.WriteString("\n"); err != nil {
		return err
	}
	return w.Flush()
}
