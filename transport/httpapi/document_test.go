package httpapi_test

import (
	"encoding/json"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/humd/humd/storage/tenancy"
	"github.com/humd/humd/transport/api/adminapi"
	"github.com/humd/humd/transport/api/campaignapi"
	"github.com/humd/humd/transport/api/coreapi"
	"github.com/humd/humd/transport/api/flowapi"
	"github.com/humd/humd/transport/api/integrationapi"
	"github.com/humd/humd/transport/api/sandboxapi"
	"github.com/humd/humd/transport/api/sessionapi"
	"github.com/humd/humd/transport/api/smsapi"
	"github.com/humd/humd/transport/api/voiceapi"
	"github.com/humd/humd/transport/httpapi"
	"github.com/humd/humd/transport/twiliohooks"
)

// document is the edge with every area, each built from empty
// dependencies: enough to list the routes and build the document.
func document() *httpapi.Server {
	return httpapi.New(httpapi.Config{},
		coreapi.New(coreapi.Deps{}),
		smsapi.New(smsapi.Deps{}),
		voiceapi.New(voiceapi.Deps{}),
		adminapi.New(adminapi.Deps{}),
		sandboxapi.New(sandboxapi.Deps{}),
		sessionapi.New(sessionapi.Deps{}),
		twiliohooks.New(twiliohooks.Deps{}),
		integrationapi.New(integrationapi.Deps{}),
		flowapi.New(flowapi.Deps{}),
		campaignapi.New(campaignapi.Deps{}),
	)
}

var (
	timeType = reflect.TypeOf(time.Time{})
	rawType  = reflect.TypeOf(json.RawMessage{})
)

// handWritten are the operations whose schemas are written out rather than
// reflected from Go types: /mcp speaks the MCP SDK's JSON-RPC, and the seed
// sessions' services answer the seeds' envelopes as they build them.
var handWritten = []string{"mcp",
	"createAddressSession", "getAddressSession", "closeAddressSession",
	"createAgentSession", "listAgentSessions", "getAgentSession", "endAgentSession", "endAgentSessionPost",
	"postAgentSessionMessage", "listAgentSessionMessages"}

// TestRoutesDeclareGoTypes: every operation but the hand-written ones
// declares the Go types of its answers (and of its body, if it documents
// one), so its document is reflected from what the handler writes; none
// answers a bare map, whose keys the document could not name.
func TestRoutesDeclareGoTypes(t *testing.T) {
	for _, r := range document().Routes() {
		if slices.Contains(handWritten, r.OpID) {
			if r.Responses != nil || r.Schemas == nil {
				t.Errorf("%s is listed as hand-written but declares Go types", r.OpID)
			}
			continue
		}
		if len(r.Responses) == 0 || r.Schemas != nil || r.RequestSchema != nil {
			t.Errorf("%s %s (%s) does not declare Go types for its answers and body", r.Method, r.Path, r.OpID)
		}
		for status, typ := range r.Responses {
			for typ != nil && typ.Kind() == reflect.Pointer {
				typ = typ.Elem()
			}
			if typ != nil && typ.Kind() == reflect.Map {
				t.Errorf("%s answers %d with a map (%s); declare a struct", r.OpID, status, typ)
			}
		}
	}
}

// TestNoAmbiguousPaths keeps the route table free of path templates a
// linter (and a generated client's router) cannot tell apart.
func TestNoAmbiguousPaths(t *testing.T) {
	paths := map[string]bool{}
	for _, r := range document().Routes() {
		paths[r.Path] = true
	}
	list := httpapi.SortedKeys(paths)
	for i, a := range list {
		for _, b := range list[i+1:] {
			if httpapi.Ambiguous(a, b) {
				t.Errorf("ambiguous paths %s and %s", a, b)
			}
		}
	}
}

// TestErrorStatusesNameRealOperations keeps each route's Fails to error
// statuses the edge does not derive already, and every documented error on
// the shared Error schema.
func TestErrorStatusesNameRealOperations(t *testing.T) {
	s := document()
	ops := map[string]*httpapi.Route{}
	for _, r := range s.Routes() {
		ops[r.OpID] = r
		derived := httpapi.DerivedErrors(r)
		for _, st := range r.Fails {
			if st < 400 || st > 599 {
				t.Errorf("%s Fails with %d, which is not an error status", r.OpID, st)
			}
			if slices.Contains(derived, st) {
				t.Errorf("%s Fails with %d, which the edge documents for it anyway", r.OpID, st)
			}
		}
	}
	doc := s.OpenAPI()
	for path, item := range doc.Paths {
		for method, op := range item.(map[string]any) {
			r := ops[op.(map[string]any)["operationId"].(string)]
			for status, resp := range op.(map[string]any)["responses"].(map[string]any) {
				if status == "default" {
					t.Errorf("%s %s documents a default response", method, path)
				}
				if status < "400" || r.Errors != httpapi.CoreStyle {
					continue
				}
				if n, _ := strconv.Atoi(status); r.Responses[n] != nil || r.Schemas[n] != nil {
					continue
				}
				if ref, _ := resp.(map[string]any)["$ref"].(string); !strings.HasPrefix(ref, "#/components/responses/") {
					t.Errorf("%s %s %s is not the shared error response: %v", method, path, status, resp)
				}
			}
		}
	}
}

