// Package flowapi is the API of flows (the org's AI agents): the flows
// themselves, their HTTP tools and execution logs, the knowledge base they
// search, and which MCP integrations each flow may use.
//
// Concurrency: the handlers run on fasthttp's goroutines and keep no state.
package flowapi
