// Package integrationapi is the API of humd's links to other systems: the
// org's event log and the webhook endpoints it is delivered to, CRM
// connectors, inbound triggers (an outside system fires an event that runs
// event-trigger flows), and customer MCP tool servers with the approvals
// of their tool calls.
//
// Concurrency: the handlers run on fasthttp's goroutines; the per-trigger
// fire limit is the only state the API keeps, and httpapi.Limits locks it.
package integrationapi
