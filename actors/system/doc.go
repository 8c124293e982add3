// Package system creates humd's single protoactor-go actor system and holds the
// helpers every actor kind shares, such as get-or-create by name.
//
// Concurrency: the actor system is safe for concurrent use. Callers outside the
// actor system that need an answer use transport/actorcall.Ask; nothing here
// blocks on an actor.
package system
