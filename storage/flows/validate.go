package flows

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
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

var (
	kinds        = []string{"inbound", "outbound"}
	channels     = []string{"voice", "sms"}
	triggerTypes = []string{"call", "message", "event"}
)

func oneOf(v string, set []string) bool {
	for _, s := range set {
		if s == v {
			return true
		}
	}
	return false
}

// setter decodes one field's raw JSON onto f; null clears optional fields.
type setter func(f *Flow, raw json.RawMessage, v *storage.ValidationError)

func isNull(raw json.RawMessage) bool { return bytes.Equal(bytes.TrimSpace(raw), []byte("null")) }

func text(field string, min, max int, dst func(f *Flow) *string) setter {
	return func(f *Flow, raw json.RawMessage, v *storage.ValidationError) {
		if isNull(raw) && min == 0 {
			*dst(f) = ""
			return
		}
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			v.Add(field, "must be a string")
			return
		}
		if n := utf8.RuneCountInString(s); n < min || n > max {
			v.Addf(field, "must be %d to %d characters", min, max)
			return
		}
		*dst(f) = s
	}
}

func choice(field string, set []string, dst func(f *Flow) *string) setter {
	return func(f *Flow, raw json.RawMessage, v *storage.ValidationError) {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil || !oneOf(s, set) {
			v.Addf(field, "must be one of %s", strings.Join(set, ", "))
			return
		}
		*dst(f) = s
	}
}

func flag(field string, dst func(f *Flow) *bool) setter {
	return func(f *Flow, raw json.RawMessage, v *storage.ValidationError) {
		var b storage.Bool
		if err := json.Unmarshal(raw, &b); err != nil {
			v.Add(field, "must be true, false, 0 or 1")
			return
		}
		*dst(f) = bool(b)
	}
}

