// Package apptest starts a whole humd in-process on a loopback port, with a
// fake clock and a Pebble store in a temp dir, for end-to-end tests over real
// HTTP. It records every answer so tests can validate them against the
// OpenAPI document.
//
// Concurrency: a Server may be used from several goroutines; Do is safe for
// concurrent use.
package apptest
