// Package scheduler holds the scheduler actor: at every minute boundary of the
// injected clock it scans the due indexes in Pebble and hands each due
// scheduled send or snooze expiry to its conversation actor; it also deletes
// Idempotency-Key answers past their 24 hours.
//
// Concurrency: one scheduler per process; its only state is the timer
// generation. It never waits on a conversation: it sends and moves on, and
// anything not acted on is still due at the next tick.
package scheduler
