// Package mcptools runs flows' customer-owned MCP tools (SPEC 1.14, 2.12)
// through a Remote (transport/outbound implements it with the official MCP Go
// SDK client; this package makes no HTTP itself). Service implements
// ai.ExternalTools: Tools answers the allowed tools of a flow's enabled
// integrations, named mcp_<integration slug>__<tool> so they cannot clash with
// the built-in tools or with each other; Call runs an auto-approved tool at
// once and files every other one as a pending approval, answering the model
// {"status":"approval_required",...} without running anything. Approve runs the
// tool once and stores the result on the approval; results and decisions are
// appended to the org's event log with their conversation or call.
//
// The service is not an actor: it is called from AI worker goroutines and
// HTTP handlers, which may block on the network, never from Receive.
//
// Concurrency: the tool-list cache has its own mutex; approval status
// changes are serialised by another, so two approvals of one request run
// the tool once. Remote calls happen outside both locks.
package mcptools
