// Package mcpserver is humd as an MCP server (SPEC 1.0's "/mcp"): a model
// connected over streamable HTTP finds humd's operations with the tool
// search_operations and runs them with execute_operation. The operations are
// the customer-facing ones of humd's own OpenAPI document; running one goes
// through the same HTTP handler chain as a REST call, with the caller's API
// key, so roles and org scoping are exactly the REST rules.
//
// The consequential-operation gate (SPEC 1.0, D-11) lives here and only
// here: an operation that changes anything (every non-GET one) runs only when
// the model passes confirm: true, which it should do after the person it acts
// for agreed. Plain REST calls never need confirm.
//
// The server is stateless and answers JSON, not event streams: every POST
// carries the whole exchange, so a fasthttp edge that buffers answers can host
// it, and nothing is kept between requests. An unknown method answers
// JSON-RPC's -32601 (go-sdk itself answers HTTP 400 before protocol
// 2026-07-28), and the tools' schemas are plain JSON objects throughout, as
// the MCP schema wants: mcptest checks every answer against it.
//
// Concurrency: a Server is safe for concurrent use; each request gets its own
// short-lived MCP session, and tools keep no state.
package mcpserver
