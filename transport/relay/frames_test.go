package relay

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"testing"
)

func TestDecode(t *testing.T) {
	tests := []struct {
		in   string
		want any
	}{
		{`{"type":"setup","sessionId":"VX1","accountSid":"AC1","parentCallSid":"","callSid":"CA1","from":"+13175550199",` +
			`"to":"+13175550100","forwardedFrom":"+13175550111","callType":"PSTN","callerName":"","direction":"inbound",` +
			`"callStatus":"RINGING","customParameters":{"call_id":"call_1","n":2,"z":null}}`,
			&Setup{Type: "setup", SessionID: "VX1", AccountSID: "AC1", CallSID: "CA1", From: "+13175550199", To: "+13175550100",
				ForwardedFrom: "+13175550111", CallType: "PSTN", Direction: "inbound", CallStatus: "RINGING",
				CustomParameters: Params{"call_id": "call_1", "n": "2", "z": ""}}},
		{`{"type":"prompt","voicePrompt":"When are you open?","lang":"en-US","last":true}`,
			&Prompt{Type: "prompt", VoicePrompt: "When are you open?", Lang: "en-US", Last: true}},
		{`{"type":"prompt","voicePrompt":"When","lang":"en-US","last":false,"future":"ignored"}`,
			&Prompt{Type: "prompt", VoicePrompt: "When", Lang: "en-US"}},
		{`{"type":"dtmf","digit":"5"}`, &DTMF{Type: "dtmf", Digit: "5"}},
		{`{"type":"interrupt","utteranceUntilInterrupt":"We open at","durationUntilInterruptMs":460}`,
			&Interrupt{Type: "interrupt", UtteranceUntilInterrupt: "We open at", DurationUntilInterruptMs: 460}},
		{`{"type":"interrupt","utteranceUntilInterrupt":"We","durationUntilInterruptMs":"460"}`,
			&Interrupt{Type: "interrupt", UtteranceUntilInterrupt: "We", DurationUntilInterruptMs: 460}},
		{`{"type":"interrupt","utteranceUntilInterrupt":"We","durationUntilInterruptMs":459.6}`,
			&Interrupt{Type: "interrupt", UtteranceUntilInterrupt: "We", DurationUntilInterruptMs: 460}},
		{`{"type":"error","description":"Invalid message received: 64107"}`,
			&ErrorFrame{Type: "error", Description: "Invalid message received: 64107"}},
	}
	for _, tc := range tests {
		got, err := Decode([]byte(tc.in))
		if err != nil {
			t.Errorf("Decode(%s): %v", tc.in, err)
			continue
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Decode(%s) = %#v; want %#v", tc.in, got, tc.want)
		}
	}
}

func TestDecodeBad(t *testing.T) {
	for _, in := range []string{
		``, `nul`, `null`, `[]`, `"prompt"`, `{}`, `{"type":""}`, `{"type":"Prompt"}`, `{"type":"text","token":"hi"}`,
		`{"type":"prompt","last":"yes"}`, `{"type":"prompt","voicePrompt":5}`, `{"type":"dtmf","digit":5}`,
		`{"type":"interrupt","durationUntilInterruptMs":"soon"}`, `{"type":"interrupt","durationUntilInterruptMs":1e300}`,
		`{"type":"setup","customParameters":[]}`, `{"type":"setup","customParameters":{"a":"\x"}}`,
	} {
		if v, err := Decode([]byte(in)); !errors.Is(err, ErrBadFrame) {
			t.Errorf("Decode(%q) = %v, %v; want an ErrBadFrame", in, v, err)
		}
	}
	if v, err := DecodeApp([]byte(`{"type":"prompt","voicePrompt":"hi"}`)); !errors.Is(err, ErrBadFrame) {
		t.Errorf("DecodeApp(prompt) = %v, %v; want an ErrBadFrame", v, err)
	}
}

