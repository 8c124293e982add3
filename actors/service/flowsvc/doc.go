// Package flowsvc is the flows area of the front door: flows, their HTTP
// tools, knowledge documents and the MCP integrations a flow uses
// (transport/api/flowapi). Its operations are methods of Flows, which
// actors/service.Service embeds; each checks the principal first
// (svcbase.Need) and answers typed values and the typed errors of package
// storage.
//
// Concurrency: Flows keeps no state beyond svcbase.Deps and is safe for
// concurrent use; writes go to their owners (actors/doc.go).
package flowsvc
