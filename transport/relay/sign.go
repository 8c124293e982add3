package relay

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"net/url"
	"slices"
	"strings"
)

// SignatureHeader carries Twilio's signature, on webhooks and on the relay
// websocket's upgrade request alike.
const SignatureHeader = "X-Twilio-Signature"

// Path is where humd serves the relay websocket.
const Path = "/twilio/relay"

// Sign computes X-Twilio-Signature: base64(HMAC-SHA1(authToken, url + k1v1 +
// k2v2 ...)) with the params' keys sorted. url is exactly the URL Twilio was
// given (scheme, host, port if any, path, query); a websocket upgrade has no
// POST params, so params is empty there. It is Twilio's side of the protocol,
// for clients and tests playing Twilio; servers check with twilio-go's
// validator, which also tries the URL with and without the default port.
func Sign(authToken, url string, params map[string]string) string {
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	mac := hmac.New(sha1.New, []byte(authToken))
	mac.Write([]byte(url))
	for _, k := range keys {
		mac.Write([]byte(k))
		mac.Write([]byte(params[k]))
	}
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// WSURL is the relay websocket URL for humd's public base URL: http becomes
// ws and https wss, the base's path (a proxy's prefix) is kept and Path
// appended; query and fragment are dropped. A publicURL that is not an
// absolute http(s) or ws(s) URL gives "" (app.Config validates it long
// before).
func WSURL(publicURL string) string {
	u, err := url.Parse(publicURL)
	if err != nil || u.Host == "" {
		return ""
	}
	switch u.Scheme {
	case "http", "ws":
		u.Scheme = "ws"
	case "https", "wss":
		u.Scheme = "wss"
	default:
		return ""
	}
	u.Path = strings.TrimRight(u.Path, "/") + Path
	u.RawPath, u.RawQuery, u.Fragment, u.RawFragment, u.User = "", "", "", "", nil
	return u.String()
}
