// Package sandboxapi is the API of sandbox mode (no Twilio credentials):
// what the sandbox carrier sent and placed for the caller's org, inbound
// texts and calls injected as if a phone had sent them, and the callee's
// side of the org's outbound calls. Per-call webhook tokens
// (sandbox.CallToken) let an org member play Twilio for one call. An
// injected text is the service's smssvc.InjectText; StartCall mints an
// inbound call for POST /api/sandbox/calls and the console's sandbox phone.
//
// One sandbox serves every org of a humd, so everything here is scoped to
// the caller's org: its numbers, its sends, its calls. The sandbox's webhook
// token signs /twilio/* for every org, so only site admins see it.
//
// Concurrency: the handlers run on fasthttp's goroutines and keep no state;
// the sandbox carrier locks its own log.
package sandboxapi
