// Package sessionapi is the API of the two seed session kinds: seed 000's
// address sessions (/sessions) and seed 002's agent sessions
// (/api/v1/sessions). The handlers decode the wire (address.Input,
// agentsession.CreateInput ...), call the typed operations of
// actors/service, and write the answers and the typed errors in each
// seed's own envelope (seed 000: message / request_status / data / meta,
// errors [...]; seed 002: success, error, details). Those shapes are the
// seeds', so these routes keep hand-written schemas (Route.Schemas) rather
// than Go types.
//
// Concurrency: the handlers run on fasthttp's goroutines and keep no state.
package sessionapi
