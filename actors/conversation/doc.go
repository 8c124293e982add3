// Package conversation holds the conversation actor: one per SMS thread, the
// pair (our number, contact E.164). It owns the thread's record, messages and
// scheduled sends, and runs the inbound pipeline (dedupe on MessageSid,
// blocklist, carrier keywords as people type them, suspected opt-outs in
// other words, events, all in one Sync batch before the webhook is
// acknowledged) and the one outbound send pipeline (closed -> 409, opted
// out, blocked, held for a suspected opt-out when automated, quiet hours,
// then the number's sender actor).
//
// Keys it writes: conv/, conv-pair/, conv-recent/, msg/, msg-id/ (outbound), sid/,
// sched/, sched-due/, sched-conv/, snooze-due/, contact/ (new contacts
// only), optout/ (keywords and opt-outs made on a call; a person's opt-outs
// are actors/consent's), optout-suspect/ (set by a suspected text, cleared by
// STOP, START and resuming the AI), event/ (see storage/keys.go). It deletes
// a sid-early/ record (actors/sidstatus) in the batch that applies the
// status kept there.
//
// Concurrency: all state is touched only by the actor's mailbox. Pebble
// commits happen inside Receive (local and fast; concurrent threads commit in
// parallel and Pebble groups their fsyncs); network calls never do: carrier
// calls run in the sender actor's workers and come back as *sender.Result.
// An idle thread stops itself after Deps.IdleAfter on the injected clock and
// is rebuilt from Pebble by the next message for it. The actor is the only
// writer of its AI runs (airun/), so it keeps their ten-minute window (the
// rate cap's count) and last seq in memory, read from Pebble once per life. A thread is reached by
// identity, conversation.Ref(org, number, e164), through the
// system.Directory; Directory is the typed door to it.
package conversation
