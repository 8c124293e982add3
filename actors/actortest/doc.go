// Package actortest holds test helpers for actor packages: a fresh actor
// system per test and polling with a deadline instead of sleeping. It is the
// one package under actors/ that reads the wall clock, because its deadlines
// bound how long a test waits, not what an actor does.
//
// Concurrency: helpers are safe to call from any test goroutine.
package actortest
