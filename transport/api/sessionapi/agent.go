package sessionapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"strings"

	"github.com/humd/humd/actors/agentsession"
	"github.com/humd/humd/actors/service/sessionsvc"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/transport/httpapi"
	"github.com/humd/humd/transport/wire"
)

// Agent sessions (seed 002): the service answers status and body in the
// seed's own envelope; the route table only adds auth and the OpenAPI shapes.

var agentSession = obj([]string{"session_id", "agent_id", "agent_name", "session_type", "status", "started_at", "metadata",
	"expiration", "idle_timeout_s"},
	map[string]schema{"session_id": integer(), "agent_id": integer(), "agent_name": str(),
		"session_type": enum("agent_voice", "agent_video", "agent_chat", "webrtc_video"), "status": enum("active", "completed"),
		"started_at": dateTime(), "metadata": sessionMetadata, "avatar_id": nullable(integer()), "avatar_name": nullable(str()),
		"avatar_url": nullable(str()), "voice_id": nullable(str()), "ended_at": nullable(dateTime()), "duration": nullable(integer()),
		"transcript": nullable(str()), "billing_minutes": nullable(integer()), "end_reason": enum("api", "idle"),
		"expiration": nullable(dateTime()), "idle_timeout_s": integer(), "usage": tokensSchema()})

var agentMessage = obj([]string{"message_id", "session_id", "role", "content", "created_at"},
	map[string]schema{"message_id": str(), "session_id": integer(), "seq": integer(), "role": enum("user", "system", "assistant"),
		"content": str(), "metadata": sessionMetadata, "created_at": dateTime()})

// sessionMetadata is the caller's own JSON object on a session or message.
var sessionMetadata = freeForm("the caller's own keys, kept as given (at most 16 KiB)")

func sessionEnvelope(withMessage bool) schema {
	req := []string{"success", "session"}
	props := map[string]schema{"success": schema{"const": true}, "session": agentSession, "message": str()}
	if withMessage {
		req = append(req, "message")
	}
	return obj(req, props)
}

func (a *API) agentSessionRoutes() []*httpapi.Route {
	endReq := strict(obj(nil, map[string]schema{"duration": integer(), "transcript": str(), "metadata": sessionMetadata}))
	ended := map[int]schema{200: sessionEnvelope(true)}
	return []*httpapi.Route{
		{Method: "POST", Path: "/api/v1/sessions", OpID: "createAgentSession", Summary: "Start a session with an agent (seed 002)", Tag: "Agent sessions",
			Auth: httpapi.OperatorUp, Errors: httpapi.AgentStyle, Idempotent: true, Fails: []int{402, 404}, // a plan limit; an agent_id the org does not have
			RequestSchema: strict(obj([]string{"agent_id"}, map[string]schema{"agent_id": oneOfTypes("integer", "string"),
				"session_type": str(), "metadata": nullable(sessionMetadata)})),
			Schemas: map[int]schema{201: sessionEnvelope(true)}, Handle: a.createAgentSession},
		{Method: "GET", Path: "/api/v1/sessions", OpID: "listAgentSessions", Summary: "Sessions, newest first", Tag: "Agent sessions",
			Auth: httpapi.ViewerUp, Errors: httpapi.AgentStyle,
			Schemas: map[int]schema{200: obj([]string{"success", "sessions", "next_cursor"}, map[string]schema{"success": {"const": true},
				"sessions": arr(agentSession), "next_cursor": nullable(str())})},
			Handle: a.listAgentSessions},
		{Method: "GET", Path: "/api/v1/sessions/{id}", OpID: "getAgentSession", Summary: "One session", Tag: "Agent sessions",
			Auth: httpapi.ViewerUp, Errors: httpapi.AgentStyle, Schemas: map[int]schema{200: sessionEnvelope(false)}, Handle: a.getAgentSession},
		{Method: "PUT", Path: "/api/v1/sessions/{id}/end", OpID: "endAgentSession", Summary: "End a session (idempotent)", Tag: "Agent sessions",
			Auth: httpapi.OperatorUp, Errors: httpapi.AgentStyle, RequestSchema: endReq, Schemas: ended, Handle: a.endAgentSession},
		{Method: "POST", Path: "/api/v1/sessions/{id}/end", OpID: "endAgentSessionPost", Summary: "End a session (idempotent; POST alias)", Tag: "Agent sessions",
			Auth: httpapi.OperatorUp, Errors: httpapi.AgentStyle, RequestSchema: endReq, Schemas: ended, Handle: a.endAgentSession},
		{Method: "POST", Path: "/api/v1/sessions/{id}/messages", OpID: "postAgentSessionMessage", Summary: "Send a message; agent_chat answers with the agent's reply", Tag: "Agent sessions",
			Auth: httpapi.OperatorUp, Errors: httpapi.AgentStyle, Idempotent: true, Fails: []int{402},
			RequestSchema: strict(obj([]string{"content"}, map[string]schema{"content": strN(1, 4000),
				"role": enum("user", "system"), "metadata": nullable(sessionMetadata)})),
			Schemas: map[int]schema{201: obj([]string{"success", "message", "reply"}, map[string]schema{"success": {"const": true},
				"message": agentMessage, "reply": nullable(agentMessage)})},
			Handle: a.postAgentSessionMessage},
		{Method: "GET", Path: "/api/v1/sessions/{id}/messages", OpID: "listAgentSessionMessages", Summary: "A session's messages in order", Tag: "Agent sessions",
			Auth: httpapi.ViewerUp, Errors: httpapi.AgentStyle,
			Schemas: map[int]schema{200: obj([]string{"success", "messages", "next_cursor"}, map[string]schema{"success": {"const": true},
				"messages": arr(agentMessage), "next_cursor": nullable(str())})},
			Handle: a.listAgentSessionMessages},
	}
}

