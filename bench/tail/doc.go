// Package tail reads an execution trace of a bench run (humbench -trace)
// and attributes the run's slow requests to what the process was doing while
// they waited: the collector marking, Pebble's flushes and compactions, the
// WAL, the load generator, the HTTP server, the actors. The load generator
// (bench.Load) logs every request slower than SlowMark into the trace; Read
// lines those windows up with the goroutines that held a core.
//
// Concurrency: Read keeps no state between calls and is safe for concurrent
// use.
package tail
