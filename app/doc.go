// Package app is humd's composition root: it wires one process together
// (Config with defaults and Validate, the Pebble store, the actor system, the
// services, the fasthttp server) and shuts it down cleanly. It sits above
// transport/ and below cmd/: cmd/humd reads flags and the environment into
// Config; tests and the bench harness start an App in-process.
//
// Concurrency: New, Serve and Close are called from one goroutine; the parts
// they wire are safe for concurrent use.
package app