// TestNoBareObjects: an object schema says what it holds, either its
// properties or, for keys the caller chooses, additionalProperties. A bare
// {"type":"object"} types as an empty object in generated clients.
func TestNoBareObjects(t *testing.T) {
	raw, err := json.Marshal(document().OpenAPI())
	if err != nil {
		t.Fatal(err)
	}
	var doc any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	var walk func(n any, at string)
	walk = func(n any, at string) {
		switch n := n.(type) {
		case map[string]any:
			_, props := n["properties"]
			_, extra := n["additionalProperties"]
			if isObjectType(n["type"]) && !props && !extra {
				t.Errorf("%s is a bare object", at)
			}
			for k, v := range n {
				walk(v, at+"/"+k)
			}
		case []any:
			for i, v := range n {
				walk(v, at+"/"+strconv.Itoa(i))
			}
		}
	}
	walk(doc, "#")
}

func isObjectType(t any) bool {
	switch t := t.(type) {
	case string:
		return t == "object"
	case []any:
		for _, x := range t {
			if x == "object" {
				return true
			}
		}
	}
	return false
}

// The scope vocabulary (tenancy.ScopeAreas) and the route table's tags stay in
// step: every route that needs a key has an area a scope can name, and every
// area names some route. A new tag fails here until its area is added.
func TestScopeAreasMatchRouteTags(t *testing.T) {
	s := document()
	used := map[string]bool{}
	for _, r := range s.Routes() {
		if r.Auth == httpapi.Public || httpapi.ScopeFree[r.Path] {
			continue
		}
		area := tenancy.ScopeArea(r.Tag)
		used[area] = true
		if !slices.Contains(tenancy.ScopeAreas, area) {
			t.Errorf("%s %s: tag %q has area %q, which tenancy.ScopeAreas lacks", r.Method, r.Path, r.Tag, area)
		}
	}
	for _, a := range tenancy.ScopeAreas {
		if !used[a] {
			t.Errorf("scope area %q names no route that needs a key", a)
		}
	}
}

// componentsWithoutType are hand-written shapes; they are held to real
// answers by the end-to-end validator only.
var componentsWithoutType = []string{"EventData", "AddressMeta"}

type goField struct {
	name      string
	t         reflect.Type
	omitempty bool
}

// jsonFields lists the keys encoding/json writes for t, embedded structs
// flattened and shallower fields winning, as encoding/json does.
func goFields(t reflect.Type) []goField {
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

// schemaTypes is the set of JSON types a schema allows ("" for any);
// components resolves references.
func schemaTypes(s any, components map[string]any) map[string]bool {
	m, _ := s.(httpapi.Schema)
	if m == nil {
		if mm, ok := s.(map[string]any); ok {
			m = mm
		}
	}
	out := map[string]bool{}
	if r, ok := m["$ref"].(string); ok {
		c, _ := components[strings.TrimPrefix(r, "#/components/schemas/")].(httpapi.Schema)
		return schemaTypes(c, components)
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
				for k := range schemaTypes(a, components) {
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
	components := document().OpenAPI().Components["schemas"].(map[string]any)
	typed := httpapi.ComponentTypes()
	for _, name := range httpapi.SortedKeys(components) {
		typ, ok := typed[name]
		if !ok {
			if !slices.Contains(componentsWithoutType, name) {
				t.Errorf("component %s has no Go type", name)
			}
			continue
		}
		checkFields(t, name, components[name].(httpapi.Schema), typ, components)
	}
}

// checkFields compares one object schema with the struct it is encoded
// from, and recurses into inline object properties of struct fields.
func checkFields(t *testing.T, name string, schema httpapi.Schema, typ reflect.Type, components map[string]any) {
	t.Helper()
	props, _ := schema["properties"].(map[string]httpapi.Schema)
	required, _ := schema["required"].([]string)
	written := map[string]bool{}
	for _, f := range goFields(typ) {
		written[f.name] = true
		p, ok := props[f.name]
		if !ok {
			t.Errorf("%s.%s (%s) is not declared", name, f.name, f.t)
			continue
		}
		types := schemaTypes(p, components)
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
			checkFields(t, name+"."+f.name, inner, it, components)
		}
	}
	for p := range props {
		if !written[p] {
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
func innerObject(p httpapi.Schema, t reflect.Type) (httpapi.Schema, reflect.Type) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if alts, ok := p["anyOf"].([]any); ok {
		for _, a := range alts {
			if m, ok := a.(httpapi.Schema); ok && m["type"] != "null" {
				return innerObject(m, t)
			}
		}
		return nil, nil
	}
	if t.Kind() == reflect.Slice || t.Kind() == reflect.Array {
		items, _ := p["items"].(httpapi.Schema)
		if items == nil {
			return nil, nil
		}
		return innerObject(items, t.Elem())
	}
	if t.Kind() != reflect.Struct || t == timeType {
		return nil, nil
	}
	if _, ok := p["properties"].(map[string]httpapi.Schema); !ok {
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
