package console

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"

	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/flows"
	"github.com/humd/humd/storage/hours"
	"github.com/humd/humd/transport/httpapi"
)

// flowForm is the flow editor's form: filled from a stored flow to show
// it, or from a post to save it (and to show it again, as typed, beside
// its validation errors).
type flowForm struct {
	Name, Kind, Channel, Greeting, SystemPrompt, Model string
	Voicemail, AnnounceRecording                       bool

	// Business hours: none (always open), or a weekly schedule in a zone.
	AlwaysOpen  bool
	Timezone    string
	Days        []dayRows
	ClosedDates []string
	AfterHours  string

	// SMS settings, as typed (numbers are checked when saved).
	SMS             map[string]string
	Fallback        string
	ReplyAfterHours bool
	BuiltinAll      bool
	Builtins        map[string]bool
	Transfers       []flows.Transfer
	MCP             map[string]bool
	toolsJSON       json.RawMessage // kept whole but for its builtin key
}

// dayRows are one weekday's opening windows.
type dayRows struct {
	Key, Label string
	Rows       [][2]string
}

// hourRow is one opening window's row in the editor.
type hourRow struct{ Day, Label, Open, Close string }

// Items are the day's rows as the editor shows them.
func (d dayRows) Items() []hourRow {
	out := make([]hourRow, 0, len(d.Rows))
	for _, r := range d.Rows {
		out = append(out, hourRow{Day: d.Key, Label: d.Label, Open: r[0], Close: r[1]})
	}
	return out
}

var dayLabels = map[string]string{"mon": "Monday", "tue": "Tuesday", "wed": "Wednesday", "thu": "Thursday",
	"fri": "Friday", "sat": "Saturday", "sun": "Sunday"}

// smsCaps are the SMS caps the editor shows, in order, each said in words.
var smsCaps = []struct{ Key, Label, Help string }{
	{"debounce_ms", "Wait before answering (ms)", "After a contact's last text the AI waits this long for more before it answers, so three quick texts get one reply (0 to 30000; 1500 is a second and a half)."},
	{"max_turns_per_window", "Answers per 10 minutes", "The most AI runs one thread may have in any 10 minutes; past it the AI pauses on that thread (1 to 500)."},
	{"max_messages_per_run", "Texts per answer", "How many texts one AI run may send, the reply included (1 to 5)."},
	{"max_pending_followups", "Pending follow-ups", "How many follow-up texts the AI may have scheduled on one thread at a time (0 to 20)."},
	{"max_tool_calls_per_turn", "Tool calls per answer", "How many tools the AI may call while working out one answer (0 to 32)."},
	{"max_reply_chars", "Longest reply (characters)", "The hard cap on one AI reply's length (1 to 1600)."},
}

// builtinTools lists every built-in tool once, with what it is for.
var builtinTools = []struct{ Name, Help string }{
	{"lookup_knowledge", "search the knowledge base (calls and texts)"},
	{"report_outcome", "record the outcome (calls and texts)"},
	{"assign_to_human", "hand the thread to a person (texts)"},
	{"close_conversation", "close the thread (texts)"},
	{"transfer_sms_to_flow", "hand the thread to another flow (texts)"},
	{"schedule_followup_sms", "schedule a follow-up text (texts)"},
	{"end_call", "hang up (calls)"},
	{"transfer_call", "transfer the call (calls)"},
	{"send_sms", "text the caller (calls)"},
	{"send_digits", "press keys in a phone menu (calls)"},
	{"opt_out", "opt the caller out (calls; always offered)"},
}

// blankFlowForm is a new flow's form: SPEC defaults, always open.
func blankFlowForm() *flowForm {
	f := &flowForm{Kind: "inbound", Channel: "sms", AlwaysOpen: true, BuiltinAll: true, Builtins: map[string]bool{}, MCP: map[string]bool{}}
	f.setSMS(flows.DefaultSMSConfig())
	f.setHours(nil)
	return f
}

func (f *flowForm) setSMS(c flows.SMSConfig) {
	f.SMS = map[string]string{"debounce_ms": strconv.Itoa(c.DebounceMS), "max_turns_per_window": strconv.Itoa(c.MaxTurnsPerWindow),
		"max_messages_per_run": strconv.Itoa(c.MaxMessagesPerRun), "max_pending_followups": strconv.Itoa(c.MaxPendingFollowups),
		"max_tool_calls_per_turn": strconv.Itoa(c.MaxToolCallsPerTurn), "max_reply_chars": strconv.Itoa(c.MaxReplyChars)}
	f.Fallback, f.ReplyAfterHours = "", c.ReplyAfterHours
	if c.FallbackMessage != nil {
		f.Fallback = *c.FallbackMessage
	}
}

