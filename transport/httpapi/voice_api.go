package httpapi

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/humd/humd/actors/call"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/calls"
	"github.com/humd/humd/storage/flows"
	"github.com/humd/humd/storage/phone"
	"github.com/humd/humd/storage/sms"
)

// streamKeepAlive is how often an idle live stream writes a comment, which is
// also how a viewer that went away is noticed.
const streamKeepAlive = 15 * time.Second

func (s *Server) voiceAPIRoutes() []*Route {
	return []*Route{
		{Method: "GET", Path: "/api/calls/{id}/stream", OpID: "streamCall", Summary: "Live call events (Server-Sent Events) until call.ended",
			Tag: "Calls", Auth: ViewerUp, Stream: true, Responses: map[int]Schema{200: {"type": "string", "x-content-type": "text/event-stream"}},
			Handle: s.streamCall},
		{Method: "POST", Path: "/api/outbound/calls", OpID: "createOutboundCall", Summary: "Place an outbound AI call", Tag: "Outbound", Auth: OperatorUp,
			Request: strict(obj([]string{"flow_id", "to"}, map[string]Schema{"flow_id": str(), "to": str(), "task_context": anyObj(),
				"from_number_id": str(), "honor_business_hours": boolIn(), "confirm": boolean()})),
			Responses: map[int]Schema{202: obj([]string{"call_id", "status"}, map[string]Schema{"call_id": str(), "status": str()})},
			Handle:    s.createOutboundCall},
		{Method: "GET", Path: "/api/outbound/calls", OpID: "listOutboundCalls", Summary: "Outbound calls, newest first (the /api/calls filters apply)",
			Tag: "Outbound", Auth: ViewerUp, Responses: map[int]Schema{200: listOf(ref("Call"))}, Handle: func(c *Call) error {
				c.Ctx.QueryArgs().Set("direction", calls.Outbound)
				return s.reviewListCalls(c)
			}},
		{Method: "GET", Path: "/api/outbound/calls/{id}", OpID: "getOutboundCall", Summary: "An outbound call with its transcript and outcome",
			Tag: "Outbound", Auth: ViewerUp, Responses: map[int]Schema{200: ref("CallDetail")}, Handle: func(c *Call) error {
				cl, err := calls.Get(s.deps.Store, c.Principal.OrgID, c.Param("id"))
				if err != nil {
					return err
				}
				if cl.Direction != calls.Outbound {
					return fmt.Errorf("call %s is not outbound: %w", cl.ID, storage.ErrNotFound)
				}
				return s.reviewGetCall(c)
			}},
	}
}

// streamCall follows a live call. A call that has already ended answers one
// terminal event; a live one streams until call.ended.
func (s *Server) streamCall(c *Call) error {
	id := c.Param("id")
	sub := s.deps.Calls.Hub().Subscribe(id)
	cl, err := calls.Get(s.deps.Store, c.Principal.OrgID, id)
	if err != nil {
		s.deps.Calls.Hub().Unsubscribe(sub)
		return err
	}
	c.Ctx.SetStatusCode(200)
	c.Ctx.SetContentType("text/event-stream")
	c.Ctx.Response.Header.Set("Cache-Control", "no-cache")
	c.status = 200
	// The server's WriteTimeout would cut a long call's stream.
	_ = c.Ctx.SetWriteDeadline(time.Now().Add(24 * time.Hour))
	ended := cl.Ended() && cl.EndedAt != nil
	c.Ctx.SetBodyStreamWriter(func(w *bufio.Writer) {
		hub := s.deps.Calls.Hub()
		defer hub.Unsubscribe(sub)
		if ended {
			raw, _ := json.Marshal(map[string]any{"status": cl.Status, "reason": cl.EndReason, "duration_s": cl.DurationS})
			writeSSE(w, call.LiveEvent{Type: call.LiveEnded, At: *cl.EndedAt, Data: raw})
			return
		}
		tick := time.NewTicker(streamKeepAlive)
		defer tick.Stop()
		for {
			select {
			case ev, ok := <-sub.C:
				if !ok {
					return
				}
				if writeSSE(w, ev) != nil || ev.Type == call.LiveEnded {
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

func writeSSE(w *bufio.Writer, ev call.LiveEvent) error {
	raw, _ := json.Marshal(ev)
	if _, err := fmt.Fprintf(w, "event: %s\ndata: %s\n\n", ev.Type, raw); err != nil {
		return err
	}
	return w.Flush()
}

type outboundReq struct {
	FlowID             string          `json:"flow_id"`
	To                 string          `json:"to"`
	TaskContext        json.RawMessage `json:"task_context"`
	FromNumberID       string          `json:"from_number_id"`
	HonorBusinessHours *storage.Bool   `json:"honor_business_hours"` // true/false/0/1 (SPEC 1.0)
	Confirm            bool            `json:"confirm"`
}

// createOutboundCall validates, stores the call through its actor and
// answers 202 at once; the call is placed off the request (SPEC 1.7).
func (s *Server) createOutboundCall(c *Call) error {
	var req outboundReq
	if err := storage.DecodeStrict(c.Body(), &req); err != nil {
		return err
	}
	org := c.Principal.OrgID
	v := &storage.ValidationError{}
	phone.Check(v, "to", req.To)
	var f *flows.Flow
	if req.FlowID == "" {
		v.Add("flow_id", "required")
	} else if fl, err := s.deps.Flows.Get(org, req.FlowID); err != nil || fl.Channel != "voice" {
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
	n, err := s.outboundNumber(org, req.FromNumberID, f.ID)
	if err != nil {
		return err
	}
	if err := call.Consent(s.deps.Store, org, req.To); err != nil {
		return err // blocklisted or opted out: nothing is stored or dialled
	}
	if req.HonorBusinessHours == nil || bool(*req.HonorBusinessHours) {
		bh, err := s.deps.Calls.HoursOf(f)
		if err != nil {
			return err
		}
		if now := s.deps.Clock.Now(); bh != nil && !bh.IsOpen(now) {
			return storage.Conflict("outside_business_hours", "outside business hours; next open "+
				bh.NextOpen(now).UTC().Format(time.RFC3339)+" (send honor_business_hours:false to call anyway)")
		}
	}
	id := storage.NewID("call")
	cl, err := askCall[*calls.Call](s, id, &call.Place{OrgID: org, FlowID: f.ID, NumberID: n.ID, From: n.E164, To: req.To, TaskContext: req.TaskContext})
	if err != nil {
		return err
	}
	return c.JSON(202, map[string]any{"call_id": cl.ID, "status": cl.Status})
}

// outboundNumber picks the caller id: the given number, else the number
// that answers with this flow, else the org's first voice number.
func (s *Server) outboundNumber(org, id, flowID string) (*sms.Number, error) {
	if id != "" {
		n, err := sms.GetNumber(s.deps.Store, org, id)
		if errors.Is(err, storage.ErrNotFound) || err == nil && !n.Capabilities.Voice {
			return nil, storage.Invalid("from_number_id", "must be a voice-capable number of this org")
		}
		return n, err
	}
	all, _, err := sms.ListNumbers(s.deps.Store, org, storage.PageRequest{Limit: storage.MaxPageLimit})
	if err != nil {
		return nil, err
	}
	var first *sms.Number
	for _, n := range all {
		if !n.Capabilities.Voice {
			continue
		}
		if n.FlowID != nil && *n.FlowID == flowID {
			return n, nil
		}
		if first == nil {
			first = n
		}
	}
	if first == nil {
		return nil, storage.Invalid("from_number_id", "the org has no voice-capable number")
	}
	return first, nil
}