func (a *API) createAgentSession(c *httpapi.Call) error {
	in, err := decodeCreateAgentSession(c.Body())
	if err != nil {
		return agentFail(c, err)
	}
	view, err := a.d.Svc.CreateAgentSession(c.Ctx, c.Principal, in)
	if err != nil {
		return agentFail(c, err)
	}
	return c.JSON(201, map[string]any{"success": true, "session": view, "message": "Session started successfully"})
}

func (a *API) listAgentSessions(c *httpapi.Call) error {
	page, err := c.Page()
	if err != nil {
		return err
	}
	items, next, err := a.d.Svc.ListAgentSessions(c.Ctx, c.Principal, sessionsvc.ListAgentSessionsQuery{Status: c.Query("status"), Page: page})
	if err != nil {
		return agentFail(c, err)
	}
	return c.JSON(200, map[string]any{"success": true, "sessions": items, "next_cursor": nilIfEmpty(next)})
}

func (a *API) getAgentSession(c *httpapi.Call) error {
	view, err := a.d.Svc.GetAgentSession(c.Ctx, c.Principal, c.Param("id"))
	if err != nil {
		return agentFail(c, err)
	}
	return c.JSON(200, map[string]any{"success": true, "session": view})
}

func (a *API) endAgentSession(c *httpapi.Call) error {
	var in agentsession.EndInput
	if body := c.Body(); len(bytes.TrimSpace(body)) > 0 {
		if err := wire.DecodeStrict(body, &in); err != nil {
			return a.agentBodyFail(c, err)
		}
	}
	end := a.d.Svc.EndAgentSession
	if c.Route.OpID == "endAgentSessionPost" {
		end = a.d.Svc.EndAgentSessionPost
	}
	view, err := end(c.Ctx, c.Principal, c.Param("id"), in)
	if err != nil {
		return agentFail(c, err)
	}
	return c.JSON(200, map[string]any{"success": true, "session": view, "message": "Session ended successfully"})
}

func (a *API) postAgentSessionMessage(c *httpapi.Call) error {
	var in agentsession.PostInput
	if err := wire.DecodeStrict(c.Body(), &in); err != nil {
		return a.agentBodyFail(c, err)
	}
	posted, err := a.d.Svc.PostAgentSessionMessage(c.Ctx, c.Principal, c.Param("id"), in)
	if err != nil {
		return agentFail(c, err)
	}
	var reply any
	if posted.Reply != nil {
		reply = posted.Reply
	}
	return c.JSON(201, map[string]any{"success": true, "message": posted.Message, "reply": reply})
}

