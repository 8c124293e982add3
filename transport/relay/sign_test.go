package relay

import (
	"testing"

	"github.com/twilio/twilio-go/client"
)

const token = "twiliotest0123456789abcdef012345"

// Sign must produce what twilio-go's validator (and so humd's server side)
// accepts.
func TestSignMatchesTwilioGo(t *testing.T) {
	rv := client.NewRequestValidator(token)
	tests := []struct {
		url    string
		params map[string]string
	}{
		{"wss://humd.example.com/twilio/relay", nil},
		{"wss://humd.example.com:8443/twilio/relay", nil},
		{"https://humd.example.com/twilio/voice", map[string]string{"CallSid": "CA1", "From": "+13175550199",
			"To": "+13175550100", "Direction": "inbound", "CallStatus": "ringing", "AccountSid": "AC1"}},
		{"http://127.0.0.1:8080/twilio/voice/status?call=call_1", map[string]string{"CallStatus": "completed", "Body": "a & b=c"}},
	}
	for _, tc := range tests {
		sig := Sign(token, tc.url, tc.params)
		if !rv.Validate(tc.url, tc.params, sig) {
			t.Errorf("Validate(%s, %v, Sign(...)) = false", tc.url, tc.params)
		}
		if rv.Validate(tc.url, tc.params, Sign("othertoken", tc.url, tc.params)) {
			t.Errorf("a signature with another token validates for %s", tc.url)
		}
		if len(tc.params) > 0 {
			changed := map[string]string{"Extra": "1"}
			for k, v := range tc.params {
				changed[k] = v
			}
			if rv.Validate(tc.url, changed, sig) {
				t.Errorf("signature for %s still validates with an added param", tc.url)
			}
		}
	}
}

func TestWSURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://humd.example.com", "wss://humd.example.com/twilio/relay"},
		{"https://humd.example.com/", "wss://humd.example.com/twilio/relay"},
		{"http://127.0.0.1:8080", "ws://127.0.0.1:8080/twilio/relay"},
		{"https://example.com/humd/?x=1#f", "wss://example.com/humd/twilio/relay"},
		{"wss://example.com", "wss://example.com/twilio/relay"},
		{"ftp://example.com", ""},
		{"example.com", ""},
		{"://", ""},
	}
	for _, tc := range tests {
		if got := WSURL(tc.in); got != tc.want {
			t.Errorf("WSURL(%q) = %q; want %q", tc.in, got, tc.want)
		}
	}
}

func BenchmarkDecodePrompt(b *testing.B) {
	raw := []byte(`{"type":"prompt","voicePrompt":"When are you open on Saturday?","lang":"en-US","last":true}`)
	for b.Loop() {
		if _, err := Decode(raw); err != nil {
			b.Fatal(err)
		}
	}
}
