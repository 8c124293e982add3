// Package httptools runs flows' HTTP tool bindings (storage/flowtools; SPEC
// 1.4, 2.13.1, 2.13.7, 2.5.11).
//
// Service implements ai.ExternalTools for in_call bindings: Tools offers a
// flow's enabled in_call bindings to the model as http_<name> (the prefix
// keeps them apart from the built-in tools and the mcp_ tools), and Call
// renders the request from the binding's templates with the model's
// arguments, sends it, and answers the model the output_template rendered
// over the answer (the raw body, cut to 4 KiB, when there is none). A
// refused URL, a network error, a timeout or a non-2xx answer renders the
// fallback_template instead, or is reported to the model as an error when
// there is none. PreCallHook runs a voice flow's enabled pre_call bindings
// concurrently before the agent's first turn, each within its own timeout_ms
// and the call's pre-call budget (less a 100 ms margin, so the answer
// reaches the call in time); each contributes its rendered output, its
// fallback, or nothing, one line each, to the prompt's "# Caller Context"
// (a pre_call binding without an output_template contributes
// "<name>: <body>").
// Every execution is written as a row (flowtools.AddExecution).
//
// Requests go through a Sender, which transport/outbound implements on
// net/http (no redirects followed, 64 KiB of the answer read): this package
// makes no HTTP itself. The SSRF policy is egresspolicy's, the one every
// egress obeys: a binding's URL passed Policy.CheckURL when it was saved;
// each request must keep the saved scheme and host (only the path and query
// are templates) and pass Policy.CheckTarget (https unless private targets
// are allowed), and transport/outbound's Sender dials through the policy,
// which refuses private and other special-purpose addresses unless allowed,
// so a DNS answer that changed since cannot reach one.
//
// The service is not an actor: it is called from the AI worker goroutines of
// the conversation and call actors and from the call actor's pre-call
// worker, which may block on the network, never from Receive.
//
// Concurrency: a Service holds no mutable state of its own; it is safe for
// concurrent use. Bindings are read from the store on every turn, so an edit
// applies from the next turn on.
package httptools
