// Package httpapi is humd's HTTP edge on fasthttp: one route table that feeds
// both the router and the OpenAPI 3.1 document, one middleware chain (request
// id, panic recovery, body cap, API-key auth and role check, metrics, access
// log) and one table (errors.go) that maps errors to statuses and API codes.
// Handlers copy what they need out of the request, call a service or ask an
// actor, and write the answer; nothing borrowed from a RequestCtx outlives the
// handler.
//
// The document (openapi*.go) is a contract: each route names its error
// statuses (openapi_errors.go derives them from the route and adds the ones
// its handler answers) on one shared Error schema, and declares every key its
// answers carry. Objects are published open, so a new field does not break a
// strict client; apptest reads them closed, so the end-to-end tests fail on an
// undeclared key.
//
// Concurrency: fasthttp runs each connection on its own goroutine; handlers may
// block on an actor's reply (system.Ask) because no actor ever waits on them.
// The Server itself is immutable after New.
package httpapi
