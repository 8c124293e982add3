// Package sessionapi is the API of the two seed session kinds: seed 000's
// address sessions (/sessions) and seed 002's agent sessions
// (/api/v1/sessions). Their services (actors/addresssession,
// actors/agentsession) answer a status and a body in the seed's own
// envelope, so these routes keep hand-written schemas (Route.Schemas)
// rather than Go types: the shapes are the seeds'.
//
// Concurrency: the handlers run on fasthttp's goroutines and keep no state.
package sessionapi
