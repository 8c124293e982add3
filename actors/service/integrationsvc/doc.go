// Package integrationsvc is the integrations area of the front door: webhook
// endpoints, CRM connectors, MCP integrations, tool-call approvals, triggers
// and the org event log (transport/api/integrationapi). Its operations are
// methods of Integrations, which actors/service.Service embeds; each checks
// the principal first (svcbase.Need) and answers typed values and the typed
// errors of package storage.
//
// Concurrency: Integrations keeps no state beyond svcbase.Deps and is safe for
// concurrent use; writes go to their owners (actors/doc.go).
package integrationsvc