// hoursWire is business_hours_json's shape (storage/hours).
type hoursWire struct {
	Timezone          string                `json:"timezone"`
	Weekly            map[string][][]string `json:"weekly"`
	ClosedDates       []string              `json:"closed_dates,omitempty"`
	AfterHoursMessage *string               `json:"after_hours_message,omitempty"`
}

// setHours shows a schedule; every day gets at least one (maybe empty) row
// to type into.
func (f *flowForm) setHours(w *hoursWire) {
	f.Days, f.ClosedDates, f.AfterHours = nil, nil, ""
	if w != nil {
		f.Timezone, f.ClosedDates = w.Timezone, w.ClosedDates
		if w.AfterHoursMessage != nil {
			f.AfterHours = *w.AfterHoursMessage
		}
	}
	for _, d := range hours.Days {
		day := dayRows{Key: d, Label: dayLabels[d]}
		if w != nil {
			for _, p := range w.Weekly[d] {
				if len(p) == 2 {
					day.Rows = append(day.Rows, [2]string{p[0], p[1]})
				}
			}
		}
		if len(day.Rows) == 0 {
			day.Rows = [][2]string{{"", ""}}
		}
		f.Days = append(f.Days, day)
	}
	if len(f.ClosedDates) == 0 {
		f.ClosedDates = []string{""}
	}
}

// flowFormOf shows a stored flow.
func flowFormOf(fl *flows.Flow, mcp []string) *flowForm {
	f := &flowForm{Name: fl.Name, Kind: fl.Kind, Channel: fl.Channel, Greeting: fl.Greeting, SystemPrompt: fl.SystemPrompt,
		Model: fl.Model, Voicemail: fl.VoicemailEnabled, AnnounceRecording: fl.AnnounceRecording, Builtins: map[string]bool{},
		MCP: map[string]bool{}, Transfers: fl.TransfersJSON, toolsJSON: fl.ToolsJSON}
	f.setSMS(fl.SMS())
	var w *hoursWire
	if raw := strings.TrimSpace(string(fl.BusinessHoursJSON)); raw != "" && raw != "null" {
		w = &hoursWire{}
		if json.Unmarshal(fl.BusinessHoursJSON, w) != nil {
			w = nil
		}
	}
	f.AlwaysOpen = w == nil
	f.setHours(w)
	names, all := fl.Builtins()
	f.BuiltinAll = all
	for _, n := range names {
		f.Builtins[n] = true
	}
	for _, id := range mcp {
		f.MCP[id] = true
	}
	return f
}

// multi reads every value of a repeated form field, trimmed.
func multi(c *httpapi.Call, name string) []string {
	var out []string
	for _, v := range c.Ctx.PostArgs().PeekMulti(name) {
		out = append(out, strings.TrimSpace(string(v)))
	}
	return out
}

func checked(c *httpapi.Call, name string) bool { return form(c, name) != "" }

// flowFormFrom reads the posted editor. old is the flow being edited (nil
// for a new one), whose other tools_json keys are kept.
func flowFormFrom(c *httpapi.Call, old *flows.Flow) *flowForm {
	f := &flowForm{Name: form(c, "name"), Kind: form(c, "kind"), Channel: form(c, "channel"), Greeting: form(c, "greeting"),
		SystemPrompt: form(c, "system_prompt"), Model: form(c, "model"), Voicemail: checked(c, "voicemail_enabled"),
		AnnounceRecording: checked(c, "announce_recording"), AlwaysOpen: checked(c, "always_open"), Timezone: form(c, "timezone"),
		AfterHours: form(c, "after_hours_message"), SMS: map[string]string{}, Fallback: form(c, "fallback_message"),
		ReplyAfterHours: checked(c, "reply_after_hours"), BuiltinAll: checked(c, "builtin_all"), Builtins: map[string]bool{},
		MCP: map[string]bool{}}
	if old != nil {
		f.toolsJSON = old.ToolsJSON
	}
	for _, d := range hours.Days {
		day := dayRows{Key: d, Label: dayLabels[d]}
		opens, closes := multi(c, "open_"+d), multi(c, "close_"+d)
		for i := range max(len(opens), len(closes)) {
			var r [2]string
			if i < len(opens) {
				r[0] = opens[i]
			}
			if i < len(closes) {
				r[1] = closes[i]
			}
			if r[0] != "" || r[1] != "" {
				day.Rows = append(day.Rows, r)
			}
		}
		if len(day.Rows) == 0 {
			day.Rows = [][2]string{{"", ""}}
		}
		f.Days = append(f.Days, day)
	}
	for _, d := range multi(c, "closed_date") {
		if d != "" {
			f.ClosedDates = append(f.ClosedDates, d)
		}
	}
	if len(f.ClosedDates) == 0 {
		f.ClosedDates = []string{""}
	}
	for _, k := range smsCaps {
		f.SMS[k.Key] = form(c, k.Key)
	}
	for _, n := range multi(c, "builtin") {
		f.Builtins[n] = true
	}
	labels, e164s, flowIDs := multi(c, "transfer_label"), multi(c, "transfer_e164"), multi(c, "transfer_flow")
	for i := range labels {
		t := flows.Transfer{Label: labels[i]}
		if i < len(e164s) {
			t.E164 = e164s[i]
		}
		if i < len(flowIDs) {
			t.FlowID = flowIDs[i]
		}
		if t.Label != "" || t.E164 != "" || t.FlowID != "" {
			f.Transfers = append(f.Transfers, t)
		}
	}
	for _, id := range multi(c, "mcp") {
		f.MCP[id] = true
	}
	return f
}

