// Package bench drives humd through its real HTTP endpoints and measures it
// against two baselines taken in the same run: a bare fasthttp handler that
// parses the form and answers 200 (the HTTP limit of the machine) and the same
// handler plus one Pebble batch committed with Sync per request (the
// durable-storage limit).
//
// Workloads:
//
//   - ingest: correctly signed inbound SMS webhooks (POST /twilio/sms) across
//     N contacts, each with a unique MessageSid, closed loop as fast as it goes
//     on a chosen number of connections. At the end every acknowledged
//     MessageSid must be stored exactly once, or the run fails.
//     With Config.Rate (or RateOfPebble) it also runs open loop: requests
//     are due on a fixed schedule, dropped when every connection is busy and
//     the queue full, and their latency counts from when they were due.
//   - api: GET /api/sms/conversations?limit=50 with the admin key while ingest
//     runs, reported separately.
//   - debounce: its own in-process humd whose AI goes through openai-go to
//     llmtest's fake Responses API (answering after a delay); an SMS flow made
//     through POST /api/flows answers every number. Each conversation sends a
//     burst of texts within the debounce window; at the end every burst must
//     have made exactly one model request holding all its texts and got
//     exactly one reply, and the added latency beyond debounce and model
//     delay is reported.
//   - calls: its own in-process humd answering simulated voice calls over
//     the real ConversationRelay websocket; each caller says Turns lines and
//     waits for every answer. The fake Responses API and the callers run in
//     a peer process (this executable again, ServeCallsPeer), so the bench
//     process's CPU time and resident memory during the calls are humd's
//     alone; both sides' figures are reported. Every turn must make exactly
//     one model request and every call end with its whole transcript in
//     order. Calls.Then runs it again with more calls at once.
//
// The baselines are served by bench/baseline; bench/tail reads the
// execution trace of a run (humbench -trace) and says what the process was
// doing while the slow requests waited.
//
// The target is either a humd started in-process on loopback (StartHumd: real
// clock, temporary data directory, sandbox carrier) or a running humd reached
// by URL (Remote). Start and Run are the library; cmd/humbench is the command
// line and bench_test.go runs a short ingest in every `make test`.
//
// CPU seconds and peak RSS are those of the bench process (for calls: humd's
// alone, RSS sampled during the calls). In-process that is
// humd and the load generator together on the same cores, which is also true
// of the baselines, so the ratios compare like with like. Against a remote
// humd they are the load generator's alone.
//
// Concurrency: a Load runs Workers goroutines, each with its own request and
// response, sharing one fasthttp.HostClient; counters are typed atomics and
// latencies are kept per worker and merged when the workers have finished.
// Nothing in this package is safe to reuse concurrently across two Runs.
package bench
