// Package calls holds the records of voice calls: the call itself (keyed by
// Twilio's CallSid for dedupe), its transcript turns, tool activity, tags,
// notes and voicemails, with the key families and the reads the review API
// serves straight from Pebble. A call record, its turns and its tool rows are
// written only by that call's actor (actors/call); tags and notes by the API.
//
// Concurrency: functions are safe for concurrent use; writers group their
// changes into one storage.Batch. The call record has two writers, the actor
// and the API (Call.Tags), so both take Lock(callID) around a read-modify-write
// of it; SetHeard takes the same lock for the call's voicemail. Notes are
// serialised per note id. A tag change also moves the org's tag vocabulary
// count (OrgTag) in the call's batch, under a per-org lock taken after the
// call's lock and never before it.
package calls