// input is the service's input for the form; numbers that are not numbers
// are field errors here, with the service's field names.
func (f *flowForm) input() (flows.Input, error) {
	v := &storage.ValidationError{}
	in := flows.Input{Name: storage.Some(f.Name), Kind: storage.Some(f.Kind), Channel: storage.Some(f.Channel),
		Greeting: storage.Some(f.Greeting), SystemPrompt: storage.Some(f.SystemPrompt), Model: storage.Some(f.Model),
		VoicemailEnabled: storage.Some(storage.Bool(f.Voicemail)), AnnounceRecording: storage.Some(storage.Bool(f.AnnounceRecording)),
		TransfersJSON: storage.Some(f.Transfers)}
	if in.TransfersJSON.V == nil {
		in.TransfersJSON.V = []flows.Transfer{}
	}
	if f.AlwaysOpen {
		in.BusinessHoursJSON = storage.Opt[json.RawMessage]{Set: true, Null: true}
	} else {
		w := hoursWire{Timezone: f.Timezone, Weekly: map[string][][]string{}}
		for _, d := range f.Days {
			for _, r := range d.Rows {
				if r[0] != "" || r[1] != "" {
					w.Weekly[d.Key] = append(w.Weekly[d.Key], []string{r[0], r[1]})
				}
			}
		}
		for _, d := range f.ClosedDates {
			if d != "" {
				w.ClosedDates = append(w.ClosedDates, d)
			}
		}
		if f.AfterHours != "" {
			w.AfterHoursMessage = &f.AfterHours
		}
		raw, err := json.Marshal(w)
		if err != nil {
			return in, err
		}
		in.BusinessHoursJSON = storage.Some(json.RawMessage(raw))
	}
	sc := flows.SMSConfigInput{ReplyAfterHours: storage.Some(storage.Bool(f.ReplyAfterHours))}
	dst := map[string]*storage.Opt[int]{"debounce_ms": &sc.DebounceMS, "max_turns_per_window": &sc.MaxTurnsPerWindow,
		"max_messages_per_run": &sc.MaxMessagesPerRun, "max_pending_followups": &sc.MaxPendingFollowups,
		"max_tool_calls_per_turn": &sc.MaxToolCallsPerTurn, "max_reply_chars": &sc.MaxReplyChars}
	for _, k := range smsCaps {
		s := f.SMS[k.Key]
		if s == "" {
			continue // the default
		}
		n, err := strconv.Atoi(s)
		if err != nil {
			v.Add("sms_config_json."+k.Key, "must be a whole number")
			continue
		}
		*dst[k.Key] = storage.Some(n)
	}
	if f.Fallback != "" {
		sc.FallbackMessage = storage.Some(f.Fallback)
	}
	in.SMSConfigJSON = storage.Some(sc)
	tools, err := f.tools()
	if err != nil {
		v.Add("tools_json", err.Error())
	} else {
		in.ToolsJSON = storage.Some(tools)
	}
	return in, v.Err()
}

// tools is tools_json with the form's builtin list (absent: all), other
// keys as they were.
func (f *flowForm) tools() (json.RawMessage, error) {
	obj := map[string]any{}
	if raw := strings.TrimSpace(string(f.toolsJSON)); raw != "" && raw != "null" {
		if err := json.Unmarshal(f.toolsJSON, &obj); err != nil || obj == nil {
			obj = map[string]any{}
		}
	}
	delete(obj, "builtin")
	if !f.BuiltinAll {
		list := []string{}
		for _, b := range builtinTools {
			if f.Builtins[b.Name] {
				list = append(list, b.Name)
			}
		}
		obj["builtin"] = list
	}
	return json.Marshal(obj)
}

// mcpIDs are the checked integrations, in a stable order.
func (f *flowForm) mcpIDs() []string {
	out := []string{}
	for id, on := range f.MCP {
		if on {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}
