// Package relayclient plays Twilio's part in a ConversationRelay call, for
// tests and for "humd sandbox call": ParseTwiML reads the TwiML humd answers a
// voice webhook with; Dial opens the relay websocket with a signed upgrade
// and Conn sends setup, prompts, DTMF and interrupts and reads the agent's
// text, play, sendDigits, language and end frames; PlaceInbound and
// AnswerOutbound run a whole simulated call (signed voice webhook, TwiML,
// socket, setup), and Call posts the status and <Connect action> callbacks
// Twilio would.
//
// humd in a test listens on loopback while its TwiML names the public URL
// (HUMD_PUBLIC_URL). Like twiliotest, the client signs every request over
// the public URL, exactly as Twilio signs what it was configured with, and
// delivers it to humd's real address.
//
// Concurrency: a Conn's writes are serialised by a mutex, so Prompt, DTMF,
// Interrupt and Close may be called from any goroutine; a goroutine owned by
// the Conn reads the socket until Close, and ReadFrame and Reply take frames
// from it, one reader at a time. A Call's methods are safe for concurrent use.
package relayclient
