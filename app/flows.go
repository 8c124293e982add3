package app

import (
	"encoding/json"

	"github.com/humd/humd/actors/agentsession"
	"github.com/humd/humd/actors/conversation"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/campaigns"
	"github.com/humd/humd/storage/flows"
	"github.com/humd/humd/storage/sms"
)

// flowReferenced counts the org's numbers that answer with a flow (flow_id
// takes calls, sms_flow_id texts) and its unfinished campaigns that hand
// replies to it (always an SMS flow): while any does, the flow cannot be
// deleted or change channel.
func flowReferenced(st storage.Store) func(org, flowID string) (flows.Refs, error) {
	return func(org, flowID string) (flows.Refs, error) {
		var refs flows.Refs
		err := st.Scan(sms.PrefixNumbers(org), storage.ScanOptions{}, func(_, v []byte) (bool, error) {
			var n sms.Number
			if err := json.Unmarshal(v, &n); err != nil {
				return false, err
			}
			if n.FlowID != nil && *n.FlowID == flowID {
				refs.Voice++
			}
			if n.SMSFlowID != nil && *n.SMSFlowID == flowID {
				refs.SMS++
			}
			return true, nil
		})
		if err != nil {
			return refs, err
		}
		err = st.Scan(campaigns.PrefixCampaigns(org), storage.ScanOptions{}, func(_, v []byte) (bool, error) {
			var c campaigns.Campaign
			if err := json.Unmarshal(v, &c); err != nil {
				return false, err
			}
			if c.FlowID != nil && *c.FlowID == flowID && !campaigns.Terminal(c.Status) {
				refs.SMS++
			}
			return true, nil
		})
		return refs, err
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
		if names, all := f.Builtins(); !all {
			out.Builtins = append([]string{}, names...) // non-nil: an empty list offers none
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
