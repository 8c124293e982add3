// Package coreapi is the API of the org itself: the caller (/api/me), the
// org and its system replies, its team and invites, its API keys, and the
// site admins' provisioning of new orgs.
//
// Concurrency: the handlers run on fasthttp's goroutines and share nothing
// but the tenancy repository, which is safe for concurrent use.
package coreapi
