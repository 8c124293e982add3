package sessionapi

import "github.com/humd/humd/transport/httpapi"

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
			Auth: httpapi.OperatorUp, Errors: httpapi.AgentStyle, Idempotent: true, Fails: []int{404}, // an agent_id the org does not have
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
			Auth: httpapi.OperatorUp, Errors: httpapi.AgentStyle, Idempotent: true,
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
	return answer(c)(a.d.Agents.Create(c.Principal.OrgID, c.Principal.KeyID, c.Body()))
}

func (a *API) listAgentSessions(c *httpapi.Call) error {
	page, err := c.Page()
	if err != nil {
		return err
	}
	return answer(c)(a.d.Agents.List(c.Principal.OrgID, page, c.Query("status")))
}

func (a *API) getAgentSession(c *httpapi.Call) error {
	return answer(c)(a.d.Agents.Get(c.Principal.OrgID, c.Param("id")))
}

func (a *API) endAgentSession(c *httpapi.Call) error {
	return answer(c)(a.d.Agents.End(c.Principal.OrgID, c.Param("id"), c.Body()))
}

func (a *API) postAgentSessionMessage(c *httpapi.Call) error {
	return answer(c)(a.d.Agents.PostMessage(c.Principal.OrgID, c.Param("id"), c.Body()))
}

func (a *API) listAgentSessionMessages(c *httpapi.Call) error {
	page, err := c.Page()
	if err != nil {
		return err
	}
	return answer(c)(a.d.Agents.ListMessages(c.Principal.OrgID, c.Param("id"), page))
}

// tokensSchema is storage.Tokens, the AI usage a session keeps.
func tokensSchema() schema {
	return obj([]string{"input_tokens", "output_tokens"}, map[string]schema{"input_tokens": integer(), "output_tokens": integer()})
}
