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
// One file per area (core.go, sms.go, voice.go, campaigns.go, flows.go,
// integrations.go, admin.go, sessions.go); service.go holds what they share.
package service
