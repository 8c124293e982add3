package httpapi

import (
	"errors"
	"strconv"
	"strings"

	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/flows"
)

// Agents (seed 002's /api/v1/agents) are humd's flows under their integer
// agent_id (D-9). They are read here with an API key; flows are created and
// edited through /api/flows, which is where a console or a key with the
// flows area manages them, so the seed's JWT CRUD is not repeated.

var agentSchema = obj([]string{"id", "flow_id", "name", "channel", "created_at", "updated_at"}, map[string]Schema{
	"id": integer(), "flow_id": str(), "name": str(), "channel": enum("voice", "sms"), "avatar_id": nullable(integer()),
	"avatar_name": nullable(str()), "avatar_url": nullable(str()), "voice_id": nullable(str()),
	"created_at": dateTime(), "updated_at": dateTime()})

type agentView struct {
	ID         uint64  `json:"id"`
	FlowID     string  `json:"flow_id"`
	Name       string  `json:"name"`
	Channel    string  `json:"channel"`
	AvatarID   *int64  `json:"avatar_id"`
	AvatarName *string `json:"avatar_name"`
	AvatarURL  *string `json:"avatar_url"`
	VoiceID    *string `json:"voice_id"`
	CreatedAt  string  `json:"created_at"`
	UpdatedAt  string  `json:"updated_at"`
}

func viewAgent(f *flows.Flow) *agentView {
	opt := func(s string) *string {
		if s == "" {
			return nil
		}
		return &s
	}
	return &agentView{ID: f.AgentID, FlowID: f.ID, Name: f.Name, Channel: f.Channel, AvatarID: f.AvatarID,
		AvatarName: opt(f.AvatarName), AvatarURL: opt(f.AvatarURL), VoiceID: opt(f.VoiceID),
		CreatedAt: f.CreatedAt.UTC().Format("2006-01-02T15:04:05Z"), UpdatedAt: f.UpdatedAt.UTC().Format("2006-01-02T15:04:05Z")}
}

const noAgent = "Agent not found or access denied" // seed 002's words

func (s *Server) agentRoutes() []*Route {
	return []*Route{
		{Method: "GET", Path: "/api/v1/agents", OpID: "listAgents", Summary: "The org's agents: its flows by integer agent_id (seed 002)",
			Tag: "Agent sessions", Auth: ViewerUp, Errors: AgentStyle,
			Schemas: map[int]Schema{200: obj([]string{"success", "agents", "next_cursor"}, map[string]Schema{
				"success": Schema{"const": true}, "agents": arr(agentSchema), "next_cursor": nullable(str())})},
			Handle: func(c *Call) error {
				page, err := c.Page()
				if err != nil {
					return err
				}
				fs, next, err := s.deps.Flows.List(c.Principal.OrgID, flows.Filter{Channel: c.Query("channel")}, page)
				if err != nil {
					return err
				}
				out := make([]*agentView, 0, len(fs))
				for _, f := range fs {
					out = append(out, viewAgent(f))
				}
				var nc any
				if next != "" {
					nc = next
				}
				return c.JSON(200, map[string]any{"success": true, "agents": out, "next_cursor": nc})
			}},
		{Method: "GET", Path: "/api/v1/agents/{id}", OpID: "getAgent", Summary: "One agent by its integer id",
			Tag: "Agent sessions", Auth: ViewerUp, Errors: AgentStyle,
			Schemas: map[int]Schema{200: obj([]string{"success", "agent"}, map[string]Schema{"success": Schema{"const": true}, "agent": agentSchema})},
			Handle: func(c *Call) error {
				id, err := strconv.ParseUint(strings.TrimSpace(c.Param("id")), 10, 64)
				if err != nil {
					return c.JSON(404, map[string]any{"success": false, "error": noAgent})
				}
				f, err := s.deps.Flows.ByAgentID(c.Principal.OrgID, id)
				if errors.Is(err, storage.ErrNotFound) {
					return c.JSON(404, map[string]any{"success": false, "error": noAgent})
				}
				if err != nil {
					return err
				}
				return c.JSON(200, map[string]any{"success": true, "agent": viewAgent(f)})
			}},
	}
}
