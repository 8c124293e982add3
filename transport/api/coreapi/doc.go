// Package coreapi is the API of the org itself: the caller (/api/me), the
// org and its system replies, its team and invites, its API keys, and the
// site admins' provisioning of new orgs.
//
// The handlers decode the wire and call the operations of actors/service
// (core.go there), which check roles and call the tenancy repository.
//
// Concurrency: the handlers run on fasthttp's goroutines and share nothing
// but the service, which is safe for concurrent use.
package coreapi
