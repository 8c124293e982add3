// Package baseline serves the bench's baselines: a minimal fasthttp server on
// loopback that answers an inbound SMS webhook the way humd does (200 and
// empty TwiML) with none or only part of humd's work (Kind): the HTTP limit
// of the machine, the durable-storage limit, and the cost of humd's records
// on their own. bench runs the same ingest requests at a baseline and at
// humd in one run, so the ratios compare like with like.
//
// Concurrency: the server handles each connection on its own goroutine; the
// Records kind keeps one lock per sender, as humd's thread actor serializes a
// thread.
package baseline
