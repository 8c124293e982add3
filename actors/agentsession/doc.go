// Package agentsession serves the agent-session API of seed 002
// (/api/v1/sessions): sessions with an agent (a flow, addressed by its
// integer agent_id), per-org integer session ids, messages stored in order,
// an idempotent end with the duration computed on the clock, agent_chat
// replies from the flow's AI, and a sweeper that ends sessions idle past a
// limit (Config.IdleLimit, default 3m, answered as idle_timeout_s with the
// session's expiration). A swept session ends at its last activity: its
// duration and billing minutes leave out the idle tail. Answers keep the
// seed's {success, session, message} envelope; errors are
// {"success":false,"error":...} (422 adds details per field).
//
// Keys: agsess/<org>/<U64 id> -> session; agsess-active/<org>/<U64 id> ->
// last activity (unix ms, only while active); agmsg/<org>/<U64 id>/<U64 seq>
// -> message; seq/<org>/session.
//
// Concurrency: one actor per session owns its record and message order
// (reached through a counting system.Directory, so passivation loses
// nothing); an agent_chat reply runs in a worker goroutine and returns to the
// actor as a message, the caller's request answered then. Reads go to Pebble
// directly.
package agentsession
