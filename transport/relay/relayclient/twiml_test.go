package relayclient

import (
	"errors"
	"reflect"
	"testing"

	"github.com/twilio/twilio-go/twiml"
)

func voice(t *testing.T, els ...twiml.Element) string {
	t.Helper()
	s, err := twiml.Voice(els)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestParseTwiML(t *testing.T) {
	relayEl := &twiml.VoiceConversationRelay{Url: "wss://humd.example.com/twilio/relay", WelcomeGreeting: "Hi & welcome, how can I help?",
		Language: "en-US", DtmfDetection: "true", InnerElements: []twiml.Element{
			&twiml.VoiceParameter{Name: "call_id", Value: "call_01J"},
			&twiml.VoiceParameter{Name: "org", Value: "acme"},
		}}
	tests := []struct {
		name string
		doc  string
		want Response
	}{
		{"connect", voice(t, &twiml.VoiceConnect{Action: "https://humd.example.com/twilio/voice/action?call=call_01J",
			InnerElements: []twiml.Element{relayEl}}),
			Response{Kind: KindConnect, Verbs: []string{"Connect"}, RelayURL: "wss://humd.example.com/twilio/relay",
				WelcomeGreeting: "Hi & welcome, how can I help?", Action: "https://humd.example.com/twilio/voice/action?call=call_01J",
				Relay: map[string]string{"url": "wss://humd.example.com/twilio/relay", "welcomeGreeting": "Hi & welcome, how can I help?",
					"language": "en-US", "dtmfDetection": "true"},
				Parameters: map[string]string{"call_id": "call_01J", "org": "acme"}}},
		{"reject", voice(t, &twiml.VoiceReject{Reason: "busy"}),
			Response{Kind: KindReject, Verbs: []string{"Reject"}, RejectReason: "busy"}},
		{"voicemail", voice(t, &twiml.VoiceSay{Message: "Please leave a message after the tone."},
			&twiml.VoiceRecord{Action: "https://humd.example.com/twilio/voice/recording", MaxLength: "120", PlayBeep: "true"}),
			Response{Kind: KindRecord, Verbs: []string{"Say", "Record"}, Say: []string{"Please leave a message after the tone."},
				Record: map[string]string{"action": "https://humd.example.com/twilio/voice/recording", "maxLength": "120", "playBeep": "true"}}},
		{"dial text", voice(t, &twiml.VoiceSay{Message: "Connecting you."}, &twiml.VoiceDial{Number: "+13175550111"}),
			Response{Kind: KindDial, Verbs: []string{"Say", "Dial"}, Say: []string{"Connecting you."}, Dial: "+13175550111"}},
		{"dial number", voice(t, &twiml.VoiceDial{InnerElements: []twiml.Element{&twiml.VoiceNumber{PhoneNumber: "+13175550112"}}}),
			Response{Kind: KindDial, Verbs: []string{"Dial"}, Dial: "+13175550112"}},
		{"say and hang up", voice(t, &twiml.VoiceSay{Message: "We are closed."}, &twiml.VoiceHangup{}),
			Response{Kind: KindSay, Verbs: []string{"Say", "Hangup"}, Say: []string{"We are closed."}}},
		{"hangup", voice(t, &twiml.VoiceHangup{}), Response{Kind: KindHangup, Verbs: []string{"Hangup"}}},
		{"empty", voice(t), Response{Kind: KindEmpty}},
		// The first deciding verb wins; a <Connect> to a media stream decides nothing.
		{"first wins", `<Response><Connect><Stream url="wss://x"/></Connect><Reject/><Dial>+1</Dial></Response>`,
			Response{Kind: KindReject, Verbs: []string{"Connect", "Reject", "Dial"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseTwiML(tc.doc)
			if err != nil {
				t.Fatalf("ParseTwiML(%s): %v", tc.doc, err)
			}
			if !reflect.DeepEqual(*got, tc.want) {
				t.Errorf("ParseTwiML(%s) =\n%#v; want\n%#v", tc.doc, *got, tc.want)
			}
		})
	}
}

func TestParseTwiMLBad(t *testing.T) {
	for _, doc := range []string{
		``, `not xml`, `<Response>`, `<Other/>`,
		`<Response><Connect><ConversationRelay welcomeGreeting="hi"/></Connect></Response>`,
	} {
		if r, err := ParseTwiML(doc); !errors.Is(err, ErrBadTwiML) {
			t.Errorf("ParseTwiML(%q) = %+v, %v; want ErrBadTwiML", doc, r, err)
		}
	}
}
