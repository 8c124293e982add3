// Package relay is the wire protocol of Twilio ConversationRelay (SPEC
// Appendix C): the JSON frames Twilio and the app exchange over the relay
// websocket, the X-Twilio-Signature that authenticates the upgrade, and the
// websocket URL humd puts in its TwiML.
//
// Frames from Twilio (setup, prompt, dtmf, interrupt, error) decode with
// Decode into *Setup, *Prompt, *DTMF, *Interrupt and *ErrorFrame. Frames from
// the app (text, play, sendDigits, language, end) are built with Text, Play,
// SendDigits, Language and End, or with Encode from *TextFrame, *PlayFrame,
// *SendDigitsFrame, *LanguageFrame and *EndFrame when optional fields are
// needed; DecodeApp reads them back, for clients playing Twilio's part. The
// app-side types carry a Frame suffix because the plain names are the
// constructors. Encode also writes Twilio-side frames, for the same clients.
//
// Decoding is lenient where Twilio is allowed to grow (unknown fields are
// ignored) and strict where a frame cannot be understood (bad JSON, a missing
// or unknown type, a field of the wrong JSON kind): those are errors wrapping
// ErrBadFrame, which a server logs and skips, since Twilio keeps the session
// alive after a bad message too (error 64107).
//
// The package has no dependencies beyond the standard library, so the
// websocket endpoint, the relay client and tests can all share it.
//
// Concurrency: everything here is a pure function or a plain value; values
// are safe to share once built and not modified.
package relay
