// Package mcptest checks MCP answers against the published JSON Schema of the
// Model Context Protocol, the one SDK-based clients (the TypeScript SDK, the
// Inspector) enforce. The schemas in schema/ are copies of
// schema/<version>/schema.json of github.com/modelcontextprotocol/modelcontextprotocol
// (see schema/SOURCE), for the versions go-sdk's initialize negotiates.
//
// Concurrency: a Schema is safe for concurrent use.
package mcptest
