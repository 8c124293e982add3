package twilio

import (
	"bytes"
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
// tests; humd itself checks with ValidateForm. (twilio-go's validator
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
	return ValidateForm(authToken, fullURL, func(f func(k, v []byte)) {
		for k, vs := range params {
			if len(vs) > 0 {
				f([]byte(k), []byte(vs[0]))
			}
		}
	}, signature)
}

// ValidateForm checks X-Twilio-Signature over fullURL and the form that
// visit walks (fasthttp's Args.VisitAll fits; the first value of a repeated
// key counts, as in twilio-go's map). twilio-go's validator does the check,
// but it is handed the form's sorted key+value string as the value of one
// empty key: the validator concatenates "key"+"value" of each sorted key
// after the URL, so the bytes it signs are the same, and it no longer
// formats and re-concatenates every field twice (27% of all allocation
// during ingest, finding 29 in bench/RESULTS.md).
func ValidateForm(authToken, fullURL string, visit func(func(k, v []byte)), signature string) bool {
	if authToken == "" || signature == "" {
		return false
	}
	fb := formBufs.Get().(*formBuf)
	defer fb.release()
	visit(func(k, v []byte) { fb.pairs = append(fb.pairs, formPair{k, v}) })
	slices.SortStableFunc(fb.pairs, func(a, b formPair) int { return bytes.Compare(a.k, b.k) })
	for i, p := range fb.pairs {
		if i > 0 && bytes.Equal(p.k, fb.pairs[i-1].k) {
			continue
		}
		fb.signed = append(append(fb.signed, p.k...), p.v...)
	}
	fb.params[""] = string(fb.signed)
	rv := client.NewRequestValidator(authToken)
	return rv.Validate(fullURL, fb.params, signature)
}

type formPair struct{ k, v []byte }

// formBuf is one check's scratch space, recycled: webhooks arrive by the
// thousand a second.
type formBuf struct {
	pairs  []formPair
	signed []byte
	params map[string]string
}

var formBufs = sync.Pool{New: func() any { return &formBuf{params: make(map[string]string, 1)} }}

func (fb *formBuf) release() {
	clear(fb.pairs) // drop the references into the request
	fb.pairs, fb.signed = fb.pairs[:0], fb.signed[:0]
	clear(fb.params)
	formBufs.Put(fb)
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
