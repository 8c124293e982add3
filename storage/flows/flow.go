package flows

import (
	"encoding/json"
	"slices"
	"time"
)

// Flow is an AI agent (SPEC 1.4): what answers a number's calls or texts.
type Flow struct {
	ID                string          `json:"id"`
	OrgID             string          `json:"org_id"`
	AgentID           uint64          `json:"agent_id"`
	Name              string          `json:"name"`
	Kind              string          `json:"kind"`
	Channel           string          `json:"channel"`
	TriggerType       string          `json:"trigger_type"`
	TriggerEvents     []string        `json:"trigger_events"`
	Greeting          string          `json:"greeting"`
	SystemPrompt      string          `json:"system_prompt"`
	VoiceID           string          `json:"voice_id"`
	Model             string          `json:"model"`
	VoicemailEnabled  bool            `json:"voicemail_enabled"`
	AnnounceRecording bool            `json:"announce_recording"`
	BusinessHoursJSON json.RawMessage `json:"business_hours_json"`
	TransfersJSON     []Transfer      `json:"transfers_json"`
	ToolsJSON         json.RawMessage `json:"tools_json"`
	SMSConfigJSON     *SMSConfig      `json:"sms_config_json"`
	AvatarID          *int64          `json:"avatar_id"`
	AvatarName        string          `json:"avatar_name"`
	AvatarURL         string          `json:"avatar_url"`
	CreatedAt         time.Time       `json:"created_at"`
	UpdatedAt         time.Time       `json:"updated_at"`
}

// Transfer is one entry of a flow's transfer map: a person's number or
// another flow (agent-to-agent).
type Transfer struct {
	Label  string `json:"label"`
	E164   string `json:"e164,omitempty"`
	FlowID string `json:"flow_id,omitempty"`
}

// SMSConfig is sms_config_json with every default filled (SPEC 1.10).
type SMSConfig struct {
	MaxReplyChars       int     `json:"max_reply_chars"`
	DebounceMS          int     `json:"debounce_ms"`
	MaxTurnsPerWindow   int     `json:"max_turns_per_window"`
	FallbackMessage     *string `json:"fallback_message"`
	MaxMessagesPerRun   int     `json:"max_messages_per_run"`
	MaxPendingFollowups int     `json:"max_pending_followups"`
	MaxToolCallsPerTurn int     `json:"max_tool_calls_per_turn"`
	HonorQuietHours     bool    `json:"honor_quiet_hours"`
	ReplyAfterHours     bool    `json:"reply_after_hours"`
	Model               string  `json:"model,omitempty"`
}

// DefaultSMSConfig is SPEC 1.10's defaults.
func DefaultSMSConfig() SMSConfig {
	return SMSConfig{MaxReplyChars: 1600, DebounceMS: 1500, MaxTurnsPerWindow: 30, MaxMessagesPerRun: 2,
		MaxPendingFollowups: 3, MaxToolCallsPerTurn: 8, HonorQuietHours: true}
}

// SMS answers the flow's SMS config with defaults, also for voice flows.
func (f *Flow) SMS() SMSConfig {
	if f.SMSConfigJSON == nil {
		return DefaultSMSConfig()
	}
	return *f.SMSConfigJSON
}

// Built-in tools that tools_json.builtin may list: the call actor's and the
// conversation actor's (lookup_knowledge and report_outcome are both).
// opt_out is offered on every call whether listed or not (actors/call).
var (
	VoiceBuiltins = []string{"end_call", "lookup_knowledge", "report_outcome", "send_sms", "transfer_call", "send_digits", "opt_out"}
	SMSBuiltins   = []string{"assign_to_human", "close_conversation", "transfer_sms_to_flow", "schedule_followup_sms",
		"lookup_knowledge", "report_outcome"}
)

// toolsConfig is the part of tools_json humd reads; other keys are kept as
// they were saved.
type toolsConfig struct {
	// Builtin allow-lists the built-in tools; absent offers them all.
	Builtin *[]string `json:"builtin"`
}

// Builtins answers the built-in tools tools_json allows: all is true when it
// names none (tools_json null, or no builtin key), which offers every one.
func (f *Flow) Builtins() (names []string, all bool) {
	var cfg toolsConfig
	if len(f.ToolsJSON) == 0 || json.Unmarshal(f.ToolsJSON, &cfg) != nil || cfg.Builtin == nil {
		return nil, true
	}
	return *cfg.Builtin, false
}

// AllowsBuiltin reports whether tools_json lets the agent use the built-in
// tool name (explicitly, or by listing none).
func (f *Flow) AllowsBuiltin(name string) bool {
	names, all := f.Builtins()
	return all || slices.Contains(names, name)
}
