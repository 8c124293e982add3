package sandbox

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
)

// CallToken is the webhook token of one sandbox call: an HMAC of its org
// and id under the sandbox's webhook token, so it signs that call's voice
// webhooks and relay socket only and humd keeps no state for it. The
// sandbox API hands it out; the Twilio webhooks accept it for that call.
func CallToken(webhookToken, org, callID string) string {
	mac := hmac.New(sha256.New, []byte(webhookToken))
	mac.Write([]byte("humd sandbox call\x00" + org + "\x00" + callID))
	return hex.EncodeToString(mac.Sum(nil))[:32]
}
