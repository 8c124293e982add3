package twilio

import (
	"math/rand/v2"
	"net/url"
	"strings"
	"testing"

	"github.com/twilio/twilio-go/client"
)

// twilio-go's own test vector (client/request_validator_test.go).
func TestSignKnownVector(t *testing.T) {
	form := url.Values{"Digits": {"1234"}, "CallSid": {"CA1234567890ABCDE"}, "To": {"+18005551212"},
		"Caller": {"+14158675309"}, "From": {"+14158675309"}, "ReasonConferenceEnded": {"test"}, "Reason": {"Participant"}}
	const want = "vOEb5UThFn24KEfnOFLQY2AE5FY="
	if got := Sign("12345", "https://mycompany.com/myapp.php?foo=1&bar=2", form); got != want {
		t.Errorf("Sign = %q; want %q", got, want)
	}
}

func inboundForm() url.Values {
	return url.Values{"MessageSid": {"SM0123456789abcdef0123456789abcdef"}, "AccountSid": {"AC1"}, "From": {"+13175550100"},
		"To": {"+13175550199"}, "Body": {"Hi there & ümlaut = 😀"}, "NumMedia": {"0"}, "NumSegments": {"1"},
		"SmsStatus": {"received"}, "ApiVersion": {"2010-04-01"}}
}

func TestSignValidatesWithTwilioGo(t *testing.T) {
	const token, public = "abc123token", "https://humd.example.com"
	tests := []struct {
		name  string
		sign  func() (uri string, form url.Values, sig string)
		valid bool
	}{
		{"as signed", func() (string, url.Values, string) {
			f := inboundForm()
			return "/twilio/sms", f, Sign(token, public+"/twilio/sms", f)
		}, true},
		{"with query", func() (string, url.Values, string) {
			f := inboundForm()
			return "/twilio/sms/status?x=1", f, Sign(token, public+"/twilio/sms/status?x=1", f)
		}, true},
		{"signed with default port", func() (string, url.Values, string) {
			f := inboundForm()
			return "/twilio/sms", f, Sign(token, "https://humd.example.com:443/twilio/sms", f)
		}, true},
		{"param changed after signing", func() (string, url.Values, string) {
			f := inboundForm()
			sig := Sign(token, public+"/twilio/sms", f)
			f.Set("Body", "Hi there")
			return "/twilio/sms", f, sig
		}, false},
		{"param added after signing", func() (string, url.Values, string) {
			f := inboundForm()
			sig := Sign(token, public+"/twilio/sms", f)
			f.Set("OptOutType", "STOP")
			return "/twilio/sms", f, sig
		}, false},
		{"http where Twilio used https", func() (string, url.Values, string) {
			f := inboundForm()
			return "/twilio/sms", f, Sign(token, "http://humd.example.com/twilio/sms", f)
		}, false},
		{"other path", func() (string, url.Values, string) {
			f := inboundForm()
			return "/twilio/sms", f, Sign(token, public+"/twilio/sms/status", f)
		}, false},
		{"wrong token", func() (string, url.Values, string) {
			f := inboundForm()
			return "/twilio/sms", f, Sign("other", public+"/twilio/sms", f)
		}, false},
		{"no signature", func() (string, url.Values, string) { return "/twilio/sms", inboundForm(), "" }, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			uri, form, sig := tc.sign()
			if got := ValidateSignature(token, public, uri, []byte(form.Encode()), sig); got != tc.valid {
				t.Errorf("ValidateSignature = %v; want %v", got, tc.valid)
			}
			if got := ValidateParams(token, public+uri, form, sig); got != tc.valid {
				t.Errorf("ValidateParams = %v; want %v", got, tc.valid)
			}
		})
	}
}

func TestValidateSignatureNeedsToken(t *testing.T) {
	f := inboundForm()
	sig := Sign("", "https://h/twilio/sms", f)
	if ValidateSignature("", "https://h", "/twilio/sms", []byte(f.Encode()), sig) {
		t.Error("an empty auth token validated a signature made with an empty key")
	}
}

func TestSignRepeatedKeys(t *testing.T) {
	a := Sign("t", "https://h/x", url.Values{"K": {"b", "a"}})
	b := Sign("t", "https://h/x", url.Values{"K": {"a", "b"}})
	if a != b {
		t.Errorf("Sign depends on the order of a key's values: %q vs %q", a, b)
	}
}

func TestEmptyMessagingResponse(t *testing.T) {
	got := EmptyMessagingResponse()
	if !strings.Contains(got, "<Response/>") && !strings.Contains(got, "<Response></Response>") {
		t.Errorf("EmptyMessagingResponse = %q; want an empty <Response>", got)
	}
	if strings.Contains(got, "<Message") {
		t.Errorf("EmptyMessagingResponse = %q has a message", got)
	}
}

// FuzzSign checks Sign against twilio-go's validator for any single-valued form.
func FuzzSign(f *testing.F) {
	f.Add("tok", "/twilio/sms", "Body", "hello", "From", "+13175550100")
	f.Add("12345", "/a?b=c&d=e", "Body", "", "x", "ü😀&=")
	f.Fuzz(func(t *testing.T, token, uri, k1, v1, k2, v2 string) {
		if token == "" || k1 == "" || k2 == "" || k1 == k2 || !strings.HasPrefix(uri, "/") {
			return
		}
		full := "https://humd.example.com" + uri
		if _, err := url.Parse(full); err != nil {
			return
		}
		form := url.Values{k1: {v1}, k2: {v2}}
		if !ValidateParams(token, full, form, Sign(token, full, form)) {
			t.Errorf("twilio-go rejects Sign(%q, %q, %v)", token, full, form)
		}
	})
}

// ValidateForm hands twilio-go one pre-sorted string instead of the form; it
// must accept and refuse exactly what twilio-go's validator does with the
// whole form as a map, repeated, empty and unicode keys included.
func TestValidateFormAgreesWithTwilioGo(t *testing.T) {
	const token, full = "tok123", "https://humd.example.com:8443/twilio/sms?x=1"
	rnd := rand.New(rand.NewPCG(1, 2))
	alphabet := []string{"", "a", "A", "b", "Body", "body", "Bo", "ü", "😀", "&", "=", "To", "From", "z"}
	pick := func() string { return alphabet[rnd.IntN(len(alphabet))] + alphabet[rnd.IntN(len(alphabet))] }
	for i := range 2000 {
		var pairs [][2]string
		first := map[string]string{}
		for range rnd.IntN(30) {
			k, v := pick(), pick()
			pairs = append(pairs, [2]string{k, v})
			if _, seen := first[k]; !seen {
				first[k] = v
			}
		}
		visit := func(f func(k, v []byte)) {
			for _, p := range pairs {
				f([]byte(p[0]), []byte(p[1]))
			}
		}
		rv := client.NewRequestValidator(token)
		good := Sign(token, full, toValues(first))
		for _, sig := range []string{good, Sign(token, full+"&y", toValues(first)), Sign("other", full, toValues(first))} {
			want := rv.Validate(full, first, sig)
			if got := ValidateForm(token, full, visit, sig); got != want {
				t.Fatalf("case %d %q sig %q: ValidateForm = %v; twilio-go says %v", i, pairs, sig, got, want)
			}
		}
		if !ValidateForm(token, full, visit, good) {
			t.Fatalf("case %d %q: ValidateForm refuses the signature of the first values", i, pairs)
		}
	}
}

func toValues(m map[string]string) url.Values {
	v := url.Values{}
	for k, s := range m {
		v.Set(k, s)
	}
	return v
}
