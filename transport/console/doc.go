// Package console is humd's browser console (issue 19): server-rendered
// html/template pages for a signed-in user, with htmx for partial updates
// and its SSE extension for live ones. Pages: the dashboard (/), the inbox
// (/inbox, /inbox/{id}), calls (/calls, /calls/{id}, live while a call
// lasts), voicemails, tool approvals and, in sandbox mode, the sandbox
// phone (/sandbox: texts, and calls it places through humd's own voice
// webhook and relay socket with relayclient, sandboxcall.go). Sign-in
// itself is transport/api/authapi's.
//
// Configuration pages (issue 20): flows (/flows, the editor /flows/{id}
// with its repeated rows added by htmx fragments from /flows/rows/{kind},
// its HTTP tools and their test request, "try it"), numbers (/numbers:
// flows, rate, sync, search and buy), knowledge (/knowledge), campaigns (/campaigns: create from a CSV upload whose bad lines
// the service names before anything is stored, preview, launch, pause,
// cancel, live progress) and contacts (/contacts, /contacts/{id}, with
// /opt-outs and /blocklist), integrations (/integrations,
// a webhook endpoint's delivery log at /integrations/webhooks/{id}), team
// and API keys (/team), the org's settings (/settings) and billing
// (/billing). A secret (signing secret, connector secret, trigger URL, API
// key) is rendered only in the answer to the post that made or rotated
// it.
//
// Rules: a page acts only through actors/service with the session's
// principal, the same typed operations as the REST API, so roles and org
// scope are the service's; the page merely hides what the role may not
// do. Every state-changing form sends the session's CSRF token (htmx's
// X-CSRF-Token header from the body's hx-headers, or the form's
// csrf_token field); without it nothing changes (403). Every answer carries
// a Content-Security-Policy that allows only the console's own scripts and
// styles (no inline script, htmx configured without eval), and no framing.
// A signed-out browser is sent to /auth/login?return_to=<the page>.
//
// Live updates: each page opens one org-scoped Server-Sent Events stream
// (/console/events, fed by storage/events.Watch through
// service.WatchEvents) that names what changed (sms, call, approval, campaign,
// change); page regions refetch themselves on those names (hx-trigger
// "sse:sms"), through the same reads as on load. Nothing polls. A call's
// page follows the call's own stream, GET /api/calls/{id}/stream.
//
// Assets (htmx 2.0.11 and htmx-ext-sse 2.2.4, 0BSD; static/VENDORED.md)
// are embedded; no Node at build or run time.
//
// Concurrency: the API keeps the channel Close closes to end open streams
// (and the sandbox phone's calls), and the sandbox phone's calls in
// progress (phoneBook, under its mutex; each call's lines under its own);
// handlers run on fasthttp's goroutines, each phone call's socket is read
// by relayclient's listener goroutine and finished by one follower
// goroutine. No actor is involved in this state.
package console
