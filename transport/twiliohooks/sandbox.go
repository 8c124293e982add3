package twiliohooks

import (
	"net/url"

	"github.com/humd/humd/actors/call"
	"github.com/humd/humd/storage/calls"
	"github.com/humd/humd/storage/sms"
	"github.com/humd/humd/transport/httpapi"
	"github.com/humd/humd/transport/sandbox"
)

// checkVoiceHook is checkTwilio for the voice webhooks. In sandbox mode a
// signature made with the token of the call the webhook is about passes too:
// the call /twilio/voice rings (ring: its CallSid's id, in the org of the To
// number) or the call a callback resolves to.
func (a *API) checkVoiceHook(c *httpapi.Call, ring bool) error {
	err := a.checkTwilio(c.Ctx)
	if err == nil || !a.d.Sandbox || a.d.TwilioAuthToken == "" {
		return err
	}
	var org, id string
	if ring {
		f := c.Ctx.PostArgs()
		sid := string(f.Peek("CallSid"))
		n, nerr := sms.NumberByE164(a.d.Store, string(f.Peek("To")))
		if sid == "" || nerr != nil {
			return errBadSignature
		}
		org, id = n.OrgID, call.IDForSID(sid)
	} else {
		var ok bool
		if id, err = a.callbackID(c); err != nil {
			return errBadSignature
		}
		if org, ok = a.callOrg(id); !ok {
			return errBadSignature
		}
	}
	if !signedWith(c.Ctx, sandbox.CallToken(a.d.TwilioAuthToken, org, id), a.d.PublicURL) {
		return errBadSignature
	}
	return nil
}

func (a *API) callOrg(id string) (string, bool) {
	v, err := a.d.Store.Get(calls.KeyCallOrg(id))
	if err != nil || len(v) == 0 {
		return "", false
	}
	return string(v), true
}

// sandboxRelayURL is the relay URL of a call in sandbox mode: it names the
// call, so the signature of a call token opens that call's socket only.
// With Twilio the URL stays bare, as Twilio's examples have it.
func (a *API) sandboxRelayURL(base, callID string) string {
	if !a.d.Sandbox {
		return base
	}
	return base + "?" + url.Values{"call_id": {callID}}.Encode()
}

// relaySignedByCall reports whether, in sandbox mode, the upgrade of the
// call's relay URL is signed with that call's token.
func (a *API) relaySignedByCall(target, sig, callID string) bool {
	if !a.d.Sandbox || a.d.TwilioAuthToken == "" || callID == "" || sig == "" {
		return false
	}
	org, ok := a.callOrg(callID)
	if !ok {
		return false
	}
	return validRelay(sandbox.CallToken(a.d.TwilioAuthToken, org, callID), target, sig)
}
