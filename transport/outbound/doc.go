// Package outbound makes all of humd's own HTTP calls to customer systems:
// webhook receivers and CRMs (egress.Poster, over fasthttp: one POST with a
// deadline, timed on the wall clock, keeping a bounded excerpt of the
// answer), flows' HTTP tools (httptools.Sender, over net/http) and flows' MCP
// integrations (mcptools.Remote, the official MCP Go SDK's client). The
// actor packages declare those small interfaces and app hands them these
// implementations, so no actor makes HTTP itself. Callers are worker
// goroutines and handlers, never actor mailboxes.
//
// Every connection obeys egresspolicy: the client's dial resolves the
// target, checks every address and connects only to checked ones. Idle
// connections are kept egresspolicy.IdleTimeout (shorter than common
// servers keep theirs), and a POST whose connection closed before any
// answer byte is sent once more at once (fasthttp retries no POST on its
// own): almost always the server closed an idle connection as humd reused
// it. Deliveries are at-least-once anyway; receivers dedupe on webhook-id.
//
// Concurrency: a Poster, a Sender and a Remote are safe for concurrent use;
// each shares one client among its callers.
package outbound
