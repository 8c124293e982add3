package app

import (
	"encoding/json"

	"github.com/humd/humd/actors/agentsession"
	"github.com/humd/humd/actors/conversation"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/flows"
	"github.com/humd/humd/storage/sms"
)

// flowReferenced reports whether one of the org's numbers still points at a
// flow (voice or SMS), which makes deleting it a 409.
func flowReferenced(st storage.Store) func(org, flowID string) (bool, error) {
	return func(org, flowID string) (bool, error) {
		used := false
		err := st.Scan(sms.PrefixNumbers(org), storage.ScanOptions{}, func(_, v []byte) (bool, error) {
			var n sms.Number
			if err := json.Unmarshal(v, &n); err != nil {
				return false, err
			}
			used = (n.FlowID != nil && *n.FlowID == flowID) || (n.SMSFlowID != nil && *n.SMSFlowID == flowID)
			return !used, nil
		})
		return used, err
	}
}

// aiFlow adapts a stored flow to what the conversation actor's AI needs.
func aiFlow(repo *flows.Repo) func(org, id string) (*conversation.AIFlow, error) {
	return func(org, id string) (*conversation.AIFlow, error) {
		f, err := repo.Get(org, id)
		if err != nil {
			return nil, err
		}
		c := f.SMS()
		out := &conversation.AIFlow{ID: f.ID, Name: f.Name, Channel: f.Channel, SystemPrompt: f.SystemPrompt, Model: f.Model,
			Config: conversation.SMSConfig{MaxReplyChars: c.MaxReplyChars, DebounceMS: c.DebounceMS, MaxTurnsPerWindow: c.MaxTurnsPerWindow,
				MaxMessagesPerRun: c.MaxMessagesPerRun, MaxPendingFollowups: c.MaxPendingFollowups, MaxToolCallsPerTurn: c.MaxToolCallsPerTurn,
				ReplyAfterHours: c.ReplyAfterHours}}
		if c.FallbackMessage != nil {
			out.Config.FallbackMessage = *c.FallbackMessage
		}
		if c.Model != "" {
			out.Model = c.Model
		}
		return out, nil
	}
}

// agentOf finds a flow by its integer agent_id for the agent-session API.
func agentOf(repo *flows.Repo) func(org string, agentID uint64) (*agentsession.Agent, error) {
	return func(org string, agentID uint64) (*agentsession.Agent, error) {
		f, err := repo.ByAgentID(org, agentID)
		if err != nil {
			return nil, err
		}
		return &agentsession.Agent{FlowID: f.ID, AgentID: f.AgentID, Name: f.Name, AvatarID: f.AvatarID, AvatarName: f.AvatarName,
			AvatarURL: f.AvatarURL, VoiceID: f.VoiceID}, nil
	}
}

// chatOf answers what an agent_chat reply needs from a flow.
func chatOf(repo *flows.Repo) func(org, flowID string) (*agentsession.Chat, error) {
	return func(org, flowID string) (*agentsession.Chat, error) {
		f, err := repo.Get(org, flowID)
		if err != nil {
			return nil, err
		}
		return &agentsession.Chat{Instructions: f.SystemPrompt, Model: f.Model}, nil
	}
}
