// Package campaign holds the campaign actor: one per campaign, the only
// writer of the campaign record and its recipient rows once created. It owns
// the SPEC 2.9 state machine (launch, pause, cancel, patch arrive as
// messages) and, while the campaign is sending, the dispatch loop: one
// recipient per tick, ticks spaced evenly at 60s/throttle_per_minute (or
// slower when the number's own rate is lower, D-8), never before
// scheduled_start_at, only inside the org's business hours and 08:00-21:00
// in each recipient's time zones (D-7; recipients outside wait as pending
// while the rest go on, A22). Each recipient goes through the conversation
// actor's one send pipeline (conversation.Open with an initial Send, source
// campaign); its row is committed as "sending" before the pipeline is asked
// and gets the outcome after. A row still "sending" when an actor loads
// (humd died mid-send) becomes "unknown" and is never resent.
//
// Service is the front door the HTTP layer uses: create (written directly,
// before any actor exists), reads straight from Pebble, and state changes as
// requests to the actor through a system.Directory.
//
// Concurrency: campaign state is touched only by the actor's mailbox. The
// ask to the conversation actor runs in a goroutine that posts the answer
// back as a message; at most maxInflight asks run at once. Timers come from
// the injected clock and carry a generation, so stale ones are ignored. An
// actor that is not dispatching and has nothing in flight passivates through
// the Directory; ResumeAll respawns every queued or sending campaign at
// start.
package campaign
