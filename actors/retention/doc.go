// Package retention holds the retention actor: on the injected clock it
// deletes the records humd would otherwise keep forever once they are
// older than their family's retention (HUMD_RETENTION_*): the event log,
// webhook deliveries, AI run records, and the sandbox carrier's record of
// sends and calls.
//
// Each pass deletes, per family, at most Batch records (and visits at most
// Batch groups: orgs, endpoints or threads), with Pebble range deletes over
// the expired head of each group, whose keys sort by time; then it
// compacts the span so the disk is given back. A family it did not finish
// is taken up again where it stopped at the next pass. The event log is
// never cut past the lowest cursor of its consumers (webhook endpoints, CRM
// connectors, enrichment), so no consumer loses an event it has not read.
//
// Concurrency: one actor per process, the one writer of these deletes
// (actors/doc.go). A pass runs on its own goroutine, one at a time, and
// reports back to the mailbox; the actor's state (timer, sweep positions,
// last report) is touched only there.
package retention
