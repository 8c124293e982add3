// Package sandbox is the carrier humd uses with no Twilio credentials: it
// accepts sends like Twilio (refusing Twilio's magic test numbers with
// Twilio's error codes), records them, and plays the carrier's status
// callbacks (sent, then delivered, or failed on request) on the injected
// clock. Inbound texts are injected through POST /api/sandbox/inbound and
// `humd sandbox send`.
//
// One sandbox serves every org of a humd, so each send and placed call
// records its org (sender.Outbound.OrgID, call.Dial.OrgID) and the log is
// read per org only (SentBy, CallsOf, CallOf).
//
// Concurrency: Carrier is safe for concurrent use. Status callbacks are
// delivered on their own goroutines, because the callback path asks the
// conversation actor that may be the one sending.
package sandbox
