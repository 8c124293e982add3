package relay

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
)

// ErrBadFrame is wrapped by every decode error: bad JSON, a missing or
// unknown type, or a field of the wrong kind.
var ErrBadFrame = errors.New("relay: bad frame")

// The type field of every frame.
const (
	TypeSetup      = "setup"
	TypePrompt     = "prompt"
	TypeDTMF       = "dtmf"
	TypeInterrupt  = "interrupt"
	TypeError      = "error"
	TypeText       = "text"
	TypePlay       = "play"
	TypeSendDigits = "sendDigits"
	TypeLanguage   = "language"
	TypeEnd        = "end"
)

// Setup is Twilio's first frame, sent right after the socket opens.
type Setup struct {
	Type          string `json:"type"`
	SessionID     string `json:"sessionId"` // VX...
	AccountSID    string `json:"accountSid"`
	ParentCallSID string `json:"parentCallSid,omitempty"`
	CallSID       string `json:"callSid"`
	From          string `json:"from"`
	To            string `json:"to"`
	ForwardedFrom string `json:"forwardedFrom,omitempty"`
	CallType      string `json:"callType,omitempty"` // PSTN, SIP, CLIENT
	CallerName    string `json:"callerName,omitempty"`
	Direction     string `json:"direction"` // inbound, outbound-api
	CallStatus    string `json:"callStatus"`
	// CustomParameters are the <Parameter>s of the TwiML, which is how humd
	// tells the socket which call it belongs to.
	CustomParameters Params `json:"customParameters,omitempty"`
}

// Prompt is what the caller said; Last is false on partial transcripts.
type Prompt struct {
	Type        string `json:"type"`
	VoicePrompt string `json:"voicePrompt"`
	Lang        string `json:"lang"`
	Last        bool   `json:"last"`
}

// DTMF is one key the caller pressed (when dtmfDetection is on).
type DTMF struct {
	Type  string `json:"type"`
	Digit string `json:"digit"`
}

// Interrupt says the caller spoke over the agent: UtteranceUntilInterrupt is
// how much of the agent's speech the caller actually heard.
type Interrupt struct {
	Type                     string `json:"type"`
	UtteranceUntilInterrupt  string `json:"utteranceUntilInterrupt"`
	DurationUntilInterruptMs Millis `json:"durationUntilInterruptMs"`
}

// ErrorFrame is Twilio reporting a problem, e.g. 64107 for a message of ours
// it dropped. (Named apart from the error interface it does not implement.)
type ErrorFrame struct {
	Type        string `json:"type"`
	Description string `json:"description"`
}

// TextFrame is one token of the agent's speech; Last ends the utterance.
// Nil Interruptible/Preemptible leave Twilio's defaults.
type TextFrame struct {
	Type          string `json:"type"`
	Token         string `json:"token"`
	Last          bool   `json:"last"`
	Lang          string `json:"lang,omitempty"`
	Interruptible *bool  `json:"interruptible,omitempty"`
	Preemptible   *bool  `json:"preemptible,omitempty"`
}

// PlayFrame plays an audio URL. Loop 0 leaves Twilio's default (once).
type PlayFrame struct {
	Type          string `json:"type"`
	Source        string `json:"source"`
	Loop          int    `json:"loop,omitempty"`
	Preemptible   *bool  `json:"preemptible,omitempty"`
	Interruptible *bool  `json:"interruptible,omitempty"`
}

// SendDigitsFrame plays DTMF tones into the call (w is a half-second pause).
type SendDigitsFrame struct {
	Type   string `json:"type"`
	Digits string `json:"digits"`
}

// LanguageFrame switches the speech and transcription languages mid-call.
type LanguageFrame struct {
	Type                  string `json:"type"`
	TTSLanguage           string `json:"ttsLanguage,omitempty"`
	TranscriptionLanguage string `json:"transcriptionLanguage,omitempty"`
}

// EndFrame ends the session; Twilio then posts to the <Connect action> URL
// with HandoffData, a string that by convention holds JSON.
type EndFrame struct {
	Type        string `json:"type"`
	HandoffData string `json:"handoffData,omitempty"`
}

// Millis is a duration in milliseconds. It decodes from a JSON number
// (rounded, since clones of the protocol send decimals) or a numeric string,
// and encodes as a number, so one odd field does not cost a call its
// interrupt.
type Millis int

// UnmarshalJSON accepts 460, 460.4 and "460"; null leaves it unchanged.
func (m *Millis) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	s := string(b)
	if len(b) > 0 && b[0] == '"' {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f < math.MinInt32 || f > math.MaxInt32 {
		return fmt.Errorf("milliseconds %s: not a number in range", b)
	}
	*m = Millis(math.Round(f))
	return nil
}

// Params are custom parameters. TwiML <Parameter> values are strings, but a
// non-string JSON value is kept as its JSON text rather than failing the
// setup frame, which would lose the call before it began.
type Params map[string]string

// UnmarshalJSON reads an object of any values; null values become "".
func (p *Params) UnmarshalJSON(b []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	if raw == nil {
		*p = nil
		return nil
	}
	out := make(Params, len(raw))
	for k, v := range raw {
		var s string
		switch {
		case string(v) == "null":
		case len(v) > 0 && v[0] == '"':
			if err := json.Unmarshal(v, &s); err != nil {
				return err
			}
		default:
			s = string(v)
		}
		out[k] = s
	}
	*p = out
	return nil
}

