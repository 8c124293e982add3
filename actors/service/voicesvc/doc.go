// Package voicesvc is the voice area of the front door: calls and their review
// (tags, notes, voicemails, through the call actor), analytics, seed 002's
// agents, outbound calls and the live call stream (transport/api/voiceapi).
// Its operations are methods of Voice, which actors/service.Service embeds;
// each checks the principal first (svcbase.Need) and answers typed values and
// the typed errors of package storage.
//
// Concurrency: Voice keeps no state beyond svcbase.Deps and is safe for
// concurrent use; writes go to their owners (actors/doc.go).
package voicesvc
