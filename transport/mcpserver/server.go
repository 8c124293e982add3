package mcpserver

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// Operation is one operation of humd's OpenAPI document as the tools show it.
type Operation struct {
	ID      string `json:"operation_id"`
	Method  string `json:"method"`
	Path    string `json:"path"`
	Summary string `json:"summary"`
	Tag     string `json:"tag"`
	// Role is the least role that may run it: public, viewer, operator,
	// admin or site:admin.
	Role string `json:"role"`
	// Consequential operations run only with confirm: true.
	Consequential bool `json:"consequential"`
	// PathParams name the {placeholders} of Path.
	PathParams []string `json:"path_params,omitempty"`
	// RequestBody is the JSON Schema of the body, when it takes one.
	RequestBody map[string]any `json:"request_body,omitempty"`
}

// Request is one confirmed (or harmless) operation for the executor to run.
type Request struct {
	Operation Operation
	// Path is Operation.Path with its parameters filled in and escaped.
	Path  string
	Query url.Values
	// Body is the JSON body, nil for none.
	Body []byte
	// APIKey is the caller's key, as it reached /mcp.
	APIKey string
}

// Response is what the operation answered.
type Response struct {
	Status      int
	ContentType string
	Body        []byte
}

// Config wires a Server. Operations and Execute are required.
type Config struct {
	// Name and Version identify the server to clients.
	Name, Version string
	// Operations lists what the tools may search and run.
	Operations func() []Operation
	// Execute runs one operation with the caller's key.
	Execute func(ctx context.Context, r *Request) (*Response, error)
	// Logger receives the SDK's log (nil discards it).
	Logger *slog.Logger
}

// Server is humd's MCP server.
type Server struct {
	cfg     Config
	mcp     *mcp.Server
	handler http.Handler
}

// New builds the server and its two tools.
func New(cfg Config) *Server {
	if cfg.Name == "" {
		cfg.Name = "humd"
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Server{cfg: cfg}
	s.mcp = mcp.NewServer(&mcp.Implementation{Name: cfg.Name, Title: "humd", Version: cfg.Version}, &mcp.ServerOptions{
		Logger: cfg.Logger,
		Instructions: "humd runs AI voice and SMS operations. Find an operation with search_operations, then run it with " +
			"execute_operation. Operations marked consequential (everything that is not a read) change data or reach people: " +
			"ask the user first, and pass confirm: true only after they agree.",
	})
	mcp.AddTool(s.mcp, &mcp.Tool{Name: "search_operations", Title: "Search humd operations",
		Description: "Find operations of humd's HTTP API by words (matched against operation ids, paths, summaries and tags) " +
			"and optionally a tag. Answers each operation's id, method, path, summary, least role, whether it is consequential, " +
			"its path parameters and the JSON Schema of its body.",
		Annotations: &mcp.ToolAnnotations{ReadOnlyHint: true, IdempotentHint: true, OpenWorldHint: new(false)},
	}, s.searchTool)
	mcp.AddTool(s.mcp, &mcp.Tool{Name: "execute_operation", Title: "Run a humd operation",
		Description: "Run one operation found with search_operations, with your API key's role and org. Consequential " +
			"operations (every non-GET one) are refused unless confirm is true; confirm only after the user agreed. " +
			"Answers the HTTP status and the JSON body.",
		Annotations: &mcp.ToolAnnotations{DestructiveHint: new(true), OpenWorldHint: new(true)},
	}, s.executeTool)
	sdk := mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return s.mcp }, &mcp.StreamableHTTPOptions{
		Stateless:    true,
		JSONResponse: true,
		Logger:       cfg.Logger,
		// Every request carries an API key, which a DNS-rebinding page does
		// not have; and humd often runs behind a reverse proxy on loopback,
		// whose Host header the protection would reject.
		DisableLocalhostProtection: true,
	})
	s.handler = methodNotFound(sdk)
	return s
}

// Handler is the streamable HTTP endpoint (POST only; stateless, JSON answers).
func (s *Server) Handler() http.Handler { return s.handler }

type searchIn struct {
	Query string `json:"query" jsonschema:"words to look for, all of which must match (case-insensitive); empty lists every operation"`
	Tag   string `json:"tag,omitempty" jsonschema:"only operations with this tag, such as Flows, SMS, Webhooks, Triggers"`
}

type searchOut struct {
	Operations []Operation `json:"operations"`
}

func (s *Server) searchTool(_ context.Context, _ *mcp.CallToolRequest, in searchIn) (*mcp.CallToolResult, searchOut, error) {
	return nil, searchOut{Operations: Search(s.cfg.Operations(), in.Query, in.Tag)}, nil
}

// Search answers the operations whose id, method, path, summary and tag hold
// every word of query (case-insensitive), limited to tag when it is set, in
// the order given.
func Search(ops []Operation, query, tag string) []Operation {
	words := strings.Fields(strings.ToLower(query))
	out := []Operation{}
	for _, op := range ops {
		if tag != "" && !strings.EqualFold(op.Tag, tag) {
			continue
		}
		hay := strings.ToLower(strings.Join([]string{op.ID, op.Method, op.Path, op.Summary, op.Tag}, " "))
		if !slices.ContainsFunc(words, func(w string) bool { return !strings.Contains(hay, w) }) {
			out = append(out, op)
		}
	}
	return out
}

