package voiceapi

import (
	"bufio"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/humd/humd/actors/call/live"
	"github.com/humd/humd/actors/service/voicesvc"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/calls"
	"github.com/humd/humd/transport/httpapi"
	"github.com/humd/humd/transport/wire"
)

// streamKeepAlive is how often an idle live stream writes a comment, which is
// also how a viewer that went away is noticed.
const streamKeepAlive = 15 * time.Second

// streamRetry is the reconnect delay the stream asks EventSource for.
const streamRetry = 3 * time.Second

type outboundRequest struct {
	FlowID             string          `json:"flow_id"`
	To                 string          `json:"to"`
	TaskContext        json.RawMessage `json:"task_context,omitempty"`
	FromNumberID       string          `json:"from_number_id,omitempty"`
	HonorBusinessHours *storage.Bool   `json:"honor_business_hours,omitempty"` // true/false/0/1 (SPEC 1.0)
	Confirm            bool            `json:"confirm,omitempty"`
}

func (outboundRequest) JSONSchemaExtend(s httpapi.Schema) {
	httpapi.SetProp(s, "task_context", httpapi.Nullable(httpapi.FreeForm("what the agent should know for this call (at most 8 KiB)")))
}

func (a *API) outboundRoutes() []*httpapi.Route {
	return []*httpapi.Route{
		{Method: "GET", Path: "/api/calls/{id}/stream", OpID: "streamCall",
			Summary: "Live call events (Server-Sent Events, numbered; Last-Event-ID resumes) until call.ended; 204 once the viewer saw call.ended",
			Tag:     "Calls", Auth: httpapi.ViewerUp, Stream: true,
			Responses: map[int]reflect.Type{200: httpapi.Type[httpapi.EventStream](), 204: nil}, Handle: a.streamCall},
		{Method: "POST", Path: "/api/outbound/calls", OpID: "createOutboundCall", Summary: "Place an outbound AI call", Tag: "Outbound", Auth: httpapi.OperatorUp,
			Idempotent: true, Fails: []int{402}, Request: httpapi.Type[outboundRequest](), Responses: httpapi.Answer[OutboundStarted](202), Handle: a.createOutboundCall},
		{Method: "GET", Path: "/api/outbound/calls", OpID: "listOutboundCalls", Summary: "Outbound calls, newest first (the /api/calls filters apply)",
			Tag: "Outbound", Auth: httpapi.ViewerUp, Responses: httpapi.Answer[httpapi.Page[*calls.Call]](200), Handle: a.listOutboundCalls},
		{Method: "GET", Path: "/api/outbound/calls/{id}", OpID: "getOutboundCall", Summary: "An outbound call with its transcript and outcome",
			Tag: "Outbound", Auth: httpapi.ViewerUp, Responses: httpapi.Answer[CallDetail](200), Handle: a.getOutboundCall},
	}
}

func (a *API) listOutboundCalls(c *httpapi.Call) error {
	q, err := callsQuery(c)
	if err != nil {
		return err
	}
	items, next, err := a.d.Svc.ListOutboundCalls(c.Ctx, c.Principal, q)
	if err != nil {
		return err
	}
	return httpapi.List(c, items, next)
}

func (a *API) getOutboundCall(c *httpapi.Call) error {
	d, err := a.d.Svc.GetOutboundCall(c.Ctx, c.Principal, c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(200, d)
}

// streamCall follows a call as Server-Sent Events. The stream opens at once
// (retry: first, flushed with the headers); every event has an id:, and a
// reconnect with Last-Event-ID resumes after it from the hub's kept events.
// A call that has ended sends what the viewer has not seen, call.ended last,
// and closes; a reconnect after call.ended gets 204, which tells EventSource
// to stop reconnecting.
func (a *API) streamCall(c *httpapi.Call) error {
	lastID, resume := lastEventID(c)
	st, err := a.d.Svc.StreamCall(c.Ctx, c.Principal, c.Param("id"), lastID, resume)
	if err != nil {
		return err
	}
	if st.Over {
		return c.NoContent()
	}
	c.Ctx.Response.Header.Set("Cache-Control", "no-cache")
	c.StreamEvents(func(w *bufio.Writer) {
		defer st.Close()
		// Headers and a first line go out now, so the viewer sees the
		// stream open before the first event.
		if _, err := fmt.Fprintf(w, "retry: %d\n\n", streamRetry.Milliseconds()); err != nil || w.Flush() != nil {
			return
		}
		if st.First != nil && writeSSE(w, *st.First) != nil {
			return
		}
		tick := time.NewTicker(streamKeepAlive)
		defer tick.Stop()
		for {
			select {
			case ev, ok := <-st.Sub.C:
				// The channel closes after call.ended, or when the hub
				// dropped a viewer too slow to keep up (it reconnects and
				// resumes).
				if !ok || writeSSE(w, ev) != nil {
					return
				}
			case <-tick.C:
				if _, err := w.WriteString(": keep-alive\n\n"); err != nil || w.Flush() != nil {
					return
				}
			}
		}
	})
	return nil
}

// lastEventID reads Last-Event-ID: resume is whether one was sent; an id
// humd did not give resumes from everything kept.
func lastEventID(c *httpapi.Call) (id uint64, resume bool) {
	raw := strings.TrimSpace(string(c.Ctx.Request.Header.Peek("Last-Event-ID")))
	if raw == "" {
		return 0, false
	}
	id, _ = strconv.ParseUint(raw, 10, 64)
	return id, true
}

func writeSSE(w *bufio.Writer, ev live.Event) error {
	raw, _ := json.Marshal(ev)
	if _, err := fmt.Fprintf(w, "id: %d\nevent: %s\ndata: %s\n\n", ev.ID, ev.Type, raw); err != nil {
		return err
	}
	return w.Flush()
}

// createOutboundCall decodes the request; the service validates it and
// stores the call through its actor, and the answer is 202 at once: the call
// is placed off the request (SPEC 1.7).
func (a *API) createOutboundCall(c *httpapi.Call) error {
	var req outboundRequest
	if err := wire.DecodeStrict(c.Body(), &req); err != nil {
		return err
	}
	in := voicesvc.OutboundCallInput{FlowID: req.FlowID, To: req.To, TaskContext: req.TaskContext, FromNumberID: req.FromNumberID}
	if req.HonorBusinessHours != nil {
		h := bool(*req.HonorBusinessHours)
		in.HonorBusinessHours = &h
	}
	res, err := a.d.Svc.CreateOutboundCall(c.Ctx, c.Principal, in)
	if err != nil {
		return err
	}
	return c.JSON(202, res)
}
