package mcptest

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

//go:embed schema/*/schema.json
var files embed.FS

// Versions are the protocol versions whose schema this package holds.
var Versions = []string{"2025-06-18", "2025-11-25"}

// Schema is one version's MCP schema.
type Schema struct {
	Version string
	url     string
	defs    string // "definitions" (draft-07) or "$defs" (2020-12)

	mu       sync.Mutex
	c        *jsonschema.Compiler
	compiled map[string]*jsonschema.Schema
}

// Load reads the schema of version.
func Load(version string) (*Schema, error) {
	raw, err := files.ReadFile("schema/" + version + "/schema.json")
	if err != nil {
		return nil, fmt.Errorf("mcptest: no schema for %s: %w", version, err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("mcptest: %s: %w", version, err)
	}
	s := &Schema{Version: version, url: "mem://mcp/" + version + "/schema.json", defs: "definitions",
		c: jsonschema.NewCompiler(), compiled: map[string]*jsonschema.Schema{}}
	if m, _ := doc.(map[string]any); m != nil && m["$defs"] != nil {
		s.defs = "$defs"
	}
	if err := s.c.AddResource(s.url, doc); err != nil {
		return nil, fmt.Errorf("mcptest: %s: %w", version, err)
	}
	return s, nil
}

// Def validates the JSON raw against the schema's definition name, such as
// ListToolsResult.
func (s *Schema) Def(name string, raw []byte) error {
	s.mu.Lock()
	sch, ok := s.compiled[name]
	if !ok {
		var err error
		if sch, err = s.c.Compile(s.url + "#/" + s.defs + "/" + name); err != nil {
			s.mu.Unlock()
			return fmt.Errorf("mcptest: %s %s: %w", s.Version, name, err)
		}
		s.compiled[name] = sch
	}
	s.mu.Unlock()
	return validate(sch, raw)
}

// resultOf names the result type of the requests humd answers.
var resultOf = map[string]string{
	"initialize": "InitializeResult",
	"ping":       "EmptyResult",
	"tools/list": "ListToolsResult",
	"tools/call": "CallToolResult",
}

// Response validates a JSON-RPC answer to a request for method: a result
// envelope whose result is the method's result type, or an error envelope.
func (s *Schema) Response(method string, raw []byte) error {
	var env struct {
		Result json.RawMessage `json:"result"`
		Error  json.RawMessage `json:"error"`
	}
	if err := json.Unmarshal(raw, &env); err != nil {
		return fmt.Errorf("mcptest: answer is not a JSON object: %w: %.300s", err, raw)
	}
	if env.Error != nil {
		return s.Def(s.errorEnvelope(), raw)
	}
	if err := s.Def(s.resultEnvelope(), raw); err != nil {
		return err
	}
	name, ok := resultOf[method]
	if !ok {
		name = "Result"
	}
	return s.Def(name, env.Result)
}

func (s *Schema) resultEnvelope() string {
	if s.Version < "2025-11-25" {
		return "JSONRPCResponse"
	}
	return "JSONRPCResultResponse"
}

func (s *Schema) errorEnvelope() string {
	if s.Version < "2025-11-25" {
		return "JSONRPCError"
	}
	return "JSONRPCErrorResponse"
}

// Conforms validates the JSON raw against schema, a JSON Schema given as a
// decoded value (a tool's outputSchema, say), as clients check a tool's
// structuredContent against its outputSchema.
func Conforms(schema any, raw []byte) error {
	b, err := json.Marshal(schema)
	if err != nil {
		return err
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		return err
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("mem://schema.json", doc); err != nil {
		return err
	}
	sch, err := c.Compile("mem://schema.json")
	if err != nil {
		return fmt.Errorf("mcptest: compile %s: %w", b, err)
	}
	return validate(sch, raw)
}

func validate(sch *jsonschema.Schema, raw []byte) error {
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return fmt.Errorf("mcptest: not JSON: %w: %.300s", err, raw)
	}
	if err := sch.Validate(inst); err != nil {
		return fmt.Errorf("%.600s: %w", raw, err)
	}
	return nil
}