// Decode reads one frame Twilio sent: *Setup, *Prompt, *DTMF, *Interrupt or
// *ErrorFrame. Anything else is an error wrapping ErrBadFrame.
func Decode(raw []byte) (any, error) {
	typ, err := frameType(raw)
	if err != nil {
		return nil, err
	}
	var v any
	switch typ {
	case TypeSetup:
		v = &Setup{}
	case TypePrompt:
		v = &Prompt{}
	case TypeDTMF:
		v = &DTMF{}
	case TypeInterrupt:
		v = &Interrupt{}
	case TypeError:
		v = &ErrorFrame{}
	default:
		return nil, fmt.Errorf("%w: unknown type %q from Twilio", ErrBadFrame, typ)
	}
	return unmarshal(raw, typ, v)
}

// DecodeApp reads one frame the app sent: *TextFrame, *PlayFrame,
// *SendDigitsFrame, *LanguageFrame or *EndFrame. Anything else is an error
// wrapping ErrBadFrame.
func DecodeApp(raw []byte) (any, error) {
	typ, err := frameType(raw)
	if err != nil {
		return nil, err
	}
	var v any
	switch typ {
	case TypeText:
		v = &TextFrame{}
	case TypePlay:
		v = &PlayFrame{}
	case TypeSendDigits:
		v = &SendDigitsFrame{}
	case TypeLanguage:
		v = &LanguageFrame{}
	case TypeEnd:
		v = &EndFrame{}
	default:
		return nil, fmt.Errorf("%w: unknown type %q from the app", ErrBadFrame, typ)
	}
	return unmarshal(raw, typ, v)
}

func frameType(raw []byte) (string, error) {
	var head struct {
		Type string `json:"type"`
	}
	if err := json.Unmarshal(raw, &head); err != nil {
		return "", fmt.Errorf("%w: %v", ErrBadFrame, err)
	}
	if head.Type == "" {
		return "", fmt.Errorf("%w: no type", ErrBadFrame)
	}
	return head.Type, nil
}

func unmarshal(raw []byte, typ string, v any) (any, error) {
	if err := json.Unmarshal(raw, v); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrBadFrame, typ, err)
	}
	return v, nil
}

// Encode marshals any frame of the protocol, value or pointer, filling in its
// type field (the caller's value is not modified). Other values are an error
// wrapping ErrBadFrame.
func Encode(frame any) ([]byte, error) {
	switch f := frame.(type) {
	case *Setup:
		return Encode(*f)
	case *Prompt:
		return Encode(*f)
	case *DTMF:
		return Encode(*f)
	case *Interrupt:
		return Encode(*f)
	case *ErrorFrame:
		return Encode(*f)
	case *TextFrame:
		return Encode(*f)
	case *PlayFrame:
		return Encode(*f)
	case *SendDigitsFrame:
		return Encode(*f)
	case *LanguageFrame:
		return Encode(*f)
	case *EndFrame:
		return Encode(*f)
	case Setup:
		f.Type = TypeSetup
		return json.Marshal(f)
	case Prompt:
		f.Type = TypePrompt
		return json.Marshal(f)
	case DTMF:
		f.Type = TypeDTMF
		return json.Marshal(f)
	case Interrupt:
		f.Type = TypeInterrupt
		return json.Marshal(f)
	case ErrorFrame:
		f.Type = TypeError
		return json.Marshal(f)
	case TextFrame:
		f.Type = TypeText
		return json.Marshal(f)
	case PlayFrame:
		f.Type = TypePlay
		return json.Marshal(f)
	case SendDigitsFrame:
		f.Type = TypeSendDigits
		return json.Marshal(f)
	case LanguageFrame:
		f.Type = TypeLanguage
		return json.Marshal(f)
	case EndFrame:
		f.Type = TypeEnd
		return json.Marshal(f)
	}
	return nil, fmt.Errorf("%w: cannot encode %T", ErrBadFrame, frame)
}

// mustEncode is Encode for the fixed frames built here, which always marshal
// (strings, bools and ints only).
func mustEncode(frame any) []byte {
	b, err := Encode(frame)
	if err != nil {
		panic("relay: " + err.Error())
	}
	return b
}

// Text is a text frame: one token of speech, last=true on the final one.
func Text(token string, last bool) []byte {
	return mustEncode(TextFrame{Token: token, Last: last})
}

// Play is a play frame for an audio URL.
func Play(source string) []byte { return mustEncode(PlayFrame{Source: source}) }

// SendDigits is a sendDigits frame.
func SendDigits(digits string) []byte { return mustEncode(SendDigitsFrame{Digits: digits}) }

// Language is a language frame; an empty argument keeps that language.
func Language(tts, transcription string) []byte {
	return mustEncode(LanguageFrame{TTSLanguage: tts, TranscriptionLanguage: transcription})
}

// End is an end frame whose handoffData is handoff marshalled to JSON text; a
// json.RawMessage is taken as already encoded, and nil sends no handoffData.
// The call ends either way, so a handoff that does not marshal (a channel, a
// NaN) is replaced by {"error": "..."} rather than failing the hangup.
func End(handoff any) []byte {
	var data string
	switch h := handoff.(type) {
	case nil:
	case json.RawMessage:
		if json.Valid(h) {
			data = string(h)
			break
		}
		data = handoffError(errors.New("handoff is not valid JSON"))
	default:
		b, err := json.Marshal(h)
		if err != nil {
			data = handoffError(err)
			break
		}
		data = string(b)
	}
	return mustEncode(EndFrame{HandoffData: data})
}

func handoffError(err error) string {
	b, _ := json.Marshal(map[string]string{"error": "relay: handoff: " + err.Error()})
	return string(b)
}
