package httpapi

import (
	"slices"
)

// Schema is a JSON Schema (2020-12, as OpenAPI 3.1 uses) written as a map.
type Schema = map[string]any

// Small constructors for the schemas reflection does not write: hooks
// (SchemaExtender, Extend, Component) and the hand-written Schemas of the
// seed sessions.
func Str() Schema                    { return Schema{"type": "string"} }
func StrN(min, max int) Schema       { return Schema{"type": "string", "minLength": min, "maxLength": max} }
func Integer() Schema                { return Schema{"type": "integer"} }
func Number() Schema                 { return Schema{"type": "number"} }
func Boolean() Schema                { return Schema{"type": "boolean"} }
func Arr(items Schema) Schema        { return Schema{"type": "array", "items": items} }
func Enum(vals ...string) Schema     { return Schema{"type": "string", "enum": vals} }
func Nullable(s Schema) Schema       { return Schema{"anyOf": []any{s, Schema{"type": "null"}}} }
func DateTime() Schema               { return Schema{"type": "string", "format": "date-time"} }
func Ref(name string) Schema         { return Schema{"$ref": "#/components/schemas/" + name} }
func OneOfTypes(ts ...string) Schema { return Schema{"type": ts} }

// Unexported spellings for this package's own tables.
func str() Schema                { return Str() }
func strN(min, max int) Schema   { return StrN(min, max) }
func integer() Schema            { return Integer() }
func number() Schema             { return Number() }
func boolean() Schema            { return Boolean() }
func arr(items Schema) Schema    { return Arr(items) }
func enum(vals ...string) Schema { return Enum(vals...) }
func nullable(s Schema) Schema   { return Nullable(s) }
func dateTime() Schema           { return DateTime() }
func ref(name string) Schema     { return Ref(name) }

// FreeForm is an object whose keys the user or a third party chooses
// (metadata, tool arguments, a JSON Schema): it says so with
// additionalProperties, which the tests' closed reading of the document
// keeps open.
func FreeForm(desc string) Schema {
	return Schema{"type": "object", "additionalProperties": true, "description": desc}
}

// MapOf is an object of caller-chosen keys whose values are all v.
func MapOf(v Schema) Schema { return Schema{"type": "object", "additionalProperties": v} }

func mapOf(v Schema) Schema { return MapOf(v) }

// EmptyObj is {}: an envelope's data when there is nothing to answer.
func EmptyObj() Schema {
	return Schema{"type": "object", "properties": map[string]Schema{}, "maxProperties": 0}
}

// AnyJSON is any JSON value a user supplied (an outcome, a task context).
func AnyJSON(desc string) Schema { return Schema{"description": desc} }

// Obj is an object schema; required names the keys that must be present.
// The published document leaves answers open (no additionalProperties) so
// adding a field is not a breaking change for generated clients; the tests
// read every object schema as closed, so a key the server answers must be
// declared here. Request bodies pass Strict where the decoder rejects
// unknown keys.
func Obj(required []string, props map[string]Schema) Schema {
	s := Schema{"type": "object", "properties": props}
	if len(required) > 0 {
		s["required"] = slices.Clone(required)
	}
	return s
}

func obj(required []string, props map[string]Schema) Schema { return Obj(required, props) }

// Strict is s closed to keys it does not declare.
func Strict(s Schema) Schema {
	out := Schema{}
	for k, v := range s {
		out[k] = v
	}
	out["additionalProperties"] = false
	return out
}

// ListOf is the D-10 list shape around items of schema item.
func ListOf(item Schema) Schema {
	return Obj([]string{"data", "next_cursor"}, map[string]Schema{"data": Arr(item), "next_cursor": Nullable(Str())})
}
