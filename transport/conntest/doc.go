// Package conntest checks that an HTTP client keeps its connections for the
// next requests: a Gate holds a wave of requests at a loopback server until
// all of them are in flight, Conns counts the connections the server
// accepted, and Wave sends one wave. Used by the tests of the clients humd
// points at third parties (openai-go, twilio-go), whose default transports
// keep only two idle connections per host.
package conntest
