// Package addresssession serves the address-session API of seed 000
// (POST /sessions, GET and DELETE /sessions/{token}): it validates a service
// address exactly as the seed documents, then one actor per session runs its
// agents — normalization (USPS style), geocoding from the embedded US ZIP
// table (package geo) and the internet-provider lookup in the catalog loaded
// by `humd import providers FILE` — and expires the session after 30 minutes
// without access, on the injected clock. humd does not run the checkout
// agent; it stays pending. Answers keep the seed's message / request_status /
// data / meta envelope; GET answers data as the list of providers.
//
// Keys: asess/<token> -> session; provider/<zip5 or *>/<provider_id> -> provider.
//
// Concurrency: one actor per session, reached through a counting
// system.Directory so passivation loses nothing; the agents run in a
// goroutine and report back as a message; a create with "sync" waits in the
// caller (an Ask), never in the actor.
package addresssession
