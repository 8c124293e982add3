// Package triggers keeps inbound triggers (SPEC 1.13): a named, public URL
// whose opaque token lets an outside system append an event named
// external.<something> to the org's event log, from where customer webhooks
// deliver it like any other event. A trigger may name an event-trigger flow;
// its events then carry that flow_id.
//
// The token ("trg_" and 32 random bytes, base64url) is answered once, on
// create and on rotation, and stored only as its sha256, like API keys. A
// rotation retires the old token at once. Fire writes the event and the
// trigger's last-fired marker in one batch, so an answered event_id is durable.
//
// Concurrency: every function is safe for concurrent use; records are
// read-modify-written without a lock, as webhook endpoints are, so two
// concurrent edits of one trigger keep the later. A token resolves only while
// the trigger record still holds its hash, so even racing rotations never
// leave an old token working.
package triggers
