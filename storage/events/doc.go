// Package events is the org-wide event log (SPEC 1.13): one ordered log per
// org under event/<org>/<seq>, numbered by the seq/<org>/event counter. Every
// area appends to it inside the batch of the change it reports (Append), and
// the consumers (webhook endpoints, CRM connectors, enrichment, triggers, the
// dashboard and the events API) read it by sequence.
//
// Concurrency: functions are safe for concurrent use. Append takes its
// sequence number when called, so a batch that is then discarded leaves a
// gap in the log, never a duplicate; readers must not assume seqs are dense.
package events
