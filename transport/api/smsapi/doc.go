// Package smsapi is the SMS API: threads and their texts, AI runs and
// scheduled sends; the org's numbers; contacts, their enrichment (lookup),
// the blocklist and opt-outs.
//
// The handlers decode the wire (path, query, JSON body) into the typed
// inputs of actors/service, call its operation of the same operationId and
// encode the answer; the service checks the role and reaches the actors
// and storage.
//
// Concurrency: the handlers run on fasthttp's goroutines; the per-thread
// send cap is the only state the API keeps, and httpapi.Limits locks it.
package smsapi
