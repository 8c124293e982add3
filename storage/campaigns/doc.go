// Package campaigns stores SMS campaigns (SPEC 1.11, 2.9): the campaign
// record, its recipients (one row each, in create order), the index of
// campaigns a dispatcher must resume after a restart, and the decoding and
// validation of the create and patch bodies, including body_template
// placeholders.
//
// Keys (see also storage/keys.go):
//
//	camp/<org>/<campaign>                 -> Campaign
//	camp-rcpt/<org>/<campaign>/<U64 seq>  -> Recipient (seq from 1, create order after dedupe)
//	camp-active/<org>/<campaign>          -> ""  only while queued or sending
//
// Delivery counts are derived at read time: a recipient whose text was
// handed to the send pipeline ("sent") shows the message's own status
// (delivered, failed/undelivered) by reading msg/<org>/<conv>/<seq>, so
// counts follow status callbacks without the conversation actor knowing about
// campaigns.
//
// Concurrency: Create writes a new campaign in one Sync batch; afterwards the
// campaign actor (actors/campaign) is the only writer of a campaign and its
// recipients. Readers may read concurrently; Pebble gives them a consistent
// view per key.
package campaigns
