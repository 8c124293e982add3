// Package twiliotest is a fake Twilio REST server on loopback, speaking
// Twilio's HTTP and JSON so that the real twilio-go client (through
// transport/twilio with Config.APIBase = Server.URL) runs against it: Messages
// (create), Calls (create), IncomingPhoneNumbers (paged list) and Lookup v2.
// It records what it was asked to send and call (Sent, Calls), answers
// scripted errors in Twilio's error JSON (FailNext, FailTo, FailNextCall),
// answers slowly on request (Delay), and plays Twilio's side of the webhooks:
// correctly signed status callbacks to a message's or a call's StatusCallback
// (PlayStatus, PlayCallStatus) and inbound SMS webhooks (SendInbound). The
// relay socket of a placed call is played by relay/relayclient
// (AnswerOutbound with the call's TwiML).
//
// Webhook URLs name humd's public URL, which in a test is not where humd
// listens; SetCallbackTarget maps the public base to the real loopback
// address for the HTTP request while the signature still covers the public
// URL, exactly as Twilio signs what it was configured with.
//
// Concurrency: a Server is safe for concurrent use; its state is behind one
// mutex and each request runs on net/http's goroutines. PlayStatus and
// SendInbound block until humd answers.
package twiliotest
