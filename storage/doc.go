// Package storage is humd's narrow persistence interface (Store) and its
// Pebble v2 implementation. Everything humd keeps — orgs, keys, flows,
// threads, messages, schedules, sessions, the event log — is a key-value
// record under one of the key families documented in keys.go; a record and
// the index entries that point at it are always written in one Batch.
//
// Durability: every change an API answer or a Twilio acknowledgement depends
// on is committed with Sync. Pebble groups the fsyncs of concurrent Sync
// commits, so many conversations committing at once share them. NoSync is
// for writes that may be lost in a crash without breaking a promise (a
// session's last-access time, counters ordered before a later Sync).
//
// The package also holds what every layer shares: the sentinel errors that
// the HTTP edge maps to statuses (errors.go), MaxJSONDepth, the one nesting
// limit of every JSON input that records read back at, and Bool, the flag
// type of inputs (json.go; transport/wire decodes requests and holds them to
// that limit), cursor pages (page.go), sortable ids (ids.go), the AI token counts
// records keep (tokens.go), and Skips (skip.go): how every reader of stored
// records reports one it cannot decode and goes past, since such a record
// never becomes readable by being read again.
//
// Concurrency: a Pebble store is safe for concurrent use; a Batch belongs to
// one goroutine. Values returned by Get and passed to Scan callbacks are
// copies the caller may keep.
package storage
