// Package live is the call actors' live event hub: what GET
// /api/calls/{id}/stream subscribes to. A call actor publishes its live
// events (transcript deltas and lines, tool calls, state changes, its end);
// the hub numbers each call's events, fans them out to subscribers and keeps
// the last ones, so a viewer that reconnects with the id of the last event
// it saw resumes where it left off. It knows nothing of calls beyond their
// ids, so it is its own package, shared by actors/call (publishing) and the
// service layer and the SSE edge (subscribing).
//
// Concurrency: a Hub is safe for concurrent use: one mutex guards it, held
// only for map and slice work. Publishing never blocks the call actor: a
// subscriber whose buffer is full is dropped (its channel closes) and
// reconnects.
package live
