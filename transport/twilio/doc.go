// Package twilio is humd's edge to Twilio, built on twilio-go (D-3): Client
// sends texts (it is the production sender.Carrier), places outbound calls
// (PlaceCall, with the TwiML inline), lists the account's incoming numbers and
// runs Lookup v2; Sign, ValidateSignature and
// ValidateParams are both sides of X-Twilio-Signature; EmptyMessagingResponse
// is the TwiML humd answers inbound SMS webhooks with. Every REST call goes
// through twilio-go; with Config.APIBase set, a RoundTripper rewrites the
// scheme and host of every request (api.twilio.com, lookups.twilio.com, ...)
// to that base, which is how tests and proxies stand in for Twilio.
//
// twilio-go takes no context.Context. Send honours its ctx anyway: each call
// builds a throwaway Api service over an http.Client whose transport attaches
// ctx (with the configured timeout) to the request, so a cancelled ctx aborts
// the HTTP exchange itself and nothing is left running. PlaceCall does the
// same. An httptrace hook
// notes whether request headers were written, which decides whether a failed
// send is safe to retry.
//
// Concurrency: a Client is safe for concurrent use; it holds no mutable state
// after New. Send, PlaceCall, IncomingNumbers and Lookup block on the network, so actors
// call them from worker goroutines, never from Receive.
package twilio
