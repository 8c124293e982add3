// Package actorcall is how code outside the actor system (fasthttp handlers,
// commands, the bench harness) asks an actor and waits for its answer.
//
// Concurrency: Ask blocks its caller until the reply or the timeout. It must
// never be called from inside an actor's Receive: an actor that waits on
// another actor can deadlock (protoactor-go #795); actors use ReenterAfter or
// send results back as messages instead. That is why this lives in transport/.
package actorcall
