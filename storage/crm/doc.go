// Package crm keeps CRM connectors (SPEC 1.15): the customer's CRM base
// URL, a bearer/HMAC secret shown once, options, a cursor into the org's
// event log (the connector actor matches new contacts from it), the queue of
// call syncs (POST /calls) with their retry state, and a request log that
// never holds the secret. One enabled connector per org.
//
// Concurrency: Create, Patch, Rotate and Delete hold a per-org lock from
// their read to their write, so the one-enabled rule cannot be raced and no
// edit writes back a record another edit replaced. Syncs and the cursor
// belong to the connector's actor, their only writer; log entries have keys
// of their own, so any goroutine may add one.
package crm
