// Package flowtools keeps a flow's HTTP tool bindings (SPEC 1.4 "tool
// bindings (flow hooks)", 2.13, Appendix A flow_tool_bindings) and the log of
// their executions.
//
// A binding is one HTTP request a flow may make: pre_call bindings run before
// a voice agent's first turn and add a line to the prompt's "# Caller
// Context"; in_call bindings are offered to the model as functions (named
// http_<name>, see ModelName) in voice and SMS runs. Each has a method, a URL
// (its path and query may be templates; its scheme and host are fixed and
// pass egresspolicy's SSRF policy), literal headers, a body template, a timeout
// (default 1200 ms, at most 10 s), an output template the answer is rendered
// through, a fallback template rendered when the request fails, and an
// optional secret sent in a header (Authorization: Bearer <secret> by
// default). The secret is answered once, by the create that set it, and only
// as a hint (****abcd) after. Header values are treated as secrets too
// (storage.Headers): sealed at rest, answered masked.
//
// Templates are Go text/template over one map (see Data in render.go):
// {{.args.x}} (the model's arguments), {{.call.from}}, {{.contact.e164}},
// {{.conversation.id}}, {{.flow.id}}; output templates add {{.status}},
// {{.body}} and {{.json}} (the parsed answer), fallback templates
// {{.error}}. The funcs json, urlquery and urlpath escape values.
//
// Every execution is a row under the binding (newest first in the list):
// status ok|error|timeout, the HTTP status, how long it took, and excerpts of
// the request and the answer. The excerpts never hold the secret (headers
// are not recorded). Deleting a binding deletes its rows.
//
// Concurrency: the HTTP edge writes bindings; name uniqueness per flow is
// checked under a package lock. actors/httptools reads bindings from its
// workers and writes execution rows, each in its own batch.
package flowtools
