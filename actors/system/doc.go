// Package system creates humd's single protoactor-go actor system and holds
// what every actor kind shares: GetOrSpawn for singletons, Directory for
// keyed actors (threads, sessions, calls) that passivate when idle without
// losing a message, and Ask/Await for callers outside the actor system
// (fasthttp handlers, services, commands, tests) that need an answer.
//
// Concurrency: the actor system and Directory are safe for concurrent use.
// Directory holds a shard lock only while posting to a mailbox, never while
// waiting on an actor. Ask and Await block their caller until the reply or
// the timeout, so they must never be called from inside an actor's Receive:
// an actor that waits on another actor can deadlock (protoactor-go #795);
// actors use ReenterAfter or send results back as messages instead.
package system
