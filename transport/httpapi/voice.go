package httpapi

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"

	"github.com/beevik/etree"
	"github.com/twilio/twilio-go/twiml"

	"github.com/humd/humd/actors/call"
	"github.com/humd/humd/actors/system"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/calls"
	"github.com/humd/humd/storage/flows"
	"github.com/humd/humd/transport/relay"
)

// Voice webhooks (SPEC 2.13, D-4). Every one is signed by Twilio; humd's own
// callback URLs carry ?call_id= so routing needs no index read and a status
// callback that beats the REST answer of an outbound call still finds it.

func askCall[T any](s *Server, callID string, msg any) (T, error) {
	return system.Await[T](s.deps.Calls.Request(callID, msg, askTimeout), msg)
}

func (s *Server) voiceRoutes() []*Route {
	twimlBody := Schema{"type": "string", "x-content-type": "text/xml"}
	ok := map[int]Schema{200: twimlBody}
	hook := func(path, op, summary string, h func(*Call) error) *Route {
		return &Route{Method: "POST", Path: path, OpID: op, Summary: summary + " (signed)", Tag: "Twilio", Auth: Public,
			Responses: ok, Handle: func(c *Call) error {
				if err := s.checkVoiceHook(c, path == "/twilio/voice"); err != nil {
					return err
				}
				return h(c)
			}}
	}
	return []*Route{
		hook("/twilio/voice", "twilioVoice", "Twilio inbound call webhook: answers ConversationRelay, voicemail or reject TwiML", s.twilioVoice),
		hook("/twilio/voice/status", "twilioVoiceStatus", "Twilio call status callback", s.twilioVoiceStatus),
		hook("/twilio/voice/action", "twilioVoiceAction", "After the relay session: transfer or hang up", s.twilioVoiceAction),
		hook("/twilio/voice/dial", "twilioVoiceDial", "After a transfer's <Dial>: voicemail when nobody answered", s.twilioVoiceDial),
		hook("/twilio/voice/recording", "twilioVoiceRecording", "Recording callback (voicemail or call recording)", s.twilioVoiceRecording),
		hook("/twilio/voice/transcription", "twilioVoiceTranscription", "Voicemail transcription callback", s.twilioVoiceTranscription),
		{Method: "GET", Path: relay.Path, OpID: "twilioRelay", Summary: "ConversationRelay websocket (signed upgrade)", Tag: "Twilio", Auth: Public,
			Responses: map[int]Schema{101: nil}, Handle: s.twilioRelay},
	}
}

// voiceTwiML renders TwiML with twilio-go's builder, each element's
// attributes in name order: the builder sets them from a map, so its own
// output orders them anew every time, and a retried webhook must get the
// same bytes as the first.
func voiceTwiML(elems []twiml.Element) (string, error) {
	doc, response := twiml.CreateDocument()
	twiml.AddAllVerbs(response, elems)
	sortAttrs(&doc.Element)
	return twiml.ToXML(doc)
}

func sortAttrs(e *etree.Element) {
	e.SortAttrs()
	for _, child := range e.ChildElements() {
		sortAttrs(child)
	}
}

func (s *Server) writeTwiML(c *Call, elems []twiml.Element) error {
	out, err := voiceTwiML(elems)
	if err != nil {
		return fmt.Errorf("twiml: %w", err)
	}
	c.Ctx.SetStatusCode(200)
	c.Ctx.SetContentType("text/xml")
	c.Ctx.SetBodyString(out)
	c.status = 200
	return nil
}

func (s *Server) voiceURL(path, callID string, extra ...string) string {
	q := url.Values{"call_id": {callID}}
	for i := 0; i+1 < len(extra); i += 2 {
		q.Set(extra[i], extra[i+1])
	}
	return s.deps.PublicURL + path + "?" + q.Encode()
}

// ConnectTwiML is the TwiML that puts a call on a flow's agent: a
// ConversationRelay session whose parameters name the call, with the greeting
// (after the recording notice) spoken by Twilio.
func (s *Server) ConnectTwiML(c *calls.Call, f *flows.Flow) (string, error) {
	return voiceTwiML(s.connect(c, f))
}

func (s *Server) connect(c *calls.Call, f *flows.Flow) []twiml.Element {
	cr := &twiml.VoiceConversationRelay{Url: s.sandboxRelayURL(relay.WSURL(s.deps.PublicURL), c.ID), WelcomeGreeting: call.Greeting(f),
		DtmfDetection: "true", Interruptible: "any", Voice: f.VoiceID,
		InnerElements: []twiml.Element{
			&twiml.VoiceParameter{Name: "call_id", Value: c.ID},
			&twiml.VoiceParameter{Name: "flow_id", Value: f.ID},
		}}
	return []twiml.Element{&twiml.VoiceConnect{Action: s.voiceURL("/twilio/voice/action", c.ID), InnerElements: []twiml.Element{cr}}}
}

