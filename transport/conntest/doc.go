// Package conntest checks that an HTTP client keeps its connections for the
// next requests: Reuse sends waves of requests held at a loopback server
// until all of them are in flight, and Conns counts the
// connections the server accepted. Used by the tests of the clients humd
// points at third parties (openai-go, twilio-go), whose default transports
// keep only two idle connections per host.
package conntest
