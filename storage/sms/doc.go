// Package sms holds the records of the SMS platform — numbers, contacts,
// threads (conversations), messages, opt-outs, blocklist, scheduled sends, AI
// run records and the per-org event log — with their key families and the
// reads the API serves straight from Pebble. Writes to a thread and its
// messages come only from that thread's conversation actor.
//
// Concurrency: functions are safe for concurrent use; writers group their
// changes into one storage.Batch.
package sms
