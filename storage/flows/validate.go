package flows

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/hours"
	"github.com/humd/humd/storage/phone"
)

// Length limits of flow fields (SPEC 1.4 names the fields; the limits are ours).
const (
	MaxName         = 120
	MaxGreeting     = 1000
	MaxSystemPrompt = 32000
	MaxModel        = 100
	MaxVoiceID      = 100
	MaxToolsJSON    = 64 << 10
	MaxTransfers    = 50
)

// The values kind, channel and trigger_type take.
var (
	Kinds        = []string{"inbound", "outbound"}
	Channels     = []string{"voice", "sms"}
	TriggerTypes = []string{"call", "message", "event"}
)

func oneOf(v string, set []string) bool {
	for _, s := range set {
		if s == v {
			return true
		}
	}
	return false
}

// Input is a flow create or PATCH, decoded from the wire by transport:
// each field is absent, null (clears an optional field) or a value. The
// JSON-valued fields business_hours_json and tools_json are kept as given
// (hours.Parse reads the one; the other keeps keys humd does not read).
type Input struct {
	Name          storage.Opt[string]   `json:"name"`
	Kind          storage.Opt[string]   `json:"kind"`
	Channel       storage.Opt[string]   `json:"channel"`
	TriggerType   storage.Opt[string]   `json:"trigger_type"`
	TriggerEvents storage.Opt[[]string] `json:"trigger_events"`
	Greeting      storage.Opt[string]   `json:"greeting"`
	SystemPrompt  storage.Opt[string]   `json:"system_prompt"`
	// VoiceID and Voice are the same field under two names (voice_id wins).
	VoiceID           storage.Opt[string]          `json:"voice_id"`
	Voice             storage.Opt[string]          `json:"voice"`
	Model             storage.Opt[string]          `json:"model"`
	AvatarName        storage.Opt[string]          `json:"avatar_name"`
	AvatarURL         storage.Opt[string]          `json:"avatar_url"`
	VoicemailEnabled  storage.Opt[storage.Bool]    `json:"voicemail_enabled"`
	AnnounceRecording storage.Opt[storage.Bool]    `json:"announce_recording"`
	BusinessHoursJSON storage.Opt[json.RawMessage] `json:"business_hours_json"`
	TransfersJSON     storage.Opt[[]Transfer]      `json:"transfers_json"`
	ToolsJSON         storage.Opt[json.RawMessage] `json:"tools_json"`
	SMSConfigJSON     storage.Opt[SMSConfigInput]  `json:"sms_config_json"`
	AvatarID          storage.Opt[int64]           `json:"avatar_id"`
}

// SMSConfigInput is sms_config_json as given: a key left out takes its
// default (SPEC 1.10). A null integer counts as 0, as it always did.
type SMSConfigInput struct {
	MaxReplyChars       storage.Opt[int]          `json:"max_reply_chars"`
	DebounceMS          storage.Opt[int]          `json:"debounce_ms"`
	MaxTurnsPerWindow   storage.Opt[int]          `json:"max_turns_per_window"`
	FallbackMessage     storage.Opt[string]       `json:"fallback_message"`
	MaxMessagesPerRun   storage.Opt[int]          `json:"max_messages_per_run"`
	MaxPendingFollowups storage.Opt[int]          `json:"max_pending_followups"`
	MaxToolCallsPerTurn storage.Opt[int]          `json:"max_tool_calls_per_turn"`
	HonorQuietHours     storage.Opt[storage.Bool] `json:"honor_quiet_hours"`
	ReplyAfterHours     storage.Opt[storage.Bool] `json:"reply_after_hours"`
	Model               storage.Opt[string]       `json:"model"`
}

func text(v *storage.ValidationError, field string, min, max int, o storage.Opt[string], dst *string) {
	if !o.Set {
		return
	}
	if o.Null && min == 0 {
		*dst = ""
		return
	}
	s, _ := o.Value()
	if n := utf8.RuneCountInString(s); n < min || n > max {
		v.Addf(field, "must be %d to %d characters", min, max)
		return
	}
	*dst = s
}

func choice(v *storage.ValidationError, field string, set []string, o storage.Opt[string], dst *string) {
	if !o.Set {
		return
	}
	if s, ok := o.Value(); !ok || !oneOf(s, set) {
		v.Addf(field, "must be one of %s", strings.Join(set, ", "))
		return
	}
	*dst = o.V
}

func flag(v *storage.ValidationError, field string, o storage.Opt[storage.Bool], dst *bool) {
	if !o.Set {
		return
	}
	if o.Null {
		v.Add(field, "must be true, false, 0 or 1")
		return
	}
	*dst = bool(o.V)
}