func TestEncodeHelpers(t *testing.T) {
	yes := true
	tests := []struct {
		got  []byte
		want string
	}{
		{Text("Hello ", false), `{"type":"text","token":"Hello ","last":false}`},
		{Text("", true), `{"type":"text","token":"","last":true}`},
		{Play("https://example.com/hold.mp3"), `{"type":"play","source":"https://example.com/hold.mp3"}`},
		{SendDigits("1w2"), `{"type":"sendDigits","digits":"1w2"}`},
		{Language("es-ES", ""), `{"type":"language","ttsLanguage":"es-ES"}`},
		{End(nil), `{"type":"end"}`},
		{End(map[string]string{"reason": "transfer", "to": "+13175550111"}),
			`{"type":"end","handoffData":"{\"reason\":\"transfer\",\"to\":\"+13175550111\"}"}`},
		{End(json.RawMessage(`{"a":1}`)), `{"type":"end","handoffData":"{\"a\":1}"}`},
		{End("bye"), `{"type":"end","handoffData":"\"bye\""}`},
		{End(math.NaN()), `{"type":"end","handoffData":"{\"error\":\"relay: handoff: json: unsupported value: NaN\"}"}`},
		{End(json.RawMessage(`{`)), `{"type":"end","handoffData":"{\"error\":\"relay: handoff: handoff is not valid JSON\"}"}`},
		{mustEncode(&TextFrame{Type: "wrong", Token: "Hi", Last: true, Lang: "en-US", Interruptible: &yes}),
			`{"type":"text","token":"Hi","last":true,"lang":"en-US","interruptible":true}`},
	}
	for _, tc := range tests {
		if string(tc.got) != tc.want {
			t.Errorf("got %s; want %s", tc.got, tc.want)
		}
	}
	if _, err := Encode(struct{}{}); !errors.Is(err, ErrBadFrame) {
		t.Errorf("Encode(struct{}{}) err = %v; want ErrBadFrame", err)
	}
}

// The End frame's handoffData decodes back to the handoff, which is what the
// <Connect action> handler reads.
func TestEndHandoffRoundTrip(t *testing.T) {
	v, err := DecodeApp(End(map[string]any{"reason": "human", "n": 2}))
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(v.(*EndFrame).HandoffData), &got); err != nil || got["reason"] != "human" || got["n"] != 2.0 {
		t.Errorf("handoff = %v, %v", got, err)
	}
}

// Every frame kind survives Encode then Decode/DecodeApp.
func TestRoundTrip(t *testing.T) {
	no := false
	twilioSide := []any{
		&Setup{Type: TypeSetup, SessionID: "VX1", CallSID: "CA1", Direction: "outbound-api", CustomParameters: Params{"call_id": "c"}},
		&Prompt{Type: TypePrompt, VoicePrompt: "hi", Lang: "en-US", Last: true},
		&DTMF{Type: TypeDTMF, Digit: "#"},
		&Interrupt{Type: TypeInterrupt, UtteranceUntilInterrupt: "We", DurationUntilInterruptMs: 12},
		&ErrorFrame{Type: TypeError, Description: "oops"},
	}
	appSide := []any{
		&TextFrame{Type: TypeText, Token: "a", Preemptible: &no},
		&PlayFrame{Type: TypePlay, Source: "https://x/y.mp3", Loop: 2},
		&SendDigitsFrame{Type: TypeSendDigits, Digits: "9"},
		&LanguageFrame{Type: TypeLanguage, TTSLanguage: "fr-FR", TranscriptionLanguage: "fr-FR"},
		&EndFrame{Type: TypeEnd, HandoffData: "{}"},
	}
	for i, frames := range [][]any{twilioSide, appSide} {
		decode := Decode
		if i == 1 {
			decode = DecodeApp
		}
		for _, f := range frames {
			raw, err := Encode(f)
			if err != nil {
				t.Fatalf("Encode(%#v): %v", f, err)
			}
			got, err := decode(raw)
			if err != nil || !reflect.DeepEqual(got, f) {
				t.Errorf("decode(Encode(%#v)) = %#v, %v", f, got, err)
			}
		}
	}
}

func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		`{"type":"setup","callSid":"CA1","customParameters":{"call_id":"call_1","n":[1, 2]}}`,
		`{"type":"prompt","voicePrompt":"hi","lang":"en-US","last":true}`,
		`{"type":"dtmf","digit":"1"}`,
		`{"type":"interrupt","utteranceUntilInterrupt":"x","durationUntilInterruptMs":"1.5"}`,
		`{"type":"error","description":"d"}`,
		`{"type":"text","token":"t","last":true,"interruptible":false}`,
		`{"type":"end","handoffData":"{}"}`,
		`{"type":"play","source":"s","loop":3}`,
		`{"TYPE":"dtmf","Digit":"2"}`, `[`, `{"type":null}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		for _, decode := range []func([]byte) (any, error){Decode, DecodeApp} {
			v, err := decode(raw)
			if err != nil {
				if !errors.Is(err, ErrBadFrame) {
					t.Fatalf("decode(%q) err = %v; want an ErrBadFrame", raw, err)
				}
				continue
			}
			// What decodes re-encodes, and re-encoding is stable.
			once, err := Encode(v)
			if err != nil {
				t.Fatalf("Encode(%#v): %v", v, err)
			}
			v2, err := decode(once)
			if err != nil {
				t.Fatalf("decode(%s) of our own encoding: %v", once, err)
			}
			twice, err := Encode(v2)
			if err != nil || !bytes.Equal(once, twice) {
				t.Fatalf("encoding not stable: %s then %s (%v)", once, twice, err)
			}
		}
	})
}
