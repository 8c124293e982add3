// Package billing runs billing through a provider (Stripe, or the sandbox
// that stands in for it): one actor, the single writer of the provider's
// records (storage/billing's billing-sub/, billing-cust/, billing-evt/,
// billing-meter/ and billing-alert/ families), and the Gate every
// operation that starts work asks first.
//
// The actor (kind "billing", a singleton) keeps each org's subscription
// State in memory, loaded at start. It
//   - creates an org's provider customer once (its goroutine calls the
//     provider with an idempotency key of its own; the id comes back as a
//     message and is stored before any checkout or portal uses it);
//   - opens checkout and portal sessions on goroutines, answering the asker
//     when the result comes back as a message;
//   - applies webhook events (Ingest): each is stored under its id in the
//     same Sync batch as the change it makes, before the webhook's 200, so a
//     replay finds it and changes nothing; per subscription an event created
//     before the newest one applied changes nothing (State.Apply);
//   - every MeterEvery reports each billed org's new usage as meter events:
//     the slice (values and identifiers) is stored pending before the first
//     report and marked sent after, and a restart re-sends pending slices
//     unchanged, so the provider, which dedupes identifiers, counts each once;
//     the same tick fires billing.usage_alert once per period.
//
// The Gate reads the stored State (no message): past_due or unpaid beyond
// the grace period refuses new outbound work (ErrPastDue); a plan limit
// reached refuses with storage.PlanLimitError; both append a
// billing.plan_limit event. Inbound texts and calls never ask the Gate.
//
// The actor makes no HTTP itself: the Provider (transport/stripeapi) does.
package billing
