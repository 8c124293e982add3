// Package logredact keeps credentials out of humd's logs. Handler wraps any
// slog.Handler and rewrites each record's message and attributes through
// String, which replaces the values of credential headers (Authorization,
// Proxy-Authorization, X-Api-Key, Cookie, Set-Cookie, X-Twilio-Signature),
// bearer and basic credentials, API keys and secrets of the shapes humd and
// its integrations use (hum_live_..., sk_/sk-..., whsec_..., crm_...,
// trg_...), the token segment of trigger URLs and the value fasthttp quotes
// when it refuses a header value. An attribute named like a credential
// header is replaced whole.
//
// fasthttp's own error log prints the raw bytes of a request it could not
// parse, so humd routes that log through the same handler (httpapi does).
// Redaction is a safety net for text humd does not control; code should
// still not log secrets on purpose.
//
// Concurrency: a Handler is immutable; String and Attr are pure functions,
// safe from any goroutine.
package logredact
