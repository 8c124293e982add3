// Package app wires one humd process together: Config (with defaults and
// Validate), the Pebble store, the actor system, the services and the fasthttp
// server, and their clean shutdown. cmd/humd reads flags and the environment
// into Config; tests and the bench harness start an App in-process.
//
// Concurrency: New, Serve and Close are called from one goroutine; the parts
// they wire are safe for concurrent use.
package app
