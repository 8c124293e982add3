// Package flowapi is the API of flows (the org's AI agents): the flows
// themselves, their HTTP tools and execution logs, the knowledge base they
// search, and which MCP integrations each flow may use.
//
// The handlers decode the wire into the typed inputs of actors/service
// (a flow body key by key, decode.go, so that each mistyped field is named)
// and encode its answers.
//
// Concurrency: the handlers run on fasthttp's goroutines and keep no state.
package flowapi
