// Package sidstatus holds the early-status actors (kind sidstatus). A status
// callback can beat the carrier's answer to the send: Twilio may post "sent"
// or "delivered" for a SID before humd has stored which message the SID
// belongs to. Such a callback cannot reach its thread (nobody knows the
// thread yet), so an early-status actor, one per shard of SIDs, keeps it
// (sid-early/) and hands it to the thread (actors/conversation) once the
// thread says the SID is known. Directory.ApplyStatus is the one door of
// every SMS status callback: it routes a known SID to its thread and an
// unknown one here.
//
// Keys it writes: sid-early/ (the thread that applies a kept status deletes
// its record in the same batch, see conversation.Status.Kept).
//
// Concurrency: the shard's mailbox orders the two sides: a callback is
// either handled before the thread's sidKnown (kept, then forwarded) or
// after the thread's commit (found, routed as usual). No lock is shared
// between the handler goroutine and the thread. The actors hold no state of
// their own; ResumeEarly, called once at start, hands over what a crash
// left kept.
package sidstatus
