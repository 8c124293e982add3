package httpapi

import (
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Schema is a JSON Schema (2020-12, as OpenAPI 3.1 uses) written as a map.
type Schema = map[string]any

// Small constructors keep the route table readable.
func str() Schema                { return Schema{"type": "string"} }
func strN(min, max int) Schema   { return Schema{"type": "string", "minLength": min, "maxLength": max} }
func integer() Schema            { return Schema{"type": "integer"} }
func number() Schema             { return Schema{"type": "number"} }
func boolean() Schema            { return Schema{"type": "boolean"} }
func arr(items Schema) Schema    { return Schema{"type": "array", "items": items} }
func enum(vals ...string) Schema { return Schema{"type": "string", "enum": vals} }
func nullable(s Schema) Schema   { return Schema{"anyOf": []any{s, Schema{"type": "null"}}} }
func boolIn() Schema             { return oneOfTypes("boolean", "integer") } // true/false or 0/1 on input (SPEC 1.0)
func dateTime() Schema           { return Schema{"type": "string", "format": "date-time"} }
func ref(name string) Schema     { return Schema{"$ref": "#/components/schemas/" + name} }

// maskedHeaders are custom headers as every answer shows them: each value
// masked ("****" and at most its last four characters; "" stays "").
func maskedHeaders() Schema {
	return Schema{"type": "object", "additionalProperties": Schema{"type": "string", "pattern": `^(\*\*\*\*.{0,4})?$`},
		"description": "Custom headers with each value masked: \"****\" and the last four characters of a value of 12 or more."}
}

func oneOfTypes(ts ...string) Schema {
	return Schema{"type": ts}
}

// freeForm is an object whose keys the user or a third party chooses
// (metadata, tool arguments, a JSON Schema): it says so with
// additionalProperties, which the tests' closed reading of the document
// keeps open.
func freeForm(desc string) Schema {
	return Schema{"type": "object", "additionalProperties": true, "description": desc}
}

// mapOf is an object of caller-chosen keys whose values are all v.
func mapOf(v Schema) Schema { return Schema{"type": "object", "additionalProperties": v} }

// emptyObj is {}: an envelope's data when there is nothing to answer.
func emptyObj() Schema {
	return Schema{"type": "object", "properties": map[string]Schema{}, "maxProperties": 0}
}

// anyJSON is any JSON value a user supplied (an outcome, a task context).
func anyJSON(desc string) Schema { return Schema{"description": desc} }

// obj is an object schema; required names the keys that must be present.
// The published document leaves answers open (no additionalProperties) so
// adding a field is not a breaking change for generated clients; the tests
// read every object schema as closed, so a key the server answers must be
// declared here. Request bodies pass strict=true where the decoder rejects
// unknown keys.
func obj(required []string, props map[string]Schema) Schema {
	s := Schema{"type": "object", "properties": props}
	if len(required) > 0 {
		s["required"] = required
	}
	return s
}

// withProps is component name's schema with more properties: an answer that
// is the component and a few keys more. (An allOf of the two would not do:
// read closed, as the tests read the document, each part refuses the
// other's keys.)
func withProps(name string, required []string, props map[string]Schema) Schema {
	base := componentSchemas[name].(Schema)
	baseProps, _ := base["properties"].(map[string]Schema)
	p := make(map[string]Schema, len(baseProps)+len(props))
	for k, v := range baseProps {
		p[k] = v
	}
	for k, v := range props {
		p[k] = v
	}
	req, _ := base["required"].([]string)
	return obj(append(slices.Clone(req), required...), p)
}

func strict(s Schema) Schema {
	out := Schema{}
	for k, v := range s {
		out[k] = v
	}
	out["additionalProperties"] = false
	return out
}

// listOf is the D-10 list shape.
func listOf(item Schema) Schema {
	return obj([]string{"data", "next_cursor"}, map[string]Schema{"data": arr(item), "next_cursor": nullable(str())})
}

// errorSchemas are the error envelopes by style, as component references.
var errorSchemas = map[ErrorStyle]Schema{CoreStyle: ref("Error"), AddressStyle: ref("AddressError"), AgentStyle: ref("AgentError")}

var pathParam = regexp.MustCompile(`\{([^}]+)\}`)

// OpenAPI builds the OpenAPI 3.1 document of every route in the table.
func (s *Server) OpenAPI() map[string]any {
	paths := map[string]any{}
	usedErrors := map[int]bool{}
	for _, r := range s.routes {
		item, _ := paths[r.Path].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[r.Path] = item
		}
		op := map[string]any{"operationId": r.OpID, "summary": r.Summary, "tags": []string{r.Tag}}
		if r.Auth == Public {
			op["security"] = []any{}
		} else {
			op["security"] = []any{map[string]any{"bearer": []string{}}, map[string]any{"apiKey": []string{}}}
			op["x-humd-role"] = r.Auth.String()
		}
		var params []any
		for _, m := range pathParam.FindAllStringSubmatch(r.Path, -1) {
			params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": str()})
		}
		if idempotentOps[r.OpID] {
			params = append(params, map[string]any{"name": "Idempotency-Key", "in": "header", "required": false,
				"schema": strN(1, 255), "description": "Retrying with the same key within 24 h answers the first answer again (header Idempotent-Replayed: true) instead of acting twice."})
		}
		if params != nil {
			op["parameters"] = params
		}
		if r.Request != nil {
			op["requestBody"] = map[string]any{"required": true,
				"content": map[string]any{"application/json": map[string]any{"schema": withConfirm(r)}}}
		}
		responses := map[string]any{}
		for status, schema := range r.Responses {
			resp := map[string]any{"description": http.StatusText(status)}
			if schema != nil {
				resp["content"] = map[string]any{contentTypeFor(schema): map[string]any{"schema": schema}}
			}
			responses[strconv.Itoa(status)] = resp
		}
		for _, status := range errorStatuses(r) {
			if _, ok := r.Responses[status]; !ok {
				responses[strconv.Itoa(status)] = errorResponse(r.Errors, status, usedErrors)
			}
		}
		op["responses"] = responses
		item[strings.ToLower(r.Method)] = op
	}
	tags := map[string]bool{}
	for _, r := range s.routes {
		tags[r.Tag] = true
	}
	var tagList []any
	for _, t := range sortedKeys(tags) {
		tagList = append(tagList, map[string]any{"name": t})
	}
	return map[string]any{
		"openapi": "3.1.0",
		"info":    map[string]any{"title": "humd API", "version": "0.1.0", "description": "Self-hosted AI voice and SMS operations server."},
		"servers": []any{map[string]any{"url": "/"}},
		"tags":    tagList,
		"paths":   paths,
		"components": map[string]any{
			"securitySchemes": map[string]any{
				"bearer": map[string]any{"type": "http", "scheme": "bearer", "description": "hum_live_ API key"},
				"apiKey": map[string]any{"type": "apiKey", "in": "header", "name": "x-api-key"},
			},
			"schemas":   componentSchemas,
			"responses": errorResponses(usedErrors),
		},
	}
}

// withConfirm is the route's body schema as the edge accepts it: an
// authenticated route's object body may carry confirm (D-11), which the
// edge drops unless the route declares it.
func withConfirm(r *Route) Schema {
	props, ok := r.Request["properties"].(map[string]Schema)
	if r.Auth == Public || !ok || takesConfirm(r) {
		return r.Request
	}
	out := Schema{}
	for k, v := range r.Request {
		out[k] = v
	}
	p := make(map[string]Schema, len(props)+1)
	for k, v := range props {
		p[k] = v
	}
	p["confirm"] = Schema{"type": "boolean", "description": "Accepted and ignored: only MCP requires confirmation (D-11)."}
	out["properties"] = p
	return out
}

// textSchema marks a non-JSON answer (metrics, TwiML).
var textSchema = Schema{"type": "string", "x-content-type": "text/plain"}

func contentTypeFor(s Schema) string {
	if ct, ok := s["x-content-type"].(string); ok {
		return ct
	}
	return "application/json"
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func (s *Server) openAPIJSON() []byte {
	raw, _ := json.Marshal(s.OpenAPI())
	return raw
}
