// Package egress is the contract between actors that call customer systems
// (webhook receivers, CRMs) and the edge that makes the HTTP request
// (transport/outbound, on fasthttp): actors hold a Poster and call it from
// worker goroutines, never inside Receive, so no actor imports transport.
// The real Poster enforces egresspolicy (humd's one SSRF policy) on every
// connection it makes.
package egress