func (a *API) listAgentSessionMessages(c *httpapi.Call) error {
	page, err := c.Page()
	if err != nil {
		return err
	}
	items, next, err := a.d.Svc.ListAgentSessionMessages(c.Ctx, c.Principal, c.Param("id"), page)
	if err != nil {
		return agentFail(c, err)
	}
	return c.JSON(200, map[string]any{"success": true, "messages": items, "next_cursor": nilIfEmpty(next)})
}

// agentBodyFail answers a body that did not decode. A session that does
// not exist is reported first, as the seed does (the body of a request to
// nobody is not looked at).
func (a *API) agentBodyFail(c *httpapi.Call, err error) error {
	if _, gerr := a.d.Svc.GetAgentSession(c.Ctx, c.Principal, c.Param("id")); gerr != nil {
		return agentFail(c, gerr)
	}
	return agentFail(c, err)
}

// decodeCreateAgentSession reads a POST /api/v1/sessions body: an object
// with known keys, agent_id a positive integer or a string of digits. A
// session_type that is no string is passed as its JSON text, which no type
// matches; the rest of the checks are the service's, and a request with
// wire problems reports those too.
func decodeCreateAgentSession(body []byte) (agentsession.CreateInput, error) {
	var in agentsession.CreateInput
	var req map[string]json.RawMessage
	if err := wire.DecodeStrict(body, &req); err != nil || req == nil {
		return in, errNotObject
	}
	v := &storage.ValidationError{}
	for k := range req {
		if k != "agent_id" && k != "session_type" && k != "metadata" {
			v.Add(k, "unknown field")
		}
	}
	if raw, present := req["agent_id"]; !present {
		v.Add("agent_id", "required")
	} else if n, ok := parseAgentID(raw); !ok {
		v.Add("agent_id", "must be a positive integer")
	} else {
		in.AgentID = n
	}
	if raw, present := req["session_type"]; present {
		in.SessionType.Set = true
		if isNull(raw) {
			in.SessionType.Null = true
		} else if json.Unmarshal(raw, &in.SessionType.V) != nil {
			in.SessionType.V = string(raw)
		}
	}
	in.Metadata = req["metadata"]
	if len(v.Fields) > 0 {
		for k, msg := range in.Check().Fields {
			v.Add(k, msg)
		}
		return in, v
	}
	return in, nil
}

// errNotObject is a create body that is no JSON object.
var errNotObject = errors.New("body must be a JSON object")

// parseAgentID accepts a positive JSON integer or a string of digits.
func parseAgentID(raw json.RawMessage) (uint64, bool) {
	s := strings.Trim(string(bytes.TrimSpace(raw)), `"`)
	n, err := strconv.ParseUint(s, 10, 64)
	return n, err == nil && n > 0
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// agentFail answers err in seed 002's envelope. Errors the seed has no
// answer for (a refused role) go to the edge, which writes them in the
// route's AgentStyle.
func agentFail(c *httpapi.Call, err error) error {
	status, body := agentError(err)
	if status == 0 {
		return err
	}
	return c.JSON(status, body)
}

// agentError is err's status and seed 002 body,
// {"success":false,"error":"..."} with details for validation problems;
// status 0 for the errors the edge answers.
func agentError(err error) (int, map[string]any) {
	fail := func(status int, msg string, details map[string]string) (int, map[string]any) {
		body := map[string]any{"success": false, "error": msg}
		if len(details) > 0 {
			body["details"] = details
		}
		return status, body
	}
	var ve *storage.ValidationError
	var ce *storage.ConflictError
	switch {
	case errors.Is(err, errNotObject):
		return fail(422, "body must be a JSON object", map[string]string{"body": "a JSON object is required"})
	case errors.As(err, &ve):
		return fail(422, ve.Error(), ve.Fields)
	case errors.As(err, &ce):
		return fail(409, ce.Message, nil)
	case errors.Is(err, agentsession.ErrAgentNotFound):
		return fail(404, "Agent not found or access denied", nil)
	case errors.Is(err, storage.ErrNotFound):
		return fail(404, "Session not found", nil)
	case errors.Is(err, storage.ErrForbidden), errors.Is(err, storage.ErrUnauthorized):
		return 0, nil
	}
	return fail(500, "internal error", nil)
}

// tokensSchema is storage.Tokens, the AI usage a session keeps.
func tokensSchema() schema {
	return obj([]string{"input_tokens", "output_tokens"}, map[string]schema{"input_tokens": integer(), "output_tokens": integer()})
}
