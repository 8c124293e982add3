package httpapi

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/valyala/fasthttp"
	"github.com/valyala/fasthttp/fasthttpadaptor"

	"github.com/humd/humd/storage"
	"github.com/humd/humd/transport/mcpserver"
)

// JSON-RPC 2.0 as /mcp speaks it: the Model Context Protocol's params and
// results are the protocol's own, so they stay free-form. The SDK reads and
// writes these, not a Go type of humd, so they are written out here.
var (
	jsonRPCID    = Schema{"type": []string{"string", "integer", "null"}}
	jsonRPCError = Obj([]string{"code", "message"}, map[string]Schema{"code": Integer(), "message": Str(),
		"data": AnyJSON("more about the error")})
	jsonRPCMessage = Obj([]string{"jsonrpc"}, map[string]Schema{"jsonrpc": {"const": "2.0"}, "id": jsonRPCID,
		"method": Str(), "params": FreeForm("the method's parameters (Model Context Protocol)"),
		"result": FreeForm("the result (Model Context Protocol)"), "error": jsonRPCError})
	jsonRPCRequest = Schema{"description": "JSON-RPC 2.0 message(s) of the Model Context Protocol",
		"anyOf": []any{jsonRPCMessage, Arr(jsonRPCMessage)}}
	jsonRPCAnswer = Obj([]string{"jsonrpc"}, map[string]Schema{"jsonrpc": {"const": "2.0"}, "id": jsonRPCID,
		"result": FreeForm("the result (Model Context Protocol)"), "error": jsonRPCError})
)

// mcpTimeout bounds one /mcp request, tool calls included.
const mcpTimeout = 30 * time.Second

// mcpRoutes serves humd as an MCP server at /mcp (SPEC 1.0). The route
// authenticates the API key like any other; the tools run operations through
// s.Handler() with that same key.
func (s *Server) mcpRoutes() []*Route {
	var once sync.Once
	var ops []mcpserver.Operation
	operations := func() []mcpserver.Operation { // s.routes is complete once requests arrive
		once.Do(func() { ops = s.mcpOperations() })
		return ops
	}
	srv := mcpserver.New(mcpserver.Config{Name: "humd", Version: s.cfg.Version, Operations: operations,
		Execute: s.executeInProcess, Logger: s.cfg.Logger})
	sdk := srv.Handler()
	// The SDK gets a plain context, not the fasthttp RequestCtx the adaptor
	// would hand it, so nothing the SDK starts can hold on to the request.
	detached := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(context.Background(), mcpTimeout)
		defer cancel()
		sdk.ServeHTTP(w, r.WithContext(ctx))
	})
	s.mcp = fasthttpadaptor.NewFastHTTPHandler(detached)
	rpcError := obj([]string{"jsonrpc", "error"}, map[string]Schema{"jsonrpc": str(), "id": jsonRPCID, "error": jsonRPCError})
	failed := Schema{"anyOf": []any{errorSchemas[CoreStyle], rpcError}}
	responses := map[int]Schema{200: jsonRPCAnswer, 202: nil}
	for _, st := range []int{400, 404, 405, 406, 413, 415} {
		responses[st] = failed
	}
	return []*Route{
		{Method: "POST", Path: "/mcp", OpID: "mcp", Summary: "MCP server (streamable HTTP, stateless, JSON answers): tools search_operations and execute_operation",
			Tag: "MCP", Auth: ViewerUp, Schemas: responses,
			// The SDK reads and answers JSON-RPC: these shapes are the
			// protocol's, not Go types of humd.
			RequestSchema: jsonRPCRequest, Handle: s.serveMCP},
	}
}

