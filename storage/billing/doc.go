// Package billing holds an org's customer-controlled subscription settings
// (SPEC 1.17: auto_recharge, extra_numbers_allowed, usage_alert_threshold,
// cancel_at_period_end), computes its usage summary from the records humd
// already keeps (call durations, message segments, numbers, and the AI
// tokens stored on SMS run records and call records), reads the plan
// catalog (HUMD_PLANS), and defines the billing provider's records: the
// org's subscription State, built from webhook Events by State.Apply in the
// order of their created time, and the usage MeterSlices reported to the
// provider.
//
// Key families:
//
//	billing/<org>                      -> Settings (this package writes them: Patch)
//	billing-sub/<org>                  -> State        (the billing actor, actors/billing, writes
//	billing-cust/<customer>            -> org id        these five; this package reads them)
//	billing-evt/<event id>             -> EventRecord
//	billing-meter/<org>/<U64 slice>    -> MeterSlice
//	billing-alert/<org>/<U64 period>   -> time the usage alert fired
//
// Concurrency: functions are safe for concurrent use; a PATCH is a
// read-modify-write serialised per org.
package billing
