package twilio

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"net/url"
	"slices"
	"strings"
	"sync"

	"github.com/twilio/twilio-go/client"
	"github.com/twilio/twilio-go/twiml"
)

// SignatureHeader carries Twilio's webhook signature.
const SignatureHeader = "X-Twilio-Signature"

// Sign computes X-Twilio-Signature as Twilio does for a form-encoded webhook:
// base64(HMAC-SHA1(authToken, fullURL + k1v1 + k2v2 ...)) with the keys
// sorted; a repeated key contributes each distinct value, sorted (as
// twilio-python computes it). fullURL is
// the exact URL Twilio calls (scheme, host, port as configured, path, query).
// It is the Twilio side of the protocol, for the fake server, the sandbox and
// tests; humd itself checks with ValidateSignature. (twilio-go's validator
// reads only the first value of a repeated key; Twilio's webhooks never
// repeat one.)
func Sign(authToken, fullURL string, form url.Values) string {
	keys := make([]string, 0, len(form))
	for k := range form {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	b.WriteString(fullURL)
	for _, k := range keys {
		vs := slices.Clone(form[k])
		slices.Sort(vs)
		for _, v := range slices.Compact(vs) {
			b.WriteString(k)
			b.WriteString(v)
		}
	}
	mac := hmac.New(sha1.New, []byte(authToken))
	mac.Write([]byte(b.String()))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// ValidateSignature checks a webhook's X-Twilio-Signature with twilio-go's
// validator over publicURL+requestURI (the URL Twilio called: HUMD_PUBLIC_URL
// and the request's path and query) and the raw body. It handles form bodies
// and JSON bodies whose URL carries bodySHA256. An empty token or signature
// never validates.
func ValidateSignature(authToken, publicURL, requestURI string, body []byte, signature string) bool {
	if authToken == "" || signature == "" {
		return false
	}
	rv := client.NewRequestValidator(authToken)
	return rv.ValidateBody(strings.TrimRight(publicURL, "/")+requestURI, body, signature)
}

// ValidateParams is ValidateSignature for an already parsed form (the first
// value of each key counts, as in twilio-go).
func ValidateParams(authToken, fullURL string, params url.Values, signature string) bool {
	if authToken == "" || signature == "" {
		return false
	}
	m := make(map[string]string, len(params))
	for k, vs := range params {
		if len(vs) > 0 {
			m[k] = vs[0]
		}
	}
	rv := client.NewRequestValidator(authToken)
	return rv.Validate(fullURL, m, signature)
}

var emptyMessaging = sync.OnceValue(func() string {
	s, err := twiml.Messages(nil)
	if err != nil {
		// twiml only fails on an element it cannot encode; there are none.
		panic("twilio: empty TwiML: " + err.Error())
	}
	return s
})

// EmptyMessagingResponse is the TwiML humd answers inbound SMS webhooks with:
// an empty <Response/>, since replies go out through the REST API.
func EmptyMessagingResponse() string { return emptyMessaging() }
