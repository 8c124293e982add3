// Package system creates humd's single protoactor-go actor system and holds the
// few helpers every actor kind shares: get-or-create by name, and Ask for
// callers that live outside the actor system.
//
// Concurrency: the actor system is safe for concurrent use. Ask blocks its
// caller and is meant for fasthttp handler goroutines and commands, never for
// code running inside an actor's Receive (that deadlocks; use ReenterAfter or
// send the result back as a message).
package system
