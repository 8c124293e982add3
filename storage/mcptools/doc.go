// Package mcptools keeps customer-owned MCP tool integrations (SPEC 1.14,
// 2.12): the integration records with their auth secrets, which flows each
// one is attached to, and the approval queue of tool calls waiting for a
// person.
//
// An integration's allowed_tools_json is the complete list of tools a flow
// may see; there is no wildcard, so a tool the server adds later stays
// hidden until an admin allows it. An empty list is accepted and offers
// nothing (create, test to discover the tools, then allow some).
//
// Concurrency: the HTTP edge writes integrations and attachments; the
// service in actors/mcptools writes approvals and serialises their status
// changes itself. Names are unique per org, checked under a package lock.
package mcptools
