// Package hours parses and evaluates business hours as decided in D-12:
// {"timezone": IANA zone, "weekly": {"mon": [["08:00","17:00"]], ...},
// "closed_dates": ["2026-12-25"]}, days mon..sun, each a list of [open, close)
// pairs in local time ("24:00" allowed as a close), a missing day closed, and
// null meaning always open. Orgs use them as SMS quiet hours (D-7), flows for
// voice answering. Validation rejects bad times, overlapping pairs, unknown
// days and unknown time zones with a 422 naming the part.
//
// Concurrency: a parsed *BusinessHours is immutable and safe to share.
package hours