type executeIn struct {
	OperationID string            `json:"operation_id" jsonschema:"the operation_id from search_operations"`
	PathParams  map[string]string `json:"path_params,omitempty" jsonschema:"a value for every {placeholder} of the path"`
	Query       map[string]any    `json:"query,omitempty" jsonschema:"query string parameters, such as limit and cursor"`
	Body        any               `json:"body,omitempty" jsonschema:"the JSON body, for operations that take one"`
	Confirm     bool              `json:"confirm,omitempty" jsonschema:"true runs a consequential operation; set it only after the user agreed"`
}

// executeOut's fields carry descriptions so that every property schema is a
// JSON object: go-sdk would otherwise write Body's empty schema as the JSON
// Schema true, which the MCP schema (and the TypeScript SDK from 1.22 on,
// failing the whole tools/list) refuses.
type executeOut struct {
	Status int `json:"status" jsonschema:"the HTTP status the operation answered"`
	Body   any `json:"body" jsonschema:"the operation's JSON answer, or its text when it is not JSON; null when empty"`
}

// ErrConfirmationRequired refuses a consequential operation without confirm.
var ErrConfirmationRequired = errors.New("confirmation_required")

func (s *Server) executeTool(ctx context.Context, req *mcp.CallToolRequest, in executeIn) (*mcp.CallToolResult, executeOut, error) {
	ops := s.cfg.Operations()
	i := slices.IndexFunc(ops, func(op Operation) bool { return op.ID == in.OperationID })
	if i < 0 {
		return nil, executeOut{}, fmt.Errorf("unknown operation_id %q; find one with search_operations", in.OperationID)
	}
	op := ops[i]
	if op.Consequential && !in.Confirm {
		return nil, executeOut{}, fmt.Errorf("%w: %s (%s %s) is consequential and was not run; describe it to the user and, "+
			"once they agree, call execute_operation again with confirm: true", ErrConfirmationRequired, op.ID, op.Method, op.Path)
	}
	r, err := Prepare(op, in.PathParams, in.Query, in.Body)
	if err != nil {
		return nil, executeOut{}, err
	}
	if req.Extra != nil {
		r.APIKey = APIKey(req.Extra.Header)
	}
	res, err := s.cfg.Execute(ctx, r)
	if err != nil {
		return nil, executeOut{}, fmt.Errorf("%s failed: %w", op.ID, err)
	}
	out := executeOut{Status: res.Status}
	if len(res.Body) > 0 {
		if !strings.HasPrefix(res.ContentType, "application/json") || json.Unmarshal(res.Body, &out.Body) != nil {
			out.Body = string(res.Body)
		}
	}
	return &mcp.CallToolResult{IsError: res.Status >= 400}, out, nil
}

var placeholder = regexp.MustCompile(`\{([^}]+)\}`)

// Prepare turns tool arguments into a Request: it fills and escapes the path
// parameters, encodes the query and the body. A body given as a string that
// holds a JSON object or array is taken as that JSON.
func Prepare(op Operation, params map[string]string, query map[string]any, body any) (*Request, error) {
	var missing []string
	path := placeholder.ReplaceAllStringFunc(op.Path, func(m string) string {
		name := m[1 : len(m)-1]
		v, ok := params[name]
		if !ok || v == "" {
			missing = append(missing, name)
		}
		return url.PathEscape(v)
	})
	if len(missing) > 0 {
		return nil, fmt.Errorf("path_params needs %s for %s", strings.Join(missing, ", "), op.Path)
	}
	r := &Request{Operation: op, Path: path, Query: url.Values{}}
	for k, v := range query {
		switch v := v.(type) {
		case []any:
			for _, e := range v {
				r.Query.Add(k, fmt.Sprint(e))
			}
		case nil:
		default:
			r.Query.Set(k, fmt.Sprint(v))
		}
	}
	if body != nil {
		if str, ok := body.(string); ok {
			if t := strings.TrimSpace(str); (strings.HasPrefix(t, "{") || strings.HasPrefix(t, "[")) && json.Valid([]byte(t)) {
				r.Body = []byte(t)
				return r, nil
			}
		}
		raw, err := json.Marshal(body)
		if err != nil {
			return nil, fmt.Errorf("body: %w", err)
		}
		r.Body = raw
	}
	return r, nil
}

// APIKey reads the key from Authorization: Bearer or x-api-key, as the REST
// edge does.
func APIKey(h http.Header) string {
	if auth := h.Get("Authorization"); len(auth) > 7 && strings.EqualFold(auth[:7], "Bearer ") {
		return strings.TrimSpace(auth[7:])
	}
	return strings.TrimSpace(h.Get("X-Api-Key"))
}
