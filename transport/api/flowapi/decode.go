package flowapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/flows"
	"github.com/humd/humd/transport/wire"
)

// A flow body is decoded key by key, so that every mistyped field is named
// at once with its own message; storage/flows then checks the values
// (lengths, choices, ranges, E.164, transfer targets).

// field decodes one key's JSON onto the input.
type field func(in *flows.Input, raw json.RawMessage, v *storage.ValidationError)

func isNull(raw json.RawMessage) bool { return bytes.Equal(bytes.TrimSpace(raw), []byte("null")) }

// value decodes raw into o as a T (null: o.Null), or adds msg on name.
func value[T any](v *storage.ValidationError, name, msg string, raw json.RawMessage, o *storage.Opt[T]) {
	var got storage.Opt[T]
	if err := got.UnmarshalJSON(raw); err != nil {
		v.Add(name, msg)
		return
	}
	*o = got
}

func str(name string, dst func(in *flows.Input) *storage.Opt[string]) field {
	return func(in *flows.Input, raw json.RawMessage, v *storage.ValidationError) {
		value(v, name, "must be a string", raw, dst(in))
	}
}

func oneOf(name string, set []string, dst func(in *flows.Input) *storage.Opt[string]) field {
	return func(in *flows.Input, raw json.RawMessage, v *storage.ValidationError) {
		value(v, name, "must be one of "+strings.Join(set, ", "), raw, dst(in))
	}
}

// boolean takes true, false, 0 or 1 (never null).
func boolean(name string, dst func(in *flows.Input) *storage.Opt[storage.Bool]) field {
	return func(in *flows.Input, raw json.RawMessage, v *storage.ValidationError) {
		var b storage.Bool
		if err := json.Unmarshal(raw, &b); err != nil {
			v.Add(name, "must be true, false, 0 or 1")
			return
		}
		*dst(in) = storage.Some(b)
	}
}

var flowFields = map[string]field{
	"name":               str("name", func(in *flows.Input) *storage.Opt[string] { return &in.Name }),
	"kind":               oneOf("kind", flows.Kinds, func(in *flows.Input) *storage.Opt[string] { return &in.Kind }),
	"channel":            oneOf("channel", flows.Channels, func(in *flows.Input) *storage.Opt[string] { return &in.Channel }),
	"trigger_type":       oneOf("trigger_type", flows.TriggerTypes, func(in *flows.Input) *storage.Opt[string] { return &in.TriggerType }),
	"greeting":           str("greeting", func(in *flows.Input) *storage.Opt[string] { return &in.Greeting }),
	"system_prompt":      str("system_prompt", func(in *flows.Input) *storage.Opt[string] { return &in.SystemPrompt }),
	"voice_id":           str("voice_id", func(in *flows.Input) *storage.Opt[string] { return &in.VoiceID }),
	"voice":              str("voice", func(in *flows.Input) *storage.Opt[string] { return &in.Voice }),
	"model":              str("model", func(in *flows.Input) *storage.Opt[string] { return &in.Model }),
	"avatar_name":        str("avatar_name", func(in *flows.Input) *storage.Opt[string] { return &in.AvatarName }),
	"avatar_url":         str("avatar_url", func(in *flows.Input) *storage.Opt[string] { return &in.AvatarURL }),
	"voicemail_enabled":  boolean("voicemail_enabled", func(in *flows.Input) *storage.Opt[storage.Bool] { return &in.VoicemailEnabled }),
	"announce_recording": boolean("announce_recording", func(in *flows.Input) *storage.Opt[storage.Bool] { return &in.AnnounceRecording }),
	"trigger_events": func(in *flows.Input, raw json.RawMessage, v *storage.ValidationError) {
		value(v, "trigger_events", "must be an array of strings", raw, &in.TriggerEvents)
	},
	// business_hours_json is JSON by design: storage/hours parses it (and
	// names its fields).
	"business_hours_json": func(in *flows.Input, raw json.RawMessage, _ *storage.ValidationError) {
		in.BusinessHoursJSON = storage.Opt[json.RawMessage]{Set: true, Null: isNull(raw), V: append(json.RawMessage(nil), raw...)}
	},
	"transfers_json": func(in *flows.Input, raw json.RawMessage, v *storage.ValidationError) {
		if isNull(raw) {
			in.TransfersJSON = storage.Opt[[]flows.Transfer]{Set: true, Null: true}
			return
		}
		var ts []flows.Transfer
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&ts); err != nil || ts == nil {
			v.Add("transfers_json", `must be an array of {label, e164} or {label, flow_id}`)
			return
		}
		in.TransfersJSON = storage.Some(ts)
	},
	// tools_json keeps the keys humd does not read as they were saved.
	"tools_json": func(in *flows.Input, raw json.RawMessage, v *storage.ValidationError) {
		if isNull(raw) {
			in.ToolsJSON = storage.Opt[json.RawMessage]{Set: true, Null: true}
			return
		}
		if t := bytes.TrimSpace(raw); len(t) == 0 || t[0] != '{' {
			v.Add("tools_json", "must be a JSON object or null")
			return
		}
		in.ToolsJSON = storage.Some(append(json.RawMessage(nil), raw...))
	},
	"sms_config_json": func(in *flows.Input, raw json.RawMessage, v *storage.ValidationError) {
		if isNull(raw) {
			in.SMSConfigJSON = storage.Opt[flows.SMSConfigInput]{Set: true, Null: true}
			return
		}
		cfg, ok := decodeSMSConfig(raw, v)
		if ok {
			in.SMSConfigJSON = storage.Some(cfg)
		}
	},
	"avatar_id": func(in *flows.Input, raw json.RawMessage, v *storage.ValidationError) {
		value(v, "avatar_id", "must be a non-negative integer", raw, &in.AvatarID)
	},
}

