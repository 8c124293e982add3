package voiceapi

import (
	"bufio"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/humd/humd/actors/call"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/calls"
	"github.com/humd/humd/storage/flows"
	"github.com/humd/humd/storage/phone"
	"github.com/humd/humd/transport/httpapi"
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
			Idempotent: true, Request: httpapi.Type[outboundRequest](), Responses: httpapi.Answer[OutboundStarted](202), Handle: a.createOutboundCall},
		{Method: "GET", Path: "/api/outbound/calls", OpID: "listOutboundCalls", Summary: "Outbound calls, newest first (the /api/calls filters apply)",
			Tag: "Outbound", Auth: httpapi.ViewerUp, Responses: httpapi.Answer[httpapi.Page[*calls.Call]](200), Handle: a.listOutboundCalls},
		{Method: "GET", Path: "/api/outbound/calls/{id}", OpID: "getOutboundCall", Summary: "An outbound call with its transcript and outcome",
			Tag: "Outbound", Auth: httpapi.ViewerUp, Responses: httpapi.Answer[CallDetail](200), Handle: a.getOutboundCall},
	}
}

func (a *API) listOutboundCalls(c *httpapi.Call) error { return a.listCallsOf(c, calls.Outbound) }

func (a *API) getOutboundCall(c *httpapi.Call) error {
	cl, err := calls.Get(a.d.Store, c.Principal.OrgID, c.Param("id"))
	if err != nil {
		return err
	}
	if cl.Direction != calls.Outbound {
		return fmt.Errorf("call %s is not outbound: %w", cl.ID, storage.ErrNotFound)
	}
	return a.callDetail(c, cl)
}

// streamCall follows a call as Server-Sent Events. The stream opens at once
// (retry: first, flushed with the headers); every event has an id:, and a
// reconnect with Last-Event-ID resumes after it from the hub's kept events.
// A call that has ended sends what the viewer has not seen, call.ended last,
// and closes; a reconnect after call.ended gets 204, which tells EventSource
// to stop reconnecting.
func (a *API) streamCall(c *httpapi.Call) error {
	id := c.Param("id")
	hub := a.d.Calls.Hub()
	lastID, resume := lastEventID(c)
	// Subscribed before the record is read, so an event between the two is
	// not missed.
	sub := hub.Subscribe(id, lastID, resume)
	cl, err := calls.Get(a.d.Store, c.Principal.OrgID, id)
	if err != nil {
		hub.Unsubscribe(sub)
		return err
	}
	ended := cl.Ended() && cl.EndedAt != nil
	if ended {
		// The actor publishes call.ended right after storing the end; when
		// the hub has not seen it (humd restarted, or the call is long over
		// and forgotten), this one stands in, and the hub drops the second.
		raw, _ := json.Marshal(map[string]any{"status": cl.Status, "reason": cl.EndReason, "duration_s": cl.DurationS})
		hub.Publish(id, call.LiveEvent{Type: call.LiveEnded, At: *cl.EndedAt, Data: raw})
	}
	var first *call.LiveEvent
	select {
	case ev, ok := <-sub.C:
		if !ok && ended {
			hub.Unsubscribe(sub)
			return c.NoContent()
		}
		if ok {
			first = &ev
		}
	default:
	}
	c.Ctx.SetStatusCode(200)
	c.Ctx.SetContentType(httpapi.EventStream("").ContentType())
	c.Ctx.Response.Header.Set("Cache-Control", "no-cache")
	// A proxy that buffers (nginx) would hold the stream back.
	c.Ctx.Response.Header.Set("X-Accel-Buffering", "no")
	// The server's WriteTimeout would cut a long call's stream.
	_ = c.Ctx.SetWriteDeadline(time.Now().Add(24 * time.Hour))
	c.Ctx.SetBodyStreamWriter(func(w *bufio.Writer) {
		defer hub.Unsubscribe(sub)
		// Headers and a first line go out now, so the viewer sees the
		// stream open before the first event.
		if _, err := fmt.Fprintf(w, "retry: %d\n\n", streamRetry.Milliseconds()); err != nil || w.Flush() != nil {
			return
		}
		if first != nil && writeSSE(w, *first) != nil {
			return
		}
		tick := time.NewTicker(streamKeepAlive)
		defer tick.Stop()
		for {
			select {
			case ev, ok := <-sub.C:
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

func writeSSE(w *bufio.Writer, ev call.LiveEvent) error {
	raw, _ := json.Marshal(ev)
	if _, err := fmt.Fprintf(w, "id: %d\nevent: %s\ndata: %s\n\n", ev.ID, ev.Type, raw); err != nil {
		return err
	}
	return w.Flush()
}

// createOutboundCall validates, stores the call through its actor and
// answers 202 at once; the call is placed off the request (SPEC 1.7).
func (a *API) createOutboundCall(c *httpapi.Call) error {
	var req outboundRequest
	if err := storage.DecodeStrict(c.Body(), &req); err != nil {
		return err
	}
	org := c.Principal.OrgID
	v := &storage.ValidationError{}
	phone.Check(v, "to", req.To)
	var f *flows.Flow
	if req.FlowID == "" {
		v.Add("flow_id", "required")
	} else if fl, err := a.d.Flows.Get(org, req.FlowID); err != nil || fl.Channel != "voice" {
		v.Add("flow_id", "must be a voice flow of this org")
	} else {
		f = fl
	}
	if len(req.TaskContext) > 0 && string(req.TaskContext) != "null" {
		var obj map[string]any
		if json.Unmarshal(req.TaskContext, &obj) != nil {
			v.Add("task_context", "must be an object")
		} else if len(req.TaskContext) > 8<<10 {
			v.Add("task_context", "at most 8 KiB")
		}
	}
	if err := v.Err(); err != nil {
		return err
	}
	n, err := OutboundNumber(a.d.Store, org, req.FromNumberID, f.ID)
	if err != nil {
		return err
	}
	if err := call.Consent(a.d.Store, org, req.To); err != nil {
		return err // blocklisted or opted out: nothing is stored or dialled
	}
	if req.HonorBusinessHours == nil || bool(*req.HonorBusinessHours) {
		bh, err := a.d.Calls.HoursOf(f)
		if err != nil {
			return err
		}
		if now := a.d.Clock.Now(); bh != nil && !bh.IsOpen(now) {
			return storage.Conflict("outside_business_hours", "outside business hours; next open "+
				bh.NextOpen(now).UTC().Format(time.RFC3339)+" (send honor_business_hours:false to call anyway)")
		}
	}
	id := storage.NewID("call")
	cl, err := askCall[*calls.Call](a, id, &call.Place{OrgID: org, FlowID: f.ID, NumberID: n.ID, From: n.E164, To: req.To, TaskContext: req.TaskContext})
	if err != nil {
		return err
	}
	return c.JSON(202, &OutboundStarted{CallID: cl.ID, Status: cl.Status})
}
