// Package adminsvc is the admin area of the front door: billing, the dashboard
// and the carrier's numbers (search, buy, sync, release)
// (transport/api/adminapi). Its operations are methods of Admin, which
// actors/service.Service embeds; each checks the principal first
// (svcbase.Need) and answers typed values and the typed errors of package
// storage.
//
// Concurrency: Admin keeps no state beyond svcbase.Deps and is safe for
// concurrent use; writes go to their owners (actors/doc.go).
package adminsvc
