package conversation

import "github.com/humd/humd/storage/flows"

// AIFlowOf adapts a stored SMS flow to what the thread's AI needs: the
// sms_config_json with its defaults, the model (the config's wins over the
// flow's), and the built-in tools' allow-list.
func AIFlowOf(f *flows.Flow) *AIFlow {
	c := f.SMS()
	out := &AIFlow{ID: f.ID, Name: f.Name, Channel: f.Channel, SystemPrompt: f.SystemPrompt, Model: f.Model,
		Config: SMSConfig{MaxReplyChars: c.MaxReplyChars, DebounceMS: c.DebounceMS, MaxTurnsPerWindow: c.MaxTurnsPerWindow,
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
	return out
}
