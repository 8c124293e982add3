package twiliohooks

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"

	"github.com/beevik/etree"
	"github.com/twilio/twilio-go/twiml"

	"github.com/humd/humd/actors/call"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/calls"
	"github.com/humd/humd/storage/flows"
	"github.com/humd/humd/transport/httpapi"
	"github.com/humd/humd/transport/relay"
)

// Voice webhooks (SPEC 2.13, D-4). Every one is signed by Twilio; humd's own
// callback URLs carry ?call_id= so routing needs no index read and a status
// callback that beats the REST answer of an outbound call still finds it.

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

func (a *API) writeTwiML(c *httpapi.Call, elems []twiml.Element) error {
	out, err := voiceTwiML(elems)
	if err != nil {
		return fmt.Errorf("twiml: %w", err)
	}
	return httpapi.Text(c, 200, httpapi.XML(out))
}

func (a *API) voiceURL(path, callID string, extra ...string) string {
	q := url.Values{"call_id": {callID}}
	for i := 0; i+1 < len(extra); i += 2 {
		q.Set(extra[i], extra[i+1])
	}
	return a.d.PublicURL + path + "?" + q.Encode()
}

// ConnectTwiML is the TwiML that puts a call on a flow's agent: a
// ConversationRelay session whose parameters name the call, with the greeting
// (after the recording notice) spoken by Twilio.
func (a *API) ConnectTwiML(c *calls.Call, f *flows.Flow) (string, error) {
	return voiceTwiML(a.connect(c, f))
}

func (a *API) connect(c *calls.Call, f *flows.Flow) []twiml.Element {
	cr := &twiml.VoiceConversationRelay{Url: a.sandboxRelayURL(relay.WSURL(a.d.PublicURL), c.ID), WelcomeGreeting: call.Greeting(f),
		DtmfDetection: "true", Interruptible: "any", Voice: f.VoiceID,
		InnerElements: []twiml.Element{
			&twiml.VoiceParameter{Name: "call_id", Value: c.ID},
			&twiml.VoiceParameter{Name: "flow_id", Value: f.ID},
		}}
	return []twiml.Element{&twiml.VoiceConnect{Action: a.voiceURL("/twilio/voice/action", c.ID), InnerElements: []twiml.Element{cr}}}
}

func (a *API) voicemail(callID, message string) []twiml.Element {
	return []twiml.Element{
		&twiml.VoiceSay{Message: message},
		&twiml.VoiceRecord{Action: a.voiceURL("/twilio/voice/recording", callID, "kind", "voicemail"), MaxLength: strconv.Itoa(int(call.VoicemailMaxLength.Seconds())),
			PlayBeep: "true", Transcribe: "true", TranscribeCallback: a.voiceURL("/twilio/voice/transcription", callID)},
		&twiml.VoiceHangup{},
	}
}

func formInt(c *httpapi.Call, name string) int {
	n, _ := strconv.Atoi(string(c.Ctx.PostArgs().Peek(name)))
	return n
}

func (a *API) twilioVoice(c *httpapi.Call) error {
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
	r, err := askCall[*call.Ringing](a, call.IDForSID(m.CallSID), m)
	if err != nil {
		return err
	}
	c.LogWith("org", r.Call.OrgID, "call", r.Call.ID)
	switch r.Call.Route {
	case call.RouteRejected:
		return a.writeTwiML(c, []twiml.Element{&twiml.VoiceReject{Reason: "rejected"}})
	case call.RouteVoicemail:
		return a.writeTwiML(c, a.voicemail(r.Call.ID, r.Message))
	case call.RouteConnect:
		if r.Flow == nil {
			return errors.New("voice: connect without a flow")
		}
		return a.writeTwiML(c, a.connect(r.Call, r.Flow))
	}
	return a.writeTwiML(c, []twiml.Element{&twiml.VoiceSay{Message: r.Message}, &twiml.VoiceHangup{}})
}

// callbackID resolves which call a callback is about.
func (a *API) callbackID(c *httpapi.Call) (string, error) {
	sid := string(c.Ctx.PostArgs().Peek("CallSid"))
	hint := c.Query("call_id")
	if sid == "" && hint == "" {
		return "", storage.Invalid("CallSid", "required")
	}
	id, err := call.Resolve(a.d.Store, sid, hint)
	if err == nil {
		c.LogWith("call", id)
	}
	return id, err
}

func (a *API) twilioVoiceStatus(c *httpapi.Call) error {
	id, err := a.callbackID(c)
	if err != nil {
		return err
	}
	f := c.Ctx.PostArgs()
	if _, err := askCall[*calls.Call](a, id, &call.Status{CallSID: string(f.Peek("CallSid")),
		Status: string(f.Peek("CallStatus")), DurationS: formInt(c, "CallDuration")}); err != nil {
		return err
	}
	return a.writeTwiML(c, nil)
}

func (a *API) next(c *httpapi.Call, n *call.Next) error {
	switch {
	case n.DialE164 != "":
		return a.writeTwiML(c, []twiml.Element{&twiml.VoiceDial{Number: n.DialE164, Timeout: "20",
			Action: a.voiceURL("/twilio/voice/dial", n.Call.ID)}})
	case n.Voicemail:
		return a.writeTwiML(c, a.voicemail(n.Call.ID, n.Message))
	case n.Message != "":
		return a.writeTwiML(c, []twiml.Element{&twiml.VoiceSay{Message: n.Message}, &twiml.VoiceHangup{}})
	}
	return a.writeTwiML(c, []twiml.Element{&twiml.VoiceHangup{}})
}

func (a *API) twilioVoiceAction(c *httpapi.Call) error {
	id, err := a.callbackID(c)
	if err != nil {
		return err
	}
	n, err := askCall[*call.Next](a, id, &call.Action{})
	if err != nil {
		return err
	}
	return a.next(c, n)
}

func (a *API) twilioVoiceDial(c *httpapi.Call) error {
	id, err := a.callbackID(c)
	if err != nil {
		return err
	}
	n, err := askCall[*call.Next](a, id, &call.DialDone{DialStatus: string(c.Ctx.PostArgs().Peek("DialCallStatus"))})
	if err != nil {
		return err
	}
	return a.next(c, n)
}

func (a *API) twilioVoiceRecording(c *httpapi.Call) error {
	id, err := a.callbackID(c)
	if err != nil {
		return err
	}
	u := string(c.Ctx.PostArgs().Peek("RecordingUrl"))
	if u == "" {
		return storage.Invalid("RecordingUrl", "required")
	}
	if _, err := askCall[*calls.Call](a, id, &call.Recording{URL: u, DurationS: formInt(c, "RecordingDuration"),
		Voicemail: c.Query("kind") == "voicemail"}); err != nil {
		return err
	}
	return a.writeTwiML(c, []twiml.Element{&twiml.VoiceHangup{}})
}

func (a *API) twilioVoiceTranscription(c *httpapi.Call) error {
	id, err := a.callbackID(c)
	if err != nil {
		return err
	}
	if _, err := askCall[*calls.Call](a, id, &call.Transcription{Text: string(c.Ctx.PostArgs().Peek("TranscriptionText"))}); err != nil {
		return err
	}
	return a.writeTwiML(c, nil)
}