// decodeSMSConfig decodes sms_config_json key by key; a key left out takes
// its default in storage/flows.
func decodeSMSConfig(raw json.RawMessage, v *storage.ValidationError) (flows.SMSConfigInput, bool) {
	var cfg flows.SMSConfigInput
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil || m == nil {
		v.Add("sms_config_json", "must be an object or null")
		return cfg, false
	}
	ints := map[string]*storage.Opt[int]{"max_reply_chars": &cfg.MaxReplyChars, "debounce_ms": &cfg.DebounceMS,
		"max_turns_per_window": &cfg.MaxTurnsPerWindow, "max_messages_per_run": &cfg.MaxMessagesPerRun,
		"max_pending_followups": &cfg.MaxPendingFollowups, "max_tool_calls_per_turn": &cfg.MaxToolCallsPerTurn}
	bad := len(v.Fields)
	for _, k := range sortedKeys(m) {
		val, name := m[k], "sms_config_json."+k
		if dst, ok := ints[k]; ok {
			r := flows.SMSRanges[k]
			value(v, name, fmt.Sprintf("must be an integer from %d to %d", r[0], r[1]), val, dst)
			continue
		}
		switch k {
		case "fallback_message":
			value(v, name, "must be a non-empty string or null", val, &cfg.FallbackMessage)
		case "honor_quiet_hours":
			var b storage.Bool
			if err := json.Unmarshal(val, &b); err != nil {
				v.Add(name, flows.HonorQuietHoursOnly)
				continue
			}
			cfg.HonorQuietHours = storage.Some(b)
		case "reply_after_hours":
			var b storage.Bool
			if err := json.Unmarshal(val, &b); err != nil {
				v.Add(name, "must be a boolean")
				continue
			}
			cfg.ReplyAfterHours = storage.Some(b)
		case "model":
			var s string
			if err := json.Unmarshal(val, &s); err != nil {
				v.Addf(name, "must be a string of at most %d characters", flows.MaxModel)
				continue
			}
			cfg.Model = storage.Some(s)
		default:
			v.Add(name, "unknown key")
		}
	}
	return cfg, len(v.Fields) == bad
}

// decodeFlow decodes a flow create or PATCH body: strict (an unknown key
// is 422) and typed.
func decodeFlow(body []byte) (flows.Input, error) {
	var in flows.Input
	var m map[string]json.RawMessage
	if err := wire.DecodeStrict(body, &m); err != nil {
		return in, err
	}
	if m == nil {
		return in, storage.Invalid("body", "a JSON object is required")
	}
	v := &storage.ValidationError{}
	for _, k := range sortedKeys(m) {
		f, ok := flowFields[k]
		if !ok {
			v.Add(k, "unknown field")
			continue
		}
		f(&in, m[k], v)
	}
	return in, v.Err()
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
