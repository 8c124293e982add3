// Package enrich fills contacts with phone-number lookup data (SPEC 1.8,
// 1.16, 2.14, Appendix B): carrier, line type and caller name from Twilio
// Lookup v2 (or the sandbox stand-in), through the Lookuper interface.
//
// One global actor serves every org. All orgs share one Twilio account and
// so one Lookup rate limit, which a single token bucket enforces; the actor
// keeps a durable cursor per org into the org event log. Every Poll it
// reads each org's log past the cursor (one seek when nothing is new) and
// queues each contact of a conversation.started (new SMS thread, inbound or
// outbound) or call.started (the caller of an inbound call, the callee of
// an outbound one) that has never been looked up, is not already queued and
// is not blocked. The queue entries (sms.PendingLookup) move in the same
// batch as the cursor, so a restart neither loses nor repeats them. On the
// very first start the cursors begin at each log's end: the contacts of
// older events are a backfill's business. (Like the other log followers,
// an event committed after a later-numbered one may be passed over; a
// backfill picks such a contact up.) An event that cannot be read is
// passed over with the cursor and reported once through storage.Skips.
//
// Lookups run in worker goroutines, at most Concurrency at a time and Rate
// per second; results come back as messages. A success is written with
// sms.ApplyLookup (precedence user > CRM > Lookup) and sets lookup_at, after
// which the contact is never looked up again automatically. A failure is
// logged and retried after Backoff[n] on the injected clock, up to
// MaxAttempts in all; ErrPermanent ends it at once. A contact whose lookups
// all failed keeps lookup_at unset, so a later backfill tries it again.
//
// A backfill job (Service.StartBackfill) walks the org's contacts in id
// order and queues those without lookup_at, a window at a time, at its own
// per-second cap (under Rate). Contacts from the event log go first. The
// job's scan position is written with the entries it queues and its counts
// with each result, so a job interrupted by a restart resumes where it
// stopped. It ends completed (or failed, when every lookup failed).
//
// Service.LookupContact re-runs one contact's lookup in the caller's
// goroutine (an HTTP handler), outside the actor and its rate limit.
//
// Concurrency: actor state is touched only in Receive. Lookups run in
// worker goroutines that send their results back to the actor. Service
// methods may be called from any goroutine; StartBackfill serializes job
// creation with a mutex. Contact writes take the contact's lock in
// storage/sms, so a PATCH racing a lookup is never lost.
package enrich
