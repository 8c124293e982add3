package voiceapi

import (
	"github.com/humd/humd/actors/service/voicesvc"
	"github.com/humd/humd/storage/flows"
	"github.com/humd/humd/transport/httpapi"
)

// Agents (seed 002's /api/v1/agents) are humd's flows under their integer
// agent_id (D-9). They are read here with an API key; flows are created and
// edited through /api/flows, which is where a console or a key with the
// flows area manages them, so the seed's JWT CRUD is not repeated.

// Agent is a flow as seed 002 shows an agent.
type Agent struct {
	ID         uint64  `json:"id"`
	FlowID     string  `json:"flow_id"`
	Name       string  `json:"name"`
	Channel    string  `json:"channel" jsonschema:"enum=voice|sms"`
	AvatarID   *int64  `json:"avatar_id"`
	AvatarName *string `json:"avatar_name"`
	AvatarURL  *string `json:"avatar_url"`
	VoiceID    *string `json:"voice_id"`
	CreatedAt  string  `json:"created_at" jsonschema:"format=date-time"`
	UpdatedAt  string  `json:"updated_at" jsonschema:"format=date-time"`
}

// AgentList answers GET /api/v1/agents in seed 002's envelope.
type AgentList struct {
	Success    bool     `json:"success"`
	Agents     []*Agent `json:"agents"`
	NextCursor *string  `json:"next_cursor"`
}

// AgentAnswer answers GET /api/v1/agents/{id}.
type AgentAnswer struct {
	Success bool  `json:"success"`
	Agent   Agent `json:"agent"`
}

func (AgentList) JSONSchemaExtend(s httpapi.Schema) {
	httpapi.SetProp(s, "success", httpapi.Schema{"const": true})
}
func (AgentAnswer) JSONSchemaExtend(s httpapi.Schema) {
	httpapi.SetProp(s, "success", httpapi.Schema{"const": true})
}

func viewAgent(f *flows.Flow) *Agent {
	opt := func(s string) *string {
		if s == "" {
			return nil
		}
		return &s
	}
	return &Agent{ID: f.AgentID, FlowID: f.ID, Name: f.Name, Channel: f.Channel, AvatarID: f.AvatarID,
		AvatarName: opt(f.AvatarName), AvatarURL: opt(f.AvatarURL), VoiceID: opt(f.VoiceID),
		CreatedAt: f.CreatedAt.UTC().Format("2006-01-02T15:04:05Z"), UpdatedAt: f.UpdatedAt.UTC().Format("2006-01-02T15:04:05Z")}
}

func (a *API) agentRoutes() []*httpapi.Route {
	return []*httpapi.Route{
		{Method: "GET", Path: "/api/v1/agents", OpID: "listAgents", Summary: "The org's agents: its flows by integer agent_id (seed 002)",
			Tag: "Agent sessions", Auth: httpapi.ViewerUp, Errors: httpapi.AgentStyle,
			Responses: httpapi.Answer[AgentList](200), Handle: a.listAgents},
		{Method: "GET", Path: "/api/v1/agents/{id}", OpID: "getAgent", Summary: "One agent by its integer id",
			Tag: "Agent sessions", Auth: httpapi.ViewerUp, Errors: httpapi.AgentStyle,
			Responses: httpapi.Answer[AgentAnswer](200), Handle: a.getAgent},
	}
}

func (a *API) listAgents(c *httpapi.Call) error {
	page, err := c.Page()
	if err != nil {
		return err
	}
	fs, next, err := a.d.Svc.ListAgents(c.Ctx, c.Principal, voicesvc.ListAgentsQuery{Channel: c.Query("channel"), Page: page})
	if err != nil {
		return err
	}
	out := &AgentList{Success: true, Agents: make([]*Agent, 0, len(fs))}
	for _, f := range fs {
		out.Agents = append(out.Agents, viewAgent(f))
	}
	if next != "" {
		out.NextCursor = &next
	}
	return c.JSON(200, out)
}

func (a *API) getAgent(c *httpapi.Call) error {
	f, err := a.d.Svc.GetAgent(c.Ctx, c.Principal, c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(200, &AgentAnswer{Success: true, Agent: *viewAgent(f)})
}
