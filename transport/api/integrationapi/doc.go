// Package integrationapi is the API of humd's links to other systems: the
// org's event log and the webhook endpoints it is delivered to, CRM
// connectors, inbound triggers (an outside system fires an event that runs
// event-trigger flows), and customer MCP tool servers with the approvals
// of their tool calls.
//
// The handlers decode the wire (path, query, JSON bodies) into the typed
// inputs of actors/service and encode its answers; the operations, their
// role checks and the flows a trigger fire runs live there.
//
// Concurrency: the handlers run on fasthttp's goroutines and keep no state;
// the per-trigger fire limit is the service's (an httpapi.Limits app
// builds, which locks itself).
package integrationapi
