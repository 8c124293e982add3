package twilio_test

import (
	"net/url"
	"testing"

	"github.com/humd/humd/transport/twilio"
)

// Micro benchmarks of the webhook signature, on an inbound SMS form of the
// size Twilio posts. humd checks every /twilio/* request this way.
//
//	go test -run '^$' -bench Signature -benchmem ./transport/twilio/

const (
	benchToken = "0123456789abcdef0123456789abcdef"
	benchURL   = "https://humd.example.com/twilio/sms"
)

func benchForm() url.Values {
	sid := "SM0123456789abcdef0123456789abcdef"
	return url.Values{"MessageSid": {sid}, "SmsSid": {sid}, "AccountSid": {"AC0123456789abcdef0123456789abcdef"},
		"From": {"+13172000001"}, "To": {"+15005550006"}, "Body": {"Hi, is the appointment still on for Tuesday?"},
		"NumMedia": {"0"}, "NumSegments": {"1"}, "SmsStatus": {"received"}, "ApiVersion": {"2010-04-01"}}
}

func BenchmarkSign(b *testing.B) {
	form := benchForm()
	b.ReportAllocs()
	for b.Loop() {
		twilio.Sign(benchToken, benchURL, form)
	}
}

// BenchmarkValidateSignature checks a raw form body, as a webhook arrives.
func BenchmarkValidateSignature(b *testing.B) {
	form := benchForm()
	sig := twilio.Sign(benchToken, benchURL, form)
	body := []byte(form.Encode())
	b.ReportAllocs()
	for b.Loop() {
		if !twilio.ValidateSignature(benchToken, "https://humd.example.com", "/twilio/sms", body, sig) {
			b.Fatal("ValidateSignature = false; want true")
		}
	}
}

// BenchmarkValidateParams checks an already parsed form (what the inbound
// handler does with fasthttp's PostArgs).
func BenchmarkValidateParams(b *testing.B) {
	form := benchForm()
	sig := twilio.Sign(benchToken, benchURL, form)
	b.ReportAllocs()
	for b.Loop() {
		if !twilio.ValidateParams(benchToken, benchURL, form, sig) {
			b.Fatal("ValidateParams = false; want true")
		}
	}
}
