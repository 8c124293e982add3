package httpapi

import (
	"encoding/json"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/humd/humd/storage/brands"
	"github.com/humd/humd/storage/calls"
	"github.com/humd/humd/storage/campaigns"
	"github.com/humd/humd/storage/crm"
	"github.com/humd/humd/storage/events"
	"github.com/humd/humd/storage/flows"
	"github.com/humd/humd/storage/flowtools"
	"github.com/humd/humd/storage/knowledge"
	"github.com/humd/humd/storage/mcptools"
	"github.com/humd/humd/storage/sms"
	"github.com/humd/humd/storage/tenancy"
	"github.com/humd/humd/storage/triggers"
	"github.com/humd/humd/storage/webhooks"
)

// componentTypes pairs each component schema with the Go type its answers
// are encoded from, so a field added to the type and not to the document
// fails here even when no end-to-end test happens to see it.
var componentTypes = map[string]any{
	"Org": tenancy.Org{}, "KeyView": tenancy.KeyView{}, "Member": tenancy.Member{}, "Invite": tenancy.Invite{},
	"Conversation": ConversationView{}, "OpenedConversation": OpenedConversationView{}, "Message": sms.Message{}, "Run": sms.Run{}, "Scheduled": sms.Scheduled{},
	"Number": sms.Number{}, "Contact": sms.Contact{}, "Block": sms.Block{}, "OptOut": sms.OptOut{}, "Event": events.Event{},
	"AvailableNumber": sms.AvailableNumber{},
	"Call":            calls.Call{}, "CallDetail": callReview{}, "CallTurn": calls.Turn{}, "ToolActivity": calls.ToolActivity{},
	"CallNote": calls.Note{}, "Voicemail": calls.Voicemail{}, "OrgTag": calls.OrgTag{}, "CallStats": calls.Stats{},
	"Campaign": campaigns.View{}, "CampaignRecipient": campaigns.Recipient{},
	"CRMConnector": crm.Connector{}, "CRMLog": crm.LogEntry{},
	"FlowTool": flowtools.Tool{}, "FlowToolExecution": flowtools.Execution{}, "Flow": flows.Flow{},
	"KnowledgeDoc": knowledge.Doc{}, "Passage": knowledge.Passage{},
	"MCPIntegration": mcptools.Integration{}, "Approval": mcptools.Approval{},
	"Trigger": triggers.Trigger{}, "Webhook": webhooks.Endpoint{}, "Delivery": webhooks.Delivery{},
	"Brand": brands.Brand{}, "CallSummary": calls.Summary{}, "CampaignCounts": campaigns.Counts{},
	"CampaignRecord": campaigns.Campaign{},
}

// componentExtras are keys a handler adds to the type's own (a secret
// answered once, a computed field).
var componentExtras = map[string][]string{
	"CRMConnector": {"secret"}, "FlowTool": {"secret"}, "Webhook": {"signing_secret"},
}

// componentsWithoutType are built by handlers as maps; their shapes are
// held to real answers by the end-to-end validator only.
var componentsWithoutType = []string{"SendResult", "LookupJob", "SyncResult", "BillingSubscription", "CallTags", "Error",
	"AddressError", "AgentError", "EventData"}

type goField struct {
	name      string
	t         reflect.Type
	omitempty bool
}

// jsonFields lists the keys encoding/json writes for t, embedded structs
// flattened and shallower fields winning, as encoding/json does.
func jsonFields(t reflect.Type) []goField {
	var out []goField
	seen := map[string]bool{}
	var walk func(t reflect.Type, depth int)
	type pending struct {
		t     reflect.Type
		depth int
	}
	var embedded []pending
	walk = func(t reflect.Type, depth int) {
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			tag := f.Tag.Get("json")
			if tag == "-" || (!f.IsExported() && !f.Anonymous) {
				continue
			}
			name, opts, _ := strings.Cut(tag, ",")
			ft := f.Type
			if f.Anonymous && name == "" {
				if ft.Kind() == reflect.Pointer {
					ft = ft.Elem()
				}
				if ft.Kind() == reflect.Struct {
					embedded = append(embedded, pending{ft, depth + 1})
					continue
				}
			}
			if name == "" {
				name = f.Name
			}
			if seen[name] {
				continue
			}
			seen[name] = true
			out = append(out, goField{name: name, t: ft, omitempty: strings.Contains(opts, "omitempty")})
		}
	}
	walk(t, 0)
	for len(embedded) > 0 {
		next := embedded[0]
		embedded = embedded[1:]
		walk(next.t, next.depth)
	}
	return out
}