// serveMCP runs the SDK's handler. Its transport errors are plain text,
// turned into the D-10 envelope here; JSON-RPC errors stay JSON-RPC.
func (s *Server) serveMCP(c *Call) error {
	// /mcp is for agents with an API key: its tools run operations with
	// that key, and a page in a signed-in browser must not drive them.
	if c.Principal == nil || c.Principal.KeyID == "" {
		return fmt.Errorf("/mcp takes API keys only, not browser sessions: %w", storage.ErrUnauthorized)
	}
	s.mcp(c.Ctx)
	status := c.Ctx.Response.StatusCode()
	if status >= 400 && !bytes.HasPrefix(c.Ctx.Response.Header.ContentType(), []byte("application/json")) {
		msg := strings.TrimSpace(string(c.Ctx.Response.Body()))
		return c.write(status, &errorBody{Error: apiError{Code: mcpErrorCode(status), Message: msg}})
	}
	return nil
}

// mcpErrorCode names the SDK's transport errors in the D-10 envelope.
func mcpErrorCode(status int) string {
	switch status {
	case http.StatusBadRequest:
		return "bad_request"
	case http.StatusNotFound:
		return "not_found"
	case http.StatusMethodNotAllowed:
		return "method_not_allowed"
	case http.StatusNotAcceptable:
		return "not_acceptable"
	case http.StatusRequestEntityTooLarge:
		return "body_too_large"
	case http.StatusUnsupportedMediaType:
		return "unsupported_media_type"
	}
	if status >= 500 {
		return "internal"
	}
	return "mcp_error"
}

// mcpOperations lists the operations of the OpenAPI document a model may run:
// all but /mcp itself, /metrics, and the routes other systems call with their
// own credentials (Twilio callbacks, trigger tokens): every public route that
// changes something.
func (s *Server) mcpOperations() []mcpserver.Operation {
	var ops []mcpserver.Operation
	paths := s.OpenAPI().Paths
	for _, r := range s.routes {
		if r.Path == "/mcp" || r.Path == "/metrics" || strings.HasPrefix(r.Path, "/twilio/") || (r.Auth == Public && r.Method != "GET") {
			continue
		}
		item, _ := paths[r.Path].(map[string]any)
		doc, _ := item[strings.ToLower(r.Method)].(map[string]any)
		if doc == nil {
			continue
		}
		op := mcpserver.Operation{Method: r.Method, Path: r.Path, Role: "public",
			Consequential: r.Method != "GET" && r.Method != "HEAD"}
		op.ID, _ = doc["operationId"].(string)
		op.Summary, _ = doc["summary"].(string)
		if tags, _ := doc["tags"].([]string); len(tags) > 0 {
			op.Tag = tags[0]
		}
		if role, ok := doc["x-humd-role"].(string); ok {
			op.Role = role
		}
		for _, m := range pathParam.FindAllStringSubmatch(r.Path, -1) {
			op.PathParams = append(op.PathParams, m[1])
		}
		if rb, ok := doc["requestBody"].(map[string]any); ok {
			content, _ := rb["content"].(map[string]any)
			media, _ := content["application/json"].(map[string]any)
			op.RequestBody, _ = media["schema"].(Schema)
		}
		ops = append(ops, op)
	}
	return ops
}

// executeInProcess runs one operation through the whole handler chain (auth,
// role, org scoping, validation, error mapping, access log) as if it had come
// over the network with the caller's key.
func (s *Server) executeInProcess(_ context.Context, r *mcpserver.Request) (*mcpserver.Response, error) {
	var req fasthttp.Request
	req.Header.SetMethod(r.Operation.Method)
	uri := r.Path
	if q := r.Query.Encode(); q != "" {
		uri += "?" + q
	}
	req.SetRequestURI(uri)
	req.Header.SetHost("mcp.humd.internal")
	req.Header.Set("Authorization", "Bearer "+r.APIKey)
	if r.Body != nil {
		req.Header.SetContentType("application/json")
		req.SetBody(r.Body)
	}
	var ctx fasthttp.RequestCtx
	ctx.Init(&req, nil, nil)
	ctx.SetUserValue(mcpInner, true) // the /mcp request was charged already
	s.Handler()(&ctx)
	return &mcpserver.Response{Status: ctx.Response.StatusCode(), ContentType: string(ctx.Response.Header.ContentType()),
		Body: bytes.Clone(ctx.Response.Body())}, nil
}
