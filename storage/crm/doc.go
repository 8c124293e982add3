// Package crm keeps CRM connectors (SPEC 1.15): the customer's CRM base
// URL, a bearer/HMAC secret shown once, options, a cursor into the org's
// event log (the connector actor matches new contacts from it), the queue of
// call syncs (POST /calls) with their retry state, and a request log that
// never holds the secret. One enabled connector per org.
package crm
