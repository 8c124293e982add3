// Package webhooks keeps customer webhook endpoints and their delivery
// history (SPEC 1.13, D-5): endpoint validation (egresspolicy's SSRF
// policy: https, no private or special-purpose targets unless allowed),
// whsec_ signing secrets with a 24-hour rotation overlap, custom headers
// (storage.Headers: sealed at rest, answered masked), per-endpoint cursors
// into the org's event log, and one delivery record per (endpoint, event)
// with every attempt.
//
// The delivery actor (actors/webhook) is the only writer of cursors and
// deliveries; the HTTP edge writes endpoints.
package webhooks
