// Package adminapi is the API of running an org on humd: billing (plan,
// limits, usage), A2P 10DLC brand registration, the dashboard, and the
// carrier's number inventory (search, buy, sync).
//
// The handlers decode the wire (bodies, the number search's query) and call
// the operations of actors/service (admin.go, admin_carrier.go there).
//
// Concurrency: the handlers run on fasthttp's goroutines and keep no state.
package adminapi
