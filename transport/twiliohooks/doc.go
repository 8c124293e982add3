// Package twiliohooks serves what Twilio calls: the signed SMS and voice
// webhooks under /twilio/ and the ConversationRelay websocket. Every
// request is checked against X-Twilio-Signature (twilio-go's validator)
// before anything is read; the sandbox's per-call tokens (sandbox.CallToken)
// sign one call's voice webhooks and socket too. Texts go to their thread's
// conversation actor and calls to their call actor; the answers are TwiML
// built with twilio-go.
//
// Concurrency: the webhook handlers run on fasthttp's goroutines and share
// only the E.164 -> number cache (a sync.Map). A relay socket has one
// reading goroutine (the upgraded handler) and one writing goroutine
// (wsOut), which never waits on the call actor: a full queue closes the
// socket.
package twiliohooks
