// Package coresvc is the core area of the front door: the org, the signed-in
// user, team members, API keys and site administrators' provisioning of orgs
// (transport/api/coreapi). Its operations are methods of Core, which
// actors/service.Service embeds; each checks the principal first
// (svcbase.Need) and answers typed values and the typed errors of package
// storage.
//
// Concurrency: Core keeps no state beyond svcbase.Deps and is safe for
// concurrent use; writes go to their owners (actors/doc.go).
package coresvc
