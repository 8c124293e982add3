package httpapi

import (
	"encoding/json"
	"net/http"
	"regexp"
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
func anyObj() Schema             { return Schema{"type": "object"} }
func arr(items Schema) Schema    { return Schema{"type": "array", "items": items} }
func enum(vals ...string) Schema { return Schema{"type": "string", "enum": vals} }
func nullable(s Schema) Schema   { return Schema{"anyOf": []any{s, Schema{"type": "null"}}} }
func boolIn() Schema             { return oneOfTypes("boolean", "integer") } // true/false or 0/1 on input (SPEC 1.0)
func dateTime() Schema           { return Schema{"type": "string", "format": "date-time"} }
func ref(name string) Schema     { return Schema{"$ref": "#/components/schemas/" + name} }

// headersIn are custom headers a request sets: names to values.
func headersIn() Schema { return Schema{"type": "object", "additionalProperties": str()} }

// maskedHeaders are custom headers as every answer shows them: each value
// masked ("****" and at most its last four characters; "" stays "").
func maskedHeaders() Schema {
	return Schema{"type": "object", "additionalProperties": Schema{"type": "string", "pattern": `^(\*\*\*\*.{0,4})?$`},
		"description": "Custom headers with each value masked: \"****\" and the last four characters of a value of 12 or more."}
}

func oneOfTypes(ts ...string) Schema {
	return Schema{"type": ts}
}

// obj is an object schema; required names the keys that must be present.
// Answers are open (extra keys allowed) so adding a field is not a breaking
// change; request bodies pass strict=true where the decoder rejects unknown keys.
func obj(required []string, props map[string]Schema) Schema {
	s := Schema{"type": "object", "properties": props}
	if len(required) > 0 {
		s["required"] = required
	}
	return s
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

var errorSchemas = map[ErrorStyle]Schema{
	CoreStyle: obj([]string{"error"}, map[string]Schema{"error": obj([]string{"code", "message"},
		map[string]Schema{"code": str(), "message": str(), "details": anyObj()})}),
	AddressStyle: obj([]string{"message", "request_status"}, map[string]Schema{"message": str(),
		"request_status": enum("ok", "warning", "error"), "errors": arr(anyObj())}),
	AgentStyle: obj([]string{"success", "error"}, map[string]Schema{"success": Schema{"const": false}, "error": str()}),
}

var pathParam = regexp.MustCompile(`\{([^}]+)\}`)

// OpenAPI builds the OpenAPI 3.1 document of every route in the table.
func (s *Server) OpenAPI() map[string]any {
	paths := map[string]any{}
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
		responses["default"] = map[string]any{"description": "error",
			"content": map[string]any{"application/json": map[string]any{"schema": errorSchemas[r.Errors]}}}
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
			"schemas": componentSchemas,
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
