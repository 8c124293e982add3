// Package webhook delivers the org event log to customer endpoints
// (Standard Webhooks, D-5): one actor per enabled endpoint polls the log
// past its cursor on the clock, turns matching events into durable delivery
// records, and sends them one at a time from a worker goroutine, signing
// each with standard-webhooks' signer (both secrets during a rotation). A
// failed attempt is retried on D-5's schedule (or Retry-After if later); the
// schedule lives in the delivery record, so retries survive restarts. 410
// disables the endpoint, as do three days of continuous failure.
//
// An event that cannot be read (or encoded) never stops the endpoint: it
// becomes a failed delivery with no attempt and the reason in its error,
// the cursor moves past it in the same batch, and it is counted and logged
// once through storage.Skips.
//
// Delivery never slows the SMS path: the conversation actors only append to
// the event log; this actor reads it.
//
// Concurrency: actor state is touched only in Receive; HTTP runs in worker
// goroutines whose results come back as messages. An endpoint's actor is
// reached as webhook.Ref(org, id) through the system.Directory; when its
// endpoint is disabled or deleted it stops only once it has received every
// message the directory sent it, so a Reload after a re-enable is never lost.
package webhook
