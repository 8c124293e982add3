// Package httpapi is humd's HTTP edge on fasthttp: the Server, one middleware
// chain (request id, panic recovery, body cap, API-key auth and role and
// scope checks, per-key rate limits, idempotency, metrics, access log), one
// table (errors.go) that maps errors to statuses and API codes, the OpenAPI
// document, and the routes of the edge itself (health, metrics, the
// document, /mcp). Everything else is an Area (transport/api/...): a
// package whose routes the edge composes.
//
// A Route declares the Go types of its body and answers; the document is
// reflected from them (schema_types.go), so it cannot drift from what the
// handlers write: Call.JSON checks the answer's type against the route's
// when Config.CheckTypes is set, as the end-to-end tests set it. Each route
// names its error statuses (openapi_errors.go derives them from the route
// and adds its Fails) on one shared Error schema. Objects of answers are
// published open, so a new field does not break a strict client; apptest
// reads them closed, so the end-to-end tests fail on an undeclared key.
//
// Handlers copy what they need out of the request, call a service or ask an
// actor, and write the answer; nothing borrowed from a RequestCtx outlives
// the handler.
//
// Concurrency: fasthttp runs each connection on its own goroutine; handlers may
// block on an actor's reply (system.Ask) because no actor ever waits on them.
// The Server itself is immutable after New.
package httpapi
