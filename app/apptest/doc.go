// Package apptest starts a whole humd in-process on a loopback port, with a
// fake clock and a Pebble store in a temp dir, for end-to-end tests over real
// HTTP. It records every answer and, when the test ends, validates each
// against the OpenAPI document read strictly: every object closed unless it
// says additionalProperties, every status listed. Unexercised reports the
// operations no test of the process saw answered.
//
// Concurrency: a Server may be used from several goroutines; Do is safe for
// concurrent use.
package apptest
