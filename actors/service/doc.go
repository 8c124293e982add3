// Package service is humd's front door: one typed Go method per API
// operation (named after its OpenAPI operationId), with typed inputs and
// results and the typed errors of package storage (ErrNotFound,
// *ValidationError with the wire field names, *ConflictError,
// ErrForbidden, ErrRateLimited, ...).
//
// Every front end calls it: the REST areas under transport/api, /mcp (which
// runs operations through those routes), the sandbox CLI and humbench
// (through the REST API), and the browser console. So the rules that must
// not differ between front ends live here: the principal's role and org
// scope, which actor owns a write, which record is read.
//
// What stays outside: wire formats (JSON decoding, query strings, form
// fields, path segments) are decoded and checked in transport/, and errors
// become HTTP statuses once, in transport/httpapi. Domain validation (E.164,
// caps, references) stays in storage and the actors, which return
// ValidationError.
//
// # Layout: one package per area, one facade
//
// Each API area is a package of its own, with the operations of that area
// as methods of one type: coresvc.Core, smssvc.SMS, voicesvc.Voice,
// campaignsvc.Campaigns, flowsvc.Flows, integrationsvc.Integrations,
// adminsvc.Admin, sessionsvc.Sessions, each built by its New over the same
// svcbase.Deps. svcbase holds what the areas share (Deps, the principal
// checks Need and NeedSiteAdmin, the org's local time, a number's cap and
// a flow's channel) and imports no area; an area imports svcbase and never
// another area or this package, so each area's imports show what it
// touches, and a front end that serves one area may depend on that area
// alone.
//
// Service (service.go) is the facade app builds and hands every front end
// as Svc: it embeds a pointer to each area, so an operation is promoted and
// front ends call Svc.SendMessage(...) as before, whatever its area.
// Embedding rather than named fields (Svc.SMS.SendMessage) keeps the call
// sites of every front end (transport/api, /mcp, the console, app's tests,
// bench) unchanged and short, and needs nothing of the areas but distinct
// method names, which operationIds already are; the compiler rejects a
// call made ambiguous by two areas declaring the same operation. The input,
// query and result types live in their area's package (voicesvc.CallTagInput,
// smssvc.ConversationView); Deps and NumberSource are aliased here for app.
//
// A new operation goes into its area's package. Operations still written in
// this package (service.go keeps need, needSiteAdmin and now for them) move
// to their area when it is convenient.
//
// Concurrency: Service and the areas keep no state beyond Deps, which is
// read-only after New; they are safe for concurrent use, and every write
// goes to its owner (an actor or a storage repository, actors/doc.go).
package service
