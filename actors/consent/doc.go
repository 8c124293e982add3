// Package consent holds the consent actors (kind consent): one per (org,
// contact E.164), the writer of a person's opt-outs and opt-ins of that
// contact (the API's, and later the console's). A contact's consent spans
// every number of the org, and the contact may have no thread at all (an org
// can opt out a number it never texted, or have no number yet), so no thread
// actor is its natural owner; this actor is, and it tells the threads
// (actors/conversation), each of which cancels its pending scheduled texts.
// Directory.OptOut and OptIn are the door (actors/service calls them).
//
// Keys it writes: optout/ (with sms.AddOptOut and sms.RemoveOptOut) and its
// sms.opt_out and sms.opt_in events. A keyword (STOP, START) and an opt-out
// made on a call are written by the thread instead, since they commit with
// the thread's own records.
//
// Concurrency: all state is touched only by the actor's mailbox, so a
// repeated opt-out is one record and one sms.opt_out. An idle consent actor
// stops itself after the threads' IdleAfter on the injected clock.
package consent
