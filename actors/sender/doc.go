// Package sender holds the sender actor: one per sending number, the only
// caller of the carrier for that number. It paces texts with a token bucket
// in message segments at the number's rate (D-8; default 1 segment/s), checks
// opt-outs at the last moment so a STOP that arrives while texts wait in the
// queue stops them, and reports each outcome to the conversation actor that
// asked, as a *Result message told to its system.Ref (the thread's identity,
// not a PID: the thread may have passivated and come back meanwhile). A
// sender is reached as sender.Ref(numberID) and takes its rate from the
// first message it gets.
//
// Concurrency: the actor's queue and bucket are touched only by its mailbox.
// Each carrier call runs in its own goroutine (the carrier blocks on the
// network) and returns as a message; the token bucket, not a worker pool,
// bounds how many run at once.
package sender
