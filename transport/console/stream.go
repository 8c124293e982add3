package console

import (
	"bufio"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/humd/humd/storage"
	"github.com/humd/humd/transport/httpapi"
)

// keepAlive is how often an idle stream writes a comment, which is also how
// a page that went away is noticed.
const keepAlive = 15 * time.Second

// topics maps an event type to the SSE events a page listens for: change
// for anything, and the part of the console it touches.
func topics(typ string) []string {
	out := []string{"change"}
	switch {
	case strings.HasPrefix(typ, "sms."), strings.HasPrefix(typ, "conversation."):
		out = append(out, "sms")
	case strings.HasPrefix(typ, "call."), strings.HasPrefix(typ, "voicemail."):
		out = append(out, "call")
	case strings.HasPrefix(typ, "approval."), strings.HasPrefix(typ, "mcp."):
		out = append(out, "approval")
	case strings.HasPrefix(typ, "campaign."):
		out = append(out, "campaign")
	}
	return out
}

// events is the page's one live stream: the org's event types as they
// commit, mapped to topics. Pages listen with hx-trigger="sse:<topic>" and
// fetch their part again through the same operations as on load, so the
// stream itself carries no records.
func (a *API) events(c *httpapi.Call) error {
	secureHeaders(c)
	s, err := a.session(c)
	if errors.Is(err, errSignedOut) {
		return fmt.Errorf("console stream: %w", storage.ErrUnauthorized)
	}
	if err != nil {
		return err
	}
	w, err := a.d.Svc.WatchEvents(c.Ctx, s.P)
	if err != nil {
		return err
	}
	c.StreamEvents(func(bw *bufio.Writer) {
		defer w.Close()
		if _, err := bw.WriteString("retry: 3000\n\n"); err != nil || bw.Flush() != nil {
			return
		}
		tick := time.NewTicker(keepAlive)
		defer tick.Stop()
		for {
			select {
			case <-w.C:
				var names []string
				for _, t := range w.Take() {
					for _, n := range topics(t) {
						if !slices.Contains(names, n) {
							names = append(names, n)
						}
					}
				}
				slices.Sort(names)
				for _, n := range names {
					if _, err := fmt.Fprintf(bw, "event: %s\ndata: %s\n\n", n, n); err != nil {
						return
					}
				}
				if bw.Flush() != nil {
					return
				}
			case <-a.done:
				return
			case <-tick.C:
				if _, err := bw.WriteString(": keep-alive\n\n"); err != nil || bw.Flush() != nil {
					return
				}
			}
		}
	})
	return nil
}
