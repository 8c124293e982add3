// Package actortest is the actor test harness: humd's actors without HTTP.
//
// A World wires the actors as the composition root does (conversation
// threads, senders, the scheduler, campaigns, calls) over Pebble on an
// in-memory filesystem and the fake clock, with fakes at the edges: a
// Carrier that records texts and plays the carrier's status callbacks on
// the clock, a Dialer that places calls, a scripted Model (texts, tool calls,
// failures, a hang) that records every request, a Relay standing in for the
// ConversationRelay socket, and Poster, an egress.Poster over net/http for
// loopback receivers. Restart stops everything and starts it again on the
// same data. Tests reach the actors through their directories and services,
// as the edge does.
//
// Golden scripts (cockroachdb/datadriven) drive a World: World.Common runs
// the commands every script shares (advance, restart, sent, events, model)
// and Poll prints state once it has settled. Await asks an actor and waits.
// Nothing here imports transport/.
//
// It is the one package under actors/ that reads the wall clock, because
// its deadlines bound how long a test waits, not what an actor does.
//
// Concurrency: helpers are safe to call from any test goroutine; a World is
// driven by one test goroutine (its fakes are safe for the actors' own).
package actortest
