// Package outbound makes humd's own HTTP calls to customer systems (webhook
// receivers, CRMs) over fasthttp: one POST with a deadline, timing it on the
// wall clock and keeping a bounded excerpt of the answer. Callers are worker
// goroutines, never actor mailboxes.
//
// Every connection obeys egresspolicy: the client's dial resolves the
// target, checks every address and connects only to checked ones. Idle
// connections are kept egresspolicy.IdleTimeout (shorter than common
// servers keep theirs), and a POST whose connection closed before any
// answer byte is sent once more at once (fasthttp retries no POST on its
// own): almost always the server closed an idle connection as humd reused
// it. Deliveries are at-least-once anyway; receivers dedupe on webhook-id.
//
// Concurrency: a Poster is safe for concurrent use; it shares one client.
package outbound