// schemaTypes is the set of JSON types a schema allows ("" for any).
func schemaTypes(s any) map[string]bool {
	m, _ := s.(Schema)
	if m == nil {
		if mm, ok := s.(map[string]any); ok {
			m = mm
		}
	}
	out := map[string]bool{}
	if r, ok := m["$ref"].(string); ok {
		c, _ := componentSchemas[strings.TrimPrefix(r, "#/components/schemas/")].(Schema)
		return schemaTypes(c)
	}
	switch t := m["type"].(type) {
	case string:
		out[t] = true
	case []string:
		for _, x := range t {
			out[x] = true
		}
	}
	for _, key := range []string{"anyOf", "oneOf"} {
		if alts, ok := m[key].([]any); ok {
			for _, a := range alts {
				for k := range schemaTypes(a) {
					out[k] = true
				}
			}
		}
	}
	if _, ok := m["const"]; ok && len(out) == 0 {
		out[""] = true
	}
	if len(out) == 0 {
		out[""] = true
	}
	return out
}

var (
	timeType = reflect.TypeOf(time.Time{})
	rawType  = reflect.TypeOf(json.RawMessage{})
)

// jsonKind is the JSON type a Go type encodes as, "" when it varies.
func jsonKind(t reflect.Type) string {
	switch {
	case t == timeType:
		return "string"
	case t == rawType, t.Kind() == reflect.Interface:
		return ""
	}
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "integer"
	case reflect.Float32, reflect.Float64:
		return "number"
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return "string"
		}
		return "array"
	case reflect.Map, reflect.Struct:
		return "object"
	case reflect.Pointer:
		return jsonKind(t.Elem())
	}
	return ""
}

// TestComponentsDeclareGoFields holds each component schema to the Go type
// it is encoded from: every key declared with a compatible type, null
// allowed where a nil pointer writes it, required only for keys always
// written, and nothing declared that the type never writes.
func TestComponentsDeclareGoFields(t *testing.T) {
	New(Config{}, Deps{}) // route tables add some component properties
	for _, name := range sortedKeys(componentSchemas) {
		v, ok := componentTypes[name]
		if !ok {
			if !slices.Contains(componentsWithoutType, name) {
				t.Errorf("component %s has no Go type in componentTypes", name)
			}
			continue
		}
		checkFields(t, name, componentSchemas[name].(Schema), reflect.TypeOf(v), componentExtras[name])
	}
}

// checkFields compares one object schema with the struct it is encoded
// from, and recurses into inline object properties of struct fields.
func checkFields(t *testing.T, name string, schema Schema, typ reflect.Type, extras []string) {
	t.Helper()
	props, _ := schema["properties"].(map[string]Schema)
	required, _ := schema["required"].([]string)
	written := map[string]bool{}
	for _, f := range jsonFields(typ) {
		written[f.name] = true
		p, ok := props[f.name]
		if !ok {
			t.Errorf("%s.%s (%s) is not declared", name, f.name, f.t)
			continue
		}
		types := schemaTypes(p)
		if k := jsonKind(f.t); k != "" && !types[""] && !types[k] && !(k == "integer" && types["number"]) {
			t.Errorf("%s.%s is %s in Go (%s) but %v in the schema", name, f.name, k, f.t, keysOf(types))
		}
		if f.t.Kind() == reflect.Pointer && !f.omitempty && !types[""] && !types["null"] {
			t.Errorf("%s.%s is a pointer written as null when nil, but the schema does not allow null", name, f.name)
		}
		if f.omitempty && slices.Contains(required, f.name) {
			t.Errorf("%s.%s is omitempty in Go but required in the schema", name, f.name)
		}
		if inner, it := innerObject(p, f.t); inner != nil {
			checkFields(t, name+"."+f.name, inner, it, nil)
		}
	}
	for p := range props {
		if !written[p] && !slices.Contains(extras, p) {
			t.Errorf("%s declares %s, which %s never writes", name, p, typ)
		}
	}
	for _, r := range required {
		if _, ok := props[r]; !ok {
			t.Errorf("%s requires %s but does not declare it", name, r)
		}
	}
}

// innerObject finds the inline object schema (not a $ref: components are
// checked on their own) of a struct-valued field, or of its items.
func innerObject(p Schema, t reflect.Type) (Schema, reflect.Type) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if alts, ok := p["anyOf"].([]any); ok {
		for _, a := range alts {
			if m, ok := a.(Schema); ok && m["type"] != "null" {
				return innerObject(m, t)
			}
		}
		return nil, nil
	}
	if t.Kind() == reflect.Slice || t.Kind() == reflect.Array {
		items, _ := p["items"].(Schema)
		if items == nil {
			return nil, nil
		}
		return innerObject(items, t.Elem())
	}
	if t.Kind() != reflect.Struct || t == timeType {
		return nil, nil
	}
	if _, ok := p["properties"].(map[string]Schema); !ok {
		return nil, nil
	}
	return p, t
}

func keysOf(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
