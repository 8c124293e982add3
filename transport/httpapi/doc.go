// Package httpapi is humd's HTTP edge on fasthttp: one route table that feeds
// both the router and the OpenAPI 3.1 document, one middleware chain (request
// id, panic recovery, body cap, API-key auth and role check, metrics, access
// log) and one table (errors.go) that maps errors to statuses and API codes.
// Handlers copy what they need out of the request, call a service or ask an
// actor, and write the answer; nothing borrowed from a RequestCtx outlives the
// handler.
//
// Concurrency: fasthttp runs each connection on its own goroutine; handlers may
// block on an actor's reply (system.Ask) because no actor ever waits on them.
// The Server itself is immutable after New.
package httpapi
