// Package system creates humd's single protoactor-go actor system and holds
// what every actor kind shares. Above all the Directory: every actor is
// reached by identity, a Ref of its kind and id (a thread is
// conversation.Ref(org, number, e164), the scheduler scheduler.Ref), never
// by a PID kept across messages. The Registry implements it for one process:
// each kind registers how to build the actor of an id, the registry spawns
// it on the first message, counts what it sends so an idle actor passivates
// without losing one (Passivate), and is the one place where cluster
// placement can later plug in. It also holds Ask/Await for callers outside
// the actor system (fasthttp handlers, services, commands, tests) that need
// an answer, the shared worker pool (Props), timers (SendAfter, IdleTimer)
// and Answer.
//
// Concurrency: the actor system and the Registry are safe for concurrent
// use. The Registry holds a shard lock only while posting to a mailbox,
// never while waiting on an actor. Ask and Await block their caller until
// the reply or the timeout, so they must never be called from inside an
// actor's Receive: an actor that waits on another actor can deadlock
// (protoactor-go #795); actors use ReenterAfter or send results back as
// messages instead.
package system
