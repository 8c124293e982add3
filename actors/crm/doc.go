// Package crm runs CRM connectors (SPEC 1.15, 2.11, 2.13): one actor per
// enabled connector follows the org's event log and
//
//   - for each conversation.started and call.started whose contact (the
//     texter, the caller inbound, the callee outbound) has no CRM link yet,
//     asks the CRM (POST /contacts/lookup, then POST /contacts when
//     create_on_miss is on) and links the contact;
//   - when sync_calls is on, queues a POST /calls (event call.sync) for each
//     finished call: on call.outcome for an agent call that had a
//     conversation (its summary exists then), on call.completed for every
//     other call (voicemail, closed, nothing said), which never gets
//     call.outcome. The payload is built from the stored call at each
//     attempt.
//
// Service.CallerContext is the pre-call hook: a synchronous lookup, bounded
// by the call's budget and the connector's timeout_ms, whose answer goes
// into the prompt's "# Caller Context" block.
//
// Every request carries Authorization: Bearer <secret> and X-HUM-Signature:
// sha256=<hex HMAC-SHA256 of the raw body> (D-5) and the contract's
// User-Agent: bluehive-hum-crm/1.0 (SPEC 1.15), and is logged without the
// secret. POST /contacts carries the caller_name, carrier and line_type
// enrichment already stored on the contact.
//
// Durability: a lookup is one attempt (SPEC 2.11 rule 5); the event log
// cursor moves in the batch that records its result, so a restart resumes
// at the next event. A call sync is queued (storage/crm.Sync) in the batch
// that moves the cursor past the event that asked for it, committed with
// pebble.Sync, so the cursor never passes a sync that is not queued. A
// failed attempt (no answer, timeout, 408, 429, 5xx) is retried on the
// webhook schedule (5s, 5m, 30m, 2h, 5h, 10h, 10h; a later Retry-After
// wins) on the injected clock, then given up and logged; any other 4xx is
// logged and not retried. The schedule lives in the sync record, so retries
// survive a restart. Delivery is at least once: a crash between a 2xx and
// its commit repeats the POST.
//
// An event that cannot be read, or whose data is not the shape its type
// promises, never stops the connector: an event.skipped entry in the
// request log says why, the cursor moves past it in the same batch, and it
// is counted and logged once through storage.Skips.
//
// Concurrency: HTTP runs in worker goroutines; results come back to the
// actor as messages (matched, synced). One lookup and one sync are in flight
// per connector at most. Ping and CallerContext are called from other
// goroutines (an HTTP handler, a call's hook worker) and touch only the
// store. A connector's actor is reached as crm.Ref(org, id) through the
// system.Directory and stops (disabled, deleted) only once it has received
// every reload sent to it.
package crm
