package apptest

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
)

// SignTwilio computes X-Twilio-Signature the way Twilio does: HMAC-SHA1 with
// the auth token over the full URL followed by every POST parameter, sorted
// by name, as name+value; base64. (This is the fake-Twilio side of the
// protocol; humd checks it with twilio-go's validator.)
func SignTwilio(token, fullURL string, form url.Values) string {
	keys := make([]string, 0, len(form))
	for k := range form {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString(fullURL)
	for _, k := range keys {
		for _, v := range form[k] {
			b.WriteString(k)
			b.WriteString(v)
		}
	}
	mac := hmac.New(sha1.New, []byte(token))
	mac.Write([]byte(b.String()))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
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
