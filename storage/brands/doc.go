// Package brands keeps an org's US A2P 10DLC registrations (SPEC 1.18): the
// brand humd registered at the carrier, the campaign use case registered on a
// Messaging Service once the brand is approved, and the carrier's status of
// each. The HTTP layer drives the carrier; this package validates and stores.
package brands
