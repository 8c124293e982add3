package storage

import (
	"encoding/binary"
	"strings"
)

// Key layout. Every key humd writes is listed here, one line per family, so the
// whole on-disk layout can be read in one place. Segments are joined with '/';
// ids are opaque strings without '/', integers are 8-byte big-endian (U64) so
// that prefix scans return them in numeric order. A record and the index
// entries that point at it are always written in one Batch.
//
//	meta/bootstrap                            -> {"org_id":..,"at":..}       first-start marker
//	org/<org>                                 -> tenancy.Org
//	user/<user>                               -> tenancy.User
//	user-email/<lower(email)>                 -> user id                      unique index
//	member/<org>/<user>                       -> tenancy.Membership
//	user-org/<user>/<org>                     -> role                         reverse index of member/
//	invite/<org>/<invite>                     -> tenancy.Invite
//	apikey/<org>/<key>                        -> tenancy.APIKey (hash only)
//	apikey-hash/<hex sha256(secret)>          -> "<org>/<key>"                lookup on every request
//	user-pw/<user>                            -> argon2id PHC string and when it was set (storage/tenancy)
//	seq/<org>/<name>                          -> U64 counter (agent ids, session ids, events)
//	flow/<org>/<flow>                         -> flows.Flow
//	flow-agent/<org>/<U64 agent_id>           -> flow id                      agent_id -> flow
//	asess/<token>                             -> address session record
//	agsess/<org>/<U64 session_id>             -> agent session record
//	agmsg/<org>/<U64 session_id>/<U64 seq>    -> agent session message
//	agsess-active/<org>/<U64 session_id>      -> U64 last activity (ms), only while active
//	provider/<zip5 or *>/<provider>           -> provider catalog row (humd import providers)
//	meta/sandbox-token                        -> webhook auth token in sandbox mode
//
// SMS platform (package storage/sms; written by the conversation actor unless noted):
//
//	number/<org>/<number>                     -> sms.Number (API)
//	number-e164/<e164>                        -> "<org>/<number>"             inbound routing by To
//	contact/<org>/<contact>                   -> sms.Contact (id derived from org+e164)
//	contact-e164/<org>/<e164>                 -> contact id
//	conv/<org>/<conv>                         -> U64 inverted ns of its conv-recent key (an sms.Conversation in older stores)
//	conv-pair/<number>/<e164>                 -> conv id                      the thread key
//	conv-recent/<org>/<U64 inverted ns>/<conv> -> sms.Conversation           inbox order, newest first; the record itself ("" in older stores)
//	msg/<org>/<conv>/<U64 seq>                -> sms.Message
//	msg-id/<org>/<msg>                        -> "<conv>/<U64 seq>"        outbound only: carrier results
//	sid/<provider sid>                        -> sms.SIDRef                   dedupe and status routing
//	sid-early/<provider sid>                  -> status that beat the carrier's answer
//	optout/<org>/<e164>                       -> sms.OptOut
//	optout-suspect/<org>/<e164>               -> sms.OptOutSuspect            a text that read like "stop"; automated texts wait
//	block/<org>/<e164>                        -> sms.Block (API)
//	sched/<org>/<sched>                       -> sms.Scheduled
//	sched-due/<U64 unix ms>/<org>/<sched>     -> "<number>/<e164>"            only while pending
//	sched-conv/<org>/<conv>/<sched>           -> ""                           only while pending
//	snooze-due/<U64 unix ms>/<org>/<conv>     -> "<number>/<e164>"
//	airun/<org>/<conv>/<U64 seq>              -> sms.Run
//	event/<org>/<U64 seq>                     -> events.Event                 the org's event log
//
// Knowledge and integrations:
//
//	kb/<org>/<doc>                            -> knowledge.Doc (API)
//	webhook/<org>/<endpoint>                  -> webhooks endpoint with its secrets (API)
//	webhook-cursor/<org>/<endpoint>           -> U64 last event seq turned into deliveries
//	webhook-dlv/<org>/<endpoint>/<delivery>   -> webhooks.Delivery, written with the cursor
//	crm/<org>/<connector>                     -> CRM connector with its secret (API)
//	crm-cursor/<org>/<connector>              -> U64 last event seq looked at
//	crm-log/<org>/<connector>/<entry>         -> crm.LogEntry
//	lookup-cursor/<org>                       -> U64 last event seq the enrich actor looked at
//	lookup-pending/<org>/<e164>               -> sms.PendingLookup            queued or retrying lookup (enrich actor)
//	lookup-job/<org>/<job>                    -> sms.LookupJob                backfill progress, written with each result
//	lookup-job-active/<org>/<job>             -> ""                           only while running; resumed at start
//	meta/lookup-started                       -> ""                           enrich actor has run (first start begins at each log's head)
//	crm-sync/<org>/<connector>/<call>         -> crm.Sync                     call.sync state, kept once done (a call syncs once)
//	crm-sync-open/<org>/<connector>/<call>    -> ""                           only while the sync is pending or retrying
//	trigger/<org>/<trigger>                   -> triggers record with its token hash (API)
//	trigger-token/<hex sha256(token)>         -> "<org>/<trigger>"            public fire lookup; only the record's own hash resolves
//	trigger-fired/<org>/<trigger>             -> {"at","event_id"}            last fire, written with the event it appended
//	mcp/<org>/<integration>                   -> MCP tool integration with its auth secret (API; package storage/mcptools)
//	flow-mcp/<org>/<flow>/<integration>       -> ""                           integrations attached to a flow (API)
//	approval/<org>/<approval>                 -> mcptools.Approval            written by actors/mcptools with its event
//	flowtool/<org>/<flow>/<tool>              -> HTTP tool binding with its secret (API; package storage/flowtools)
//	flowtool-exec/<org>/<tool>/<execution>    -> flowtools.Execution          one run, written by actors/httptools (NoSync)
//
// Voice (package storage/calls; the call actor writes calls, turns and tools):
//
//	call/<org>/<call>                         -> calls.Call
//	call-sid/<CallSid>                        -> "<org>/<call>"               dedupe and routing of Twilio callbacks
//	call-id/<call>                            -> org id                       callbacks and the relay carry only the id
//	call-open/<org>/<call>                    -> ""                           calls not finalized yet, resumed at start
//	call-open-ready                           -> ""                           the calls saved before call-open/ existed were added
//	call-recent/<org>/<U64 inverted ns>/<call> -> ""                          newest first
//	call-turn/<org>/<call>/<U64 seq>          -> calls.Turn                   transcript
//	call-tool/<org>/<call>/<U64 seq>          -> calls.ToolActivity
//	call-note/<org>/<call>/<note>             -> calls.Note (API)
//	vm/<org>/<voicemail>                      -> calls.Voicemail
//	vm-call/<org>/<call>                      -> voicemail id
//	call-tag/<org>/<calls.FoldTag(tag)>       -> calls.OrgTag {tag, calls}   org tag vocabulary (API), written with the call; gone at 0 calls
//	call-tag-ready/<org>                      -> ""                           vocabulary built from the calls tagged before it existed
//
// Campaigns (package storage/campaigns; the campaign actor writes after create):
//
//	camp/<org>/<campaign>                     -> campaigns.Campaign
//	camp-rcpt/<org>/<campaign>/<U64 seq>      -> campaigns.Recipient           committed "sending" before the provider call
//	camp-active/<org>/<campaign>              -> ""                           campaigns to resume at start
//
// Billing (package storage/billing; the API writes it):
//
//	billing/<org>                             -> billing.Settings             subscription settings (provider none)
//
// Billing provider records (package storage/billing; the billing actor writes them):
//
//	billing-sub/<org>                         -> billing.State                the org's subscription as the provider last said
//	billing-cust/<customer id>                -> org id                       the org of a Stripe customer
//	billing-evt/<event id>                    -> billing.EventRecord          every signed webhook event, stored before its 200
//	billing-meter/<org>/<U64 slice unix>      -> billing.MeterSlice           usage reported (or to report) for one slice
//	billing-alert/<org>/<U64 period unix>     -> time                         billing.usage_alert fired for the period
//
// A2P 10DLC registrations (package storage/brands; the API writes them):
//
//	brand/<org>/<id>                          -> brands.Brand                 brand and campaign, with the carrier's statuses
//
// Console sign-in (package storage/websessions):
//
//	websess/<hex sha256(cookie token)>        -> websessions.Session          browser session, with its CSRF token
//	websess-user/<user>/<session>             -> ""                           a user's sessions: revoked together
//	signin-link/<hex sha256(token)>           -> user id and expiry           one-time sign-in link, deleted on use
//	oidc-state/<hex sha256(state)>            -> websessions.OIDCState        nonce and PKCE verifier, 10 min, deleted on use
//
// Idempotency-Key answers (package storage/idem; the HTTP edge writes them):
//
//	idem/<org>/<hash of the key>              -> idem.Record                  24 h
//	idem-due/<U64 ms expiry>/<org>/<hash>     -> the idem/ key                the scheduler's minute tick expires them

// Key joins segments with '/'.
func Key(parts ...string) []byte {
	return []byte(strings.Join(parts, "/"))
}

// Prefix is Key plus a trailing '/', for scanning everything below a family.
func Prefix(parts ...string) []byte {
	return append(Key(parts...), '/')
}

// U64 encodes n as 8 big-endian bytes.
func U64(n uint64) []byte {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], n)
	return b[:]
}

// U64Seg is U64 as a key segment.
func U64Seg(n uint64) string { return string(U64(n)) }

// DecodeU64 reads an 8-byte big-endian integer; ok is false on a bad length.
func DecodeU64(b []byte) (n uint64, ok bool) {
	if len(b) != 8 {
		return 0, false
	}
	return binary.BigEndian.Uint64(b), true
}

// PrefixEnd returns the smallest key greater than every key with prefix, or nil
// when no such key exists (a prefix of only 0xff bytes).
func PrefixEnd(prefix []byte) []byte {
	end := append([]byte(nil), prefix...)
	for i := len(end) - 1; i >= 0; i-- {
		end[i]++
		if end[i] != 0 {
			return end[:i+1]
		}
	}
	return nil
}
