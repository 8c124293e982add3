// Package system creates humd's single protoactor-go actor system and holds
// what every actor kind shares: GetOrSpawn for singletons, and Directory for
// keyed actors (threads, sessions, calls) that passivate when idle without
// losing a message.
//
// Concurrency: the actor system and Directory are safe for concurrent use.
// Directory holds a shard lock only while posting to a mailbox, never while
// waiting on an actor. Callers outside the actor system that need an answer
// use transport/actorcall; nothing here blocks on an actor.
package system
