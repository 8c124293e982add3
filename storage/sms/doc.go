// Package sms holds the records of the SMS platform — numbers, contacts,
// threads (conversations), messages, opt-outs, blocklist, scheduled sends and
// AI run records — with their key families and the reads the API serves
// straight from Pebble. The org's event log, which these writes append to, is
// storage/events. Writes to a thread and its messages come only from that
// thread's conversation actor.
//
// Concurrency: functions are safe for concurrent use; writers group their
// changes into one storage.Batch.
package sms
