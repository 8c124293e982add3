// Package smsapi is the SMS API: threads and their texts, AI runs and
// scheduled sends; the org's numbers; contacts, their enrichment (lookup),
// the blocklist and opt-outs.
//
// A thread's writes go to its conversation actor (askThread); the
// handlers read records directly.
//
// Concurrency: the handlers run on fasthttp's goroutines; the per-thread
// send cap is the only state the API keeps, and httpapi.Limits locks it.
package smsapi
