// Package billing holds an org's customer-controlled subscription settings
// (SPEC 1.17: auto_recharge, extra_numbers_allowed, usage_alert_threshold,
// cancel_at_period_end) and computes its usage summary from the records humd
// already keeps: call durations, message segments, numbers, and the AI
// tokens stored on SMS run records and call records.
//
// humd ships billing.provider = none: nothing here charges anyone. The
// settings are stored so a billing provider can act on them, and
// extra_numbers_allowed lifts the configured number cap (see Settings).
//
// Key families:
//
//	billing/<org>   -> Settings
//
// Concurrency: functions are safe for concurrent use; a PATCH is a
// read-modify-write serialised per org.
package billing
