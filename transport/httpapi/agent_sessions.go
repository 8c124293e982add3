package httpapi

// Agent sessions (seed 002): the service answers status and body in the
// seed's own envelope; the route table only adds auth and the OpenAPI shapes.

var agentSession = obj([]string{"session_id", "agent_id", "agent_name", "session_type", "status", "started_at", "metadata",
	"expiration", "idle_timeout_s"},
	map[string]Schema{"session_id": integer(), "agent_id": integer(), "agent_name": str(),
		"session_type": enum("agent_voice", "agent_video", "agent_chat", "webrtc_video"), "status": enum("active", "completed"),
		"started_at": dateTime(), "metadata": sessionMetadata, "avatar_id": nullable(integer()), "avatar_name": nullable(str()),
		"avatar_url": nullable(str()), "voice_id": nullable(str()), "ended_at": nullable(dateTime()), "duration": nullable(integer()),
		"transcript": nullable(str()), "billing_minutes": nullable(integer()), "end_reason": enum("api", "idle"),
		"expiration": nullable(dateTime()), "idle_timeout_s": integer(), "usage": tokensSchema()})

var agentMessage = obj([]string{"message_id", "session_id", "role", "content", "created_at"},
	map[string]Schema{"message_id": str(), "session_id": integer(), "seq": integer(), "role": enum("user", "system", "assistant"),
		"content": str(), "metadata": sessionMetadata, "created_at": dateTime()})

// sessionMetadata is the caller's own JSON object on a session or message.
var sessionMetadata = freeForm("the caller's own keys, kept as given (at most 16 KiB)")

func sessionEnvelope(withMessage bool) Schema {
	req := []string{"success", "session"}
	props := map[string]Schema{"success": Schema{"const": true}, "session": agentSession, "message": str()}
	if withMessage {
		req = append(req, "message")
	}
	return obj(req, props)
}

func (s *Server) agentSessionRoutes() []*Route {
	write := func(fn func(c *Call) (int, any)) func(c *Call) error {
		return func(c *Call) error {
			status, body := fn(c)
			return c.JSON(status, body)
		}
	}
	end := write(func(c *Call) (int, any) { return s.deps.Agents.End(c.Principal.OrgID, c.Param("id"), c.Body()) })
	endReq := strict(obj(nil, map[string]Schema{"duration": integer(), "transcript": str(), "metadata": sessionMetadata}))
	ended := map[int]Schema{200: sessionEnvelope(true)}
	return []*Route{
		{Method: "POST", Path: "/api/v1/sessions", OpID: "createAgentSession", Summary: "Start a session with an agent (seed 002)", Tag: "Agent sessions",
			Auth: OperatorUp, Errors: AgentStyle,
			RequestSchema: strict(obj([]string{"agent_id"}, map[string]Schema{"agent_id": oneOfTypes("integer", "string"), "session_type": str(), "metadata": nullable(sessionMetadata)})),
			Schemas:       map[int]Schema{201: sessionEnvelope(true)},
			Handle: write(func(c *Call) (int, any) {
				return s.deps.Agents.Create(c.Principal.OrgID, c.Principal.KeyID, c.Body())
			})},
		{Method: "GET", Path: "/api/v1/sessions", OpID: "listAgentSessions", Summary: "Sessions, newest first", Tag: "Agent sessions",
			Auth: ViewerUp, Errors: AgentStyle,
			Schemas: map[int]Schema{200: obj([]string{"success", "sessions", "next_cursor"}, map[string]Schema{"success": Schema{"const": true},
				"sessions": arr(agentSession), "next_cursor": nullable(str())})},
			Handle: func(c *Call) error {
				page, err := c.Page()
				if err != nil {
					return err
				}
				status, body := s.deps.Agents.List(c.Principal.OrgID, page, c.Query("status"))
				return c.JSON(status, body)
			}},
		{Method: "GET", Path: "/api/v1/sessions/{id}", OpID: "getAgentSession", Summary: "One session", Tag: "Agent sessions",
			Auth: ViewerUp, Errors: AgentStyle, Schemas: map[int]Schema{200: sessionEnvelope(false)},
			Handle: write(func(c *Call) (int, any) { return s.deps.Agents.Get(c.Principal.OrgID, c.Param("id")) })},
		{Method: "PUT", Path: "/api/v1/sessions/{id}/end", OpID: "endAgentSession", Summary: "End a session (idempotent)", Tag: "Agent sessions",
			Auth: OperatorUp, Errors: AgentStyle, RequestSchema: endReq, Schemas: ended, Handle: end},
		{Method: "POST", Path: "/api/v1/sessions/{id}/end", OpID: "endAgentSessionPost", Summary: "End a session (idempotent; POST alias)", Tag: "Agent sessions",
			Auth: OperatorUp, Errors: AgentStyle, RequestSchema: endReq, Schemas: ended, Handle: end},
		{Method: "POST", Path: "/api/v1/sessions/{id}/messages", OpID: "postAgentSessionMessage", Summary: "Send a message; agent_chat answers with the agent's reply", Tag: "Agent sessions",
			Auth: OperatorUp, Errors: AgentStyle,
			RequestSchema: strict(obj([]string{"content"}, map[string]Schema{"content": strN(1, 4000), "role": enum("user", "system"), "metadata": nullable(sessionMetadata)})),
			Schemas: map[int]Schema{201: obj([]string{"success", "message", "reply"}, map[string]Schema{"success": Schema{"const": true},
				"message": agentMessage, "reply": nullable(agentMessage)})},
			Handle: write(func(c *Call) (int, any) { return s.deps.Agents.PostMessage(c.Principal.OrgID, c.Param("id"), c.Body()) })},
		{Method: "GET", Path: "/api/v1/sessions/{id}/messages", OpID: "listAgentSessionMessages", Summary: "A session's messages in order", Tag: "Agent sessions",
			Auth: ViewerUp, Errors: AgentStyle,
			Schemas: map[int]Schema{200: obj([]string{"success", "messages", "next_cursor"}, map[string]Schema{"success": Schema{"const": true},
				"messages": arr(agentMessage), "next_cursor": nullable(str())})},
			Handle: func(c *Call) error {
				page, err := c.Page()
				if err != nil {
					return err
				}
				status, body := s.deps.Agents.ListMessages(c.Principal.OrgID, c.Param("id"), page)
				return c.JSON(status, body)
			}},
	}
}

// tokensSchema is storage.Tokens, the AI usage a session keeps.
func tokensSchema() Schema {
	return obj([]string{"input_tokens", "output_tokens"}, map[string]Schema{"input_tokens": integer(), "output_tokens": integer()})
}
