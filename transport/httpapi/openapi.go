package httpapi

import (
	"encoding/json"
	"net/http"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// errorSchemas are the error envelopes by style, as component references.
var errorSchemas = map[ErrorStyle]Schema{CoreStyle: ref("Error"), AddressStyle: ref("AddressError"), AgentStyle: ref("AgentError")}

var pathParam = regexp.MustCompile(`\{([^}]+)\}`)

// OpenAPI builds the OpenAPI 3.1 document of every route in the table: the
// schemas are reflected from the routes' Go types (schema_types.go), and
// the components are those the operations refer to.
func (s *Server) OpenAPI() *Document {
	rf := newReflector()
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
		if r.Idempotent {
			params = append(params, map[string]any{"name": "Idempotency-Key", "in": "header", "required": false,
				"schema": strN(1, 255), "description": "Retrying with the same key within 24 h answers the first answer again (header Idempotent-Replayed: true) instead of acting twice."})
		}
		if params != nil {
			op["parameters"] = params
		}
		if body := requestSchema(rf, r); body != nil {
			op["requestBody"] = map[string]any{"required": true,
				"content": map[string]any{"application/json": map[string]any{"schema": withConfirm(r, body)}}}
		}
		responses := map[string]any{}
		answers := responseSchemas(rf, r)
		for status, content := range answers {
			resp := map[string]any{"description": http.StatusText(status)}
			if content != nil {
				resp["content"] = content
			}
			responses[strconv.Itoa(status)] = resp
		}
		for _, status := range errorStatuses(r, isList(answers[http.StatusOK])) {
			if _, ok := answers[status]; !ok {
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
	var tagList []map[string]any
	for _, t := range sortedKeys(tags) {
		tagList = append(tagList, map[string]any{"name": t})
	}
	errResponses := errorResponses(usedErrors)
	return &Document{
		OpenAPI: "3.1.0",
		Info:    map[string]any{"title": "humd API", "version": "0.1.0", "description": "Self-hosted AI voice and SMS operations server."},
		Servers: []map[string]any{{"url": "/"}},
		Tags:    tagList,
		Paths:   paths,
		Components: map[string]any{
			"securitySchemes": map[string]any{
				"bearer": map[string]any{"type": "http", "scheme": "bearer", "description": "hum_live_ API key"},
				"apiKey": map[string]any{"type": "apiKey", "in": "header", "name": "x-api-key"},
			},
			"schemas":   rf.components(paths, errResponses),
			"responses": errResponses,
		},
	}
}

// requestSchema is the route's body schema: reflected from its Go type, or
// hand-written.
func requestSchema(rf *reflector, r *Route) Schema {
	if r.Request != nil {
		return rf.body(r.Request)
	}
	return r.RequestSchema
}

// responseSchemas are the route's answers by status, as the content of an
// OpenAPI response (nil for an empty body).
func responseSchemas(rf *reflector, r *Route) map[int]map[string]any {
	out := map[int]map[string]any{}
	for status, t := range r.Responses {
		switch {
		case t == nil:
			out[status] = nil
		case t.Implements(textType):
			ct := reflect.Zero(t).Interface().(ContentTyper).ContentType()
			out[status] = map[string]any{ct: map[string]any{"schema": Schema{"type": "string", "x-content-type": ct}}}
		default:
			out[status] = map[string]any{"application/json": map[string]any{"schema": rf.answer(t)}}
		}
	}
	for status, schema := range r.Schemas {
		if schema == nil {
			out[status] = nil
			continue
		}
		out[status] = map[string]any{contentTypeFor(schema): map[string]any{"schema": schema}}
	}
	return out
}

// components are the schemas the document refers to, each with the ones it
// refers to in turn.
func (rf *reflector) components(nodes ...any) map[string]any {
	want := map[string]bool{}
	for _, n := range nodes {
		for _, name := range refs(n) {
			want[name] = true
		}
	}
	out := map[string]any{}
	for {
		for name := range rf.used {
			want[name] = true
		}
		var todo []string
		for name := range want {
			if _, done := out[name]; !done {
				todo = append(todo, name)
			}
		}
		if len(todo) == 0 {
			return out
		}
		for _, name := range todo {
			registry.RLock()
			c := registry.byName[name]
			registry.RUnlock()
			if c == nil {
				panic("httpapi: the document refers to component " + name + ", which no package registers")
			}
			sch := rf.componentSchema(c)
			out[name] = sch
			for _, n := range refs(sch) {
				want[n] = true
			}
		}
	}
}

// refs lists the component names n refers to.
func refs(n any) []string {
	var out []string
	var walk func(n any)
	walk = func(n any) {
		switch n := n.(type) {
		case map[string]any:
			if r, ok := n["$ref"].(string); ok {
				if name, ok := strings.CutPrefix(r, "#/components/schemas/"); ok {
					out = append(out, name)
				}
			}
			for _, v := range n {
				walk(v)
			}
		case map[string]Schema:
			for _, v := range n {
				walk(v)
			}
		case []any:
			for _, v := range n {
				walk(v)
			}
		}
	}
	walk(n)
	return out
}

// isList tells a D-10 list answer, whose ?limit= and ?cursor= can be refused.
func isList(content map[string]any) bool {
	media, _ := content["application/json"].(map[string]any)
	schema, _ := media["schema"].(Schema)
	props, _ := schema["properties"].(map[string]Schema)
	_, ok := props["next_cursor"]
	return ok
}

// withConfirm is the route's body schema as the edge accepts it: an
// authenticated route's object body may carry confirm (D-11), which the
// edge drops unless the route declares it.
func withConfirm(r *Route, body Schema) Schema {
	props, ok := body["properties"].(map[string]Schema)
	if r.Auth == Public || !ok || r.confirm {
		return body
	}
	out := Schema{}
	for k, v := range body {
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

// contentTypeFor is a hand-written schema's content type: JSON unless it
// says otherwise with x-content-type.
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
	s.docOnce.Do(func() { s.docJSON, _ = json.Marshal(s.OpenAPI()) })
	return s.docJSON
}
