// Package sessionsvc is the seed sessions area of the front door: seed 002's
// agent sessions and seed 000's address sessions (transport/api/sessionapi).
// Its operations are methods of Sessions, which actors/service.Service embeds;
// each checks the principal first (svcbase.Need) and answers typed values and
// the typed errors of package storage.
//
// Concurrency: Sessions keeps no state beyond svcbase.Deps and is safe for
// concurrent use; writes go to their owners (actors/doc.go).
package sessionsvc
