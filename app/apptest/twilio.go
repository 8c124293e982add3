package apptest

import (
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/humd/humd/transport/twilio"
)

// SignTwilio computes X-Twilio-Signature as Twilio does (the fake-Twilio
// side of the protocol; humd checks it with twilio-go's validator).
func SignTwilio(token, fullURL string, form url.Values) string {
	return twilio.Sign(token, fullURL, form)
}

// PostTwilio posts a signed Twilio webhook (path like /twilio/sms) signed
// with token over the server's public URL; sig overrides the signature when
// non-empty (forgery tests).
func (s *Server) PostTwilio(path, token string, form url.Values, sig string) (int, string) {
	s.T.Helper()
	if sig == "" {
		sig = SignTwilio(token, s.PublicURL+path, form)
	}
	req, err := http.NewRequest("POST", s.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		s.T.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Twilio-Signature", sig)
	resp, err := s.client.Do(req)
	if err != nil {
		s.T.Fatalf("POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(raw)
}

// InboundForm is Twilio's inbound SMS webhook form.
func InboundForm(sid, from, to, body string) url.Values {
	return url.Values{"MessageSid": {sid}, "SmsSid": {sid}, "AccountSid": {"ACsandbox"}, "From": {from}, "To": {to},
		"Body": {body}, "NumMedia": {"0"}, "NumSegments": {"1"}, "SmsStatus": {"received"}, "ApiVersion": {"2010-04-01"}}
}