func setTriggerEvents(f *Flow, o storage.Opt[[]string], v *storage.ValidationError) {
	evs, ok := o.Value()
	if !ok {
		f.TriggerEvents = []string{}
		return
	}
	if len(evs) > 50 {
		v.Add("trigger_events", "at most 50 events")
	}
	for i, e := range evs {
		if e == "" || len(e) > 100 || strings.ContainsAny(e, " \t\n") {
			v.Addf(fmt.Sprintf("trigger_events[%d]", i), "must be an event name such as external.order_paid")
		}
	}
	f.TriggerEvents = evs
}

func setBusinessHours(f *Flow, o storage.Opt[json.RawMessage], v *storage.ValidationError) {
	raw, ok := o.Value()
	if !ok {
		raw = json.RawMessage("null")
	}
	if _, err := hours.Parse(raw); err != nil {
		merge(v, err)
		return
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err == nil {
		raw = buf.Bytes()
	}
	f.BusinessHoursJSON = append(json.RawMessage(nil), raw...)
}

func setTransfers(f *Flow, o storage.Opt[[]Transfer], v *storage.ValidationError) {
	ts, ok := o.Value()
	if !ok {
		f.TransfersJSON = []Transfer{}
		return
	}
	if len(ts) > MaxTransfers {
		v.Addf("transfers_json", "at most %d entries", MaxTransfers)
	}
	for i, t := range ts {
		field := fmt.Sprintf("transfers_json[%d]", i)
		if n := utf8.RuneCountInString(t.Label); n < 1 || n > 60 {
			v.Add(field+".label", "must be 1 to 60 characters")
		}
		switch {
		case (t.E164 == "") == (t.FlowID == ""):
			v.Add(field, "needs exactly one of e164 or flow_id")
		case t.E164 != "" && !phone.Valid(t.E164):
			v.Add(field+".e164", "must be an E.164 number")
		}
	}
	if ts == nil {
		ts = []Transfer{}
	}
	f.TransfersJSON = ts
}

func setTools(f *Flow, o storage.Opt[json.RawMessage], v *storage.ValidationError) {
	raw, ok := o.Value()
	if !ok {
		f.ToolsJSON = json.RawMessage("null")
		return
	}
	var obj map[string]any
	if err := json.Unmarshal(raw, &obj); err != nil || obj == nil {
		v.Add("tools_json", "must be a JSON object or null")
		return
	}
	if len(raw) > MaxToolsJSON {
		v.Addf("tools_json", "at most %d bytes", MaxToolsJSON)
		return
	}
	if b, ok := obj["builtin"]; ok {
		list, ok := b.([]any)
		if !ok {
			v.Add("tools_json.builtin", "must be an array of built-in tool names (omit it to offer them all)")
			return
		}
		for i, n := range list {
			if name, _ := n.(string); !oneOf(name, VoiceBuiltins) && !oneOf(name, SMSBuiltins) {
				v.Addf(fmt.Sprintf("tools_json.builtin[%d]", i), "unknown built-in tool; one of %s", strings.Join(knownBuiltins(), ", "))
			}
		}
	}
	f.ToolsJSON = append(json.RawMessage(nil), raw...)
}

func setAvatarID(f *Flow, o storage.Opt[int64], v *storage.ValidationError) {
	id, ok := o.Value()
	if !ok {
		f.AvatarID = nil
		return
	}
	if id < 0 {
		v.Add("avatar_id", "must be a non-negative integer")
		return
	}
	f.AvatarID = &id
}

// knownBuiltins lists every built-in tool name once, voice first.
func knownBuiltins() []string {
	out := append([]string(nil), VoiceBuiltins...)
	for _, n := range SMSBuiltins {
		if !oneOf(n, out) {
			out = append(out, n)
		}
	}
	return out
}

func merge(v *storage.ValidationError, err error) {
	if ve, ok := err.(*storage.ValidationError); ok {
		for k, m := range ve.Fields {
			v.Add(k, m)
		}
		return
	}
	v.Add("body", err.Error())
}

// SMSRanges are the sms_config_json integer bounds of SPEC 1.10.
var SMSRanges = map[string][2]int{
	"max_reply_chars": {1, 1600}, "debounce_ms": {0, 30000}, "max_turns_per_window": {1, 500},
	"max_messages_per_run": {1, 5}, "max_pending_followups": {0, 20}, "max_tool_calls_per_turn": {0, 32},
}

// HonorQuietHoursOnly is why honor_quiet_hours takes only true.
const HonorQuietHoursOnly = "the AI always honors quiet hours; only true is accepted (see reply_after_hours)"

func parseSMSConfig(in SMSConfigInput) (*SMSConfig, error) {
	v := &storage.ValidationError{}
	cfg := DefaultSMSConfig()
	ints := []struct {
		key string
		in  storage.Opt[int]
		dst *int
	}{
		{"debounce_ms", in.DebounceMS, &cfg.DebounceMS},
		{"max_messages_per_run", in.MaxMessagesPerRun, &cfg.MaxMessagesPerRun},
		{"max_pending_followups", in.MaxPendingFollowups, &cfg.MaxPendingFollowups},
		{"max_reply_chars", in.MaxReplyChars, &cfg.MaxReplyChars},
		{"max_tool_calls_per_turn", in.MaxToolCallsPerTurn, &cfg.MaxToolCallsPerTurn},
		{"max_turns_per_window", in.MaxTurnsPerWindow, &cfg.MaxTurnsPerWindow},
	}
	for _, k := range ints {
		if !k.in.Set {
			continue
		}
		r := SMSRanges[k.key]
		if n := k.in.V; n < r[0] || n > r[1] {
			v.Addf("sms_config_json."+k.key, "must be an integer from %d to %d", r[0], r[1])
			continue
		}
		*k.dst = k.in.V
	}
	if in.FallbackMessage.Set {
		if s, ok := in.FallbackMessage.Value(); !ok {
			cfg.FallbackMessage = nil
		} else if s == "" {
			v.Add("sms_config_json.fallback_message", "must be a non-empty string or null")
		} else {
			cfg.FallbackMessage = &s
		}
	}
	if in.HonorQuietHours.Set && (in.HonorQuietHours.Null || !bool(in.HonorQuietHours.V)) {
		v.Add("sms_config_json.honor_quiet_hours", HonorQuietHoursOnly)
	}
	if in.ReplyAfterHours.Set {
		if in.ReplyAfterHours.Null {
			v.Add("sms_config_json.reply_after_hours", "must be a boolean")
		}
		cfg.ReplyAfterHours = bool(in.ReplyAfterHours.V)
	}
	if in.Model.Set {
		if len(in.Model.V) > MaxModel {
			v.Addf("sms_config_json.model", "must be a string of at most %d characters", MaxModel)
		} else {
			cfg.Model = in.Model.V
		}
	}
	if cfg.FallbackMessage != nil && utf8.RuneCountInString(*cfg.FallbackMessage) > cfg.MaxReplyChars {
		v.Add("sms_config_json.fallback_message", "must not be longer than max_reply_chars")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	return &cfg, nil
}

// apply sets the fields in given onto f, and then checks the merged
// record as a whole.
func apply(f *Flow, in Input, creating bool) error {
	v := &storage.ValidationError{}
	flag(v, "announce_recording", in.AnnounceRecording, &f.AnnounceRecording)
	text(v, "avatar_name", 0, 100, in.AvatarName, &f.AvatarName)
	text(v, "avatar_url", 0, 2048, in.AvatarURL, &f.AvatarURL)
	if in.AvatarID.Set {
		setAvatarID(f, in.AvatarID, v)
	}
	if in.BusinessHoursJSON.Set {
		setBusinessHours(f, in.BusinessHoursJSON, v)
	}
	choice(v, "channel", Channels, in.Channel, &f.Channel)
	text(v, "greeting", 0, MaxGreeting, in.Greeting, &f.Greeting)
	choice(v, "kind", Kinds, in.Kind, &f.Kind)
	text(v, "model", 0, MaxModel, in.Model, &f.Model)
	text(v, "name", 1, MaxName, in.Name, &f.Name)
	if in.SMSConfigJSON.Set {
		if c, ok := in.SMSConfigJSON.Value(); !ok {
			f.SMSConfigJSON = nil
		} else if cfg, err := parseSMSConfig(c); err != nil {
			merge(v, err)
		} else {
			f.SMSConfigJSON = cfg
		}
	}
	text(v, "system_prompt", 0, MaxSystemPrompt, in.SystemPrompt, &f.SystemPrompt)
	if in.ToolsJSON.Set {
		setTools(f, in.ToolsJSON, v)
	}
	if in.TransfersJSON.Set {
		setTransfers(f, in.TransfersJSON, v)
	}
	if in.TriggerEvents.Set {
		setTriggerEvents(f, in.TriggerEvents, v)
	}
	choice(v, "trigger_type", TriggerTypes, in.TriggerType, &f.TriggerType)
	text(v, "voice", 0, MaxVoiceID, in.Voice, &f.VoiceID)
	text(v, "voice_id", 0, MaxVoiceID, in.VoiceID, &f.VoiceID)
	flag(v, "voicemail_enabled", in.VoicemailEnabled, &f.VoicemailEnabled)
	if creating && !in.Name.Set {
		v.Add("name", "required")
	}
	if creating && !in.TriggerType.Set {
		f.TriggerType = "call"
		if f.Channel == "sms" {
			f.TriggerType = "message"
		}
	}
	if f.TriggerType == "event" && len(f.TriggerEvents) == 0 {
		v.Add("trigger_events", "required when trigger_type is event")
	}
	if f.Channel == "sms" && f.TriggerType == "call" {
		v.Add("trigger_type", "an sms flow is triggered by message or event")
	}
	if f.Channel == "voice" && f.TriggerType == "message" {
		v.Add("trigger_type", "a voice flow is triggered by call or event")
	}
	if f.Channel == "sms" && f.SMSConfigJSON == nil {
		cfg := DefaultSMSConfig()
		f.SMSConfigJSON = &cfg
	}
	return v.Err()
}