func (s *Server) voicemail(callID, message string) []twiml.Element {
	return []twiml.Element{
		&twiml.VoiceSay{Message: message},
		&twiml.VoiceRecord{Action: s.voiceURL("/twilio/voice/recording", callID, "kind", "voicemail"), MaxLength: strconv.Itoa(int(call.VoicemailMaxLength.Seconds())),
			PlayBeep: "true", Transcribe: "true", TranscribeCallback: s.voiceURL("/twilio/voice/transcription", callID)},
		&twiml.VoiceHangup{},
	}
}

func formInt(c *Call, name string) int {
	n, _ := strconv.Atoi(string(c.Ctx.PostArgs().Peek(name)))
	return n
}

func (s *Server) twilioVoice(c *Call) error {
	f := c.Ctx.PostArgs()
	m := &call.Ring{CallSID: string(f.Peek("CallSid")), AccountSID: string(f.Peek("AccountSid")),
		From: string(f.Peek("From")), To: string(f.Peek("To")), Status: string(f.Peek("CallStatus"))}
	v := &storage.ValidationError{}
	for k, val := range map[string]string{"CallSid": m.CallSID, "From": m.From, "To": m.To} {
		if val == "" {
			v.Add(k, "required")
		}
	}
	if err := v.Err(); err != nil {
		return err
	}
	r, err := askCall[*call.Ringing](s, call.IDForSID(m.CallSID), m)
	if err != nil {
		return err
	}
	switch r.Call.Route {
	case call.RouteRejected:
		return s.writeTwiML(c, []twiml.Element{&twiml.VoiceReject{Reason: "rejected"}})
	case call.RouteVoicemail:
		return s.writeTwiML(c, s.voicemail(r.Call.ID, r.Message))
	case call.RouteConnect:
		if r.Flow == nil {
			return errors.New("voice: connect without a flow")
		}
		return s.writeTwiML(c, s.connect(r.Call, r.Flow))
	}
	return s.writeTwiML(c, []twiml.Element{&twiml.VoiceSay{Message: r.Message}, &twiml.VoiceHangup{}})
}

// callbackID resolves which call a callback is about.
func (s *Server) callbackID(c *Call) (string, error) {
	sid := string(c.Ctx.PostArgs().Peek("CallSid"))
	hint := c.Query("call_id")
	if sid == "" && hint == "" {
		return "", storage.Invalid("CallSid", "required")
	}
	return call.Resolve(s.deps.Store, sid, hint)
}

func (s *Server) twilioVoiceStatus(c *Call) error {
	id, err := s.callbackID(c)
	if err != nil {
		return err
	}
	f := c.Ctx.PostArgs()
	if _, err := askCall[*calls.Call](s, id, &call.Status{CallSID: string(f.Peek("CallSid")),
		Status: string(f.Peek("CallStatus")), DurationS: formInt(c, "CallDuration")}); err != nil {
		return err
	}
	return s.writeTwiML(c, nil)
}

func (s *Server) next(c *Call, n *call.Next) error {
	switch {
	case n.DialE164 != "":
		return s.writeTwiML(c, []twiml.Element{&twiml.VoiceDial{Number: n.DialE164, Timeout: "20",
			Action: s.voiceURL("/twilio/voice/dial", n.Call.ID)}})
	case n.Voicemail:
		return s.writeTwiML(c, s.voicemail(n.Call.ID, n.Message))
	case n.Message != "":
		return s.writeTwiML(c, []twiml.Element{&twiml.VoiceSay{Message: n.Message}, &twiml.VoiceHangup{}})
	}
	return s.writeTwiML(c, []twiml.Element{&twiml.VoiceHangup{}})
}

func (s *Server) twilioVoiceAction(c *Call) error {
	id, err := s.callbackID(c)
	if err != nil {
		return err
	}
	n, err := askCall[*call.Next](s, id, &call.Action{})
	if err != nil {
		return err
	}
	return s.next(c, n)
}

func (s *Server) twilioVoiceDial(c *Call) error {
	id, err := s.callbackID(c)
	if err != nil {
		return err
	}
	n, err := askCall[*call.Next](s, id, &call.DialDone{DialStatus: string(c.Ctx.PostArgs().Peek("DialCallStatus"))})
	if err != nil {
		return err
	}
	return s.next(c, n)
}

func (s *Server) twilioVoiceRecording(c *Call) error {
	id, err := s.callbackID(c)
	if err != nil {
		return err
	}
	u := string(c.Ctx.PostArgs().Peek("RecordingUrl"))
	if u == "" {
		return storage.Invalid("RecordingUrl", "required")
	}
	if _, err := askCall[*calls.Call](s, id, &call.Recording{URL: u, DurationS: formInt(c, "RecordingDuration"),
		Voicemail: c.Query("kind") == "voicemail"}); err != nil {
		return err
	}
	return s.writeTwiML(c, []twiml.Element{&twiml.VoiceHangup{}})
}

func (s *Server) twilioVoiceTranscription(c *Call) error {
	id, err := s.callbackID(c)
	if err != nil {
		return err
	}
	if _, err := askCall[*calls.Call](s, id, &call.Transcription{Text: string(c.Ctx.PostArgs().Peek("TranscriptionText"))}); err != nil {
		return err
	}
	return s.writeTwiML(c, nil)
}
