// Package call runs voice calls: one actor per call (keyed by humd's call
// id), fed by Twilio's voice webhooks and by the ConversationRelay websocket
// (D-4). The actor decides how a ringing call is answered (AI agent,
// voicemail, reject), owns the turn loop (a caller prompt starts a model turn
// whose streamed tokens go back over the socket; an interrupt cancels it),
// runs tools one at a time (the flow's tools_json.builtin may narrow them;
// send_digits plays DTMF into the call; opt_out, always offered, records a
// request not to be contacted), performs transfers and
// agent-to-agent switches, writes the transcript turn by turn and, after
// hang-up, asks the model for a summary and an outcome. An interrupt that
// comes after the model finished cuts the agent's last line to what the
// caller heard.
//
// Every call ends once, with call.completed: on Twilio's final status, on the
// voicemail, or on a timer of the injected clock when neither comes (60 s
// after the socket closed; for calls no agent is on, after the message or the
// longest voicemail).
//
// An outbound call is placed only with consent (Consent): never to a
// blocklisted or opted-out number, the opt-out list being the org's
// do-not-call list too.
//
// Nothing blocking runs in Receive: model turns, pre-call hooks, the
// post-call summary and outbound call placement run on worker goroutines and
// come back as messages; the socket is written by the transport's own writer
// goroutine through Out, which never blocks. Live events go to a live.Hub
// (actors/call/live) that the SSE endpoint subscribes to; the hub numbers
// each call's events and keeps its last ones (and its end), so a viewer that
// reconnects resumes where it left off.
package call
