// Package crm runs CRM connectors (SPEC 1.15, 2.11): one actor per enabled
// connector follows the org's event log and, for each conversation.started
// whose contact has no CRM link yet, asks the CRM (POST /contacts/lookup,
// then POST /contacts when create_on_miss is on) and links the contact.
// Every request carries Authorization: Bearer <secret> and X-HUM-Signature:
// sha256=<hex HMAC-SHA256 of the raw body>, and is logged without the secret.
//
// A lookup is one attempt (SPEC 2.11 rule 5); the event log cursor moves in
// the same batch as the result, so a restart resumes at the next event.
//
// Concurrency: HTTP runs in a worker goroutine; results come back to the
// actor as messages. Ping is called from an HTTP handler goroutine.
package crm