var setters = map[string]setter{
	"name":               text("name", 1, MaxName, func(f *Flow) *string { return &f.Name }),
	"kind":               choice("kind", kinds, func(f *Flow) *string { return &f.Kind }),
	"channel":            choice("channel", channels, func(f *Flow) *string { return &f.Channel }),
	"trigger_type":       choice("trigger_type", triggerTypes, func(f *Flow) *string { return &f.TriggerType }),
	"greeting":           text("greeting", 0, MaxGreeting, func(f *Flow) *string { return &f.Greeting }),
	"system_prompt":      text("system_prompt", 0, MaxSystemPrompt, func(f *Flow) *string { return &f.SystemPrompt }),
	"voice_id":           text("voice_id", 0, MaxVoiceID, func(f *Flow) *string { return &f.VoiceID }),
	"voice":              text("voice", 0, MaxVoiceID, func(f *Flow) *string { return &f.VoiceID }),
	"model":              text("model", 0, MaxModel, func(f *Flow) *string { return &f.Model }),
	"avatar_name":        text("avatar_name", 0, 100, func(f *Flow) *string { return &f.AvatarName }),
	"avatar_url":         text("avatar_url", 0, 2048, func(f *Flow) *string { return &f.AvatarURL }),
	"voicemail_enabled":  flag("voicemail_enabled", func(f *Flow) *bool { return &f.VoicemailEnabled }),
	"announce_recording": flag("announce_recording", func(f *Flow) *bool { return &f.AnnounceRecording }),
	"trigger_events": func(f *Flow, raw json.RawMessage, v *storage.ValidationError) {
		if isNull(raw) {
			f.TriggerEvents = []string{}
			return
		}
		var evs []string
		if err := json.Unmarshal(raw, &evs); err != nil {
			v.Add("trigger_events", "must be an array of strings")
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
	},
	"business_hours_json": func(f *Flow, raw json.RawMessage, v *storage.ValidationError) {
		if _, err := hours.Parse(raw); err != nil {
			merge(v, err)
			return
		}
		if isNull(raw) {
			raw = json.RawMessage("null")
		}
		var buf bytes.Buffer
		if err := json.Compact(&buf, raw); err == nil {
			raw = buf.Bytes()
		}
		f.BusinessHoursJSON = append(json.RawMessage(nil), raw...)
	},
	"transfers_json": func(f *Flow, raw json.RawMessage, v *storage.ValidationError) {
		if isNull(raw) {
			f.TransfersJSON = []Transfer{}
			return
		}
		var ts []Transfer
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&ts); err != nil {
			v.Add("transfers_json", `must be an array of {label, e164} or {label, flow_id}`)
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
		f.TransfersJSON = ts
	},
	"tools_json": func(f *Flow, raw json.RawMessage, v *storage.ValidationError) {
		if isNull(raw) {
			f.ToolsJSON = json.RawMessage("null")
			return
		}
		var obj map[string]any
		if err := json.Unmarshal(raw, &obj); err != nil {
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
	},
	"sms_config_json": func(f *Flow, raw json.RawMessage, v *storage.ValidationError) {
		if isNull(raw) {
			f.SMSConfigJSON = nil
			return
		}
		cfg, err := parseSMSConfig(raw)
		if err != nil {
			merge(v, err)
			return
		}
		f.SMSConfigJSON = cfg
	},
	"avatar_id": func(f *Flow, raw json.RawMessage, v *storage.ValidationError) {
		if isNull(raw) {
			f.AvatarID = nil
			return
		}
		var id int64
		if err := json.Unmarshal(raw, &id); err != nil || id < 0 {
			v.Add("avatar_id", "must be a non-negative integer")
			return
		}
		f.AvatarID = &id
	},
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

// smsRanges are the sms_config_json integer bounds of SPEC 1.10.
var smsRanges = map[string][2]int{
	"max_reply_chars": {1, 1600}, "debounce_ms": {0, 30000}, "max_turns_per_window": {1, 500},
	"max_messages_per_run": {1, 5}, "max_pending_followups": {0, 20}, "max_tool_calls_per_turn": {0, 32},
}

func parseSMSConfig(raw json.RawMessage) (*SMSConfig, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, storage.Invalid("sms_config_json", "must be an object or null")
	}
	v := &storage.ValidationError{}
	cfg := DefaultSMSConfig()
	ints := map[string]*int{"max_reply_chars": &cfg.MaxReplyChars, "debounce_ms": &cfg.DebounceMS, "max_turns_per_window": &cfg.MaxTurnsPerWindow,
		"max_messages_per_run": &cfg.MaxMessagesPerRun, "max_pending_followups": &cfg.MaxPendingFollowups, "max_tool_calls_per_turn": &cfg.MaxToolCallsPerTurn}
	for _, k := range sortedKeys(m) {
		val := m[k]
		field := "sms_config_json." + k
		if dst, ok := ints[k]; ok {
			var n int
			r := smsRanges[k]
			if err := json.Unmarshal(val, &n); err != nil || n < r[0] || n > r[1] {
				v.Addf(field, "must be an integer from %d to %d", r[0], r[1])
				continue
			}
			*dst = n
			continue
		}
		switch k {
		case "fallback_message":
			if isNull(val) {
				cfg.FallbackMessage = nil
				continue
			}
			var s string
			if err := json.Unmarshal(val, &s); err != nil || s == "" {
				v.Add(field, "must be a non-empty string or null")
				continue
			}
			cfg.FallbackMessage = &s
		case "honor_quiet_hours":
			var b storage.Bool
			if err := json.Unmarshal(val, &b); err != nil || !b {
				v.Add(field, "the AI always honors quiet hours; only true is accepted (see reply_after_hours)")
			}
		case "reply_after_hours":
			var b storage.Bool
			if err := json.Unmarshal(val, &b); err != nil {
				v.Add(field, "must be a boolean")
				continue
			}
			cfg.ReplyAfterHours = bool(b)
		case "model":
			var s string
			if err := json.Unmarshal(val, &s); err != nil || len(s) > MaxModel {
				v.Addf(field, "must be a string of at most %d characters", MaxModel)
				continue
			}
			cfg.Model = s
		default:
			v.Add(field, "unknown key")
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

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// apply decodes a create or patch body onto f: strict (unknown keys are
// 422), typed, and then checks the merged record as a whole.
func apply(f *Flow, body []byte, creating bool) error {
	var m map[string]json.RawMessage
	if err := storage.DecodeStrict(body, &m); err != nil {
		return err
	}
	if m == nil {
		return storage.Invalid("body", "a JSON object is required")
	}
	v := &storage.ValidationError{}
	for _, k := range sortedKeys(m) {
		set, ok := setters[k]
		if !ok {
			v.Add(k, "unknown field")
			continue
		}
		set(f, m[k], v)
	}
	if _, ok := m["name"]; creating && !ok {
		v.Add("name", "required")
	}
	if _, ok := m["trigger_type"]; creating && !ok {
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
