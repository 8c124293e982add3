// Package voiceapi is the voice API: calls and their review (transcript,
// tool activity, tags, notes), voicemails, analytics, outbound calls and
// the live stream of a call, and seed 002's agents (the org's flows by
// integer id).
//
// The handlers decode the wire (path, query, JSON body) and call the typed
// operations of actors/service (voice.go, voice_review.go), which check the
// principal and send a call's writes to its call actor.
//
// Concurrency: the handlers run on fasthttp's goroutines and keep no state;
// a live stream writes from fasthttp's body-stream goroutine and reads only
// its own subscription.
package voiceapi
