package call

import (
	"strings"

	"github.com/humd/humd/actors/ai"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/sms"
)

// Why an outbound call may not be placed. The org's opt-out list is its
// do-not-call list too: a contact who asked not to be contacted, by text or
// on a call, gets neither.
var (
	ErrOptedOut = storage.Conflict("opted_out", "the contact asked not to be contacted (texts and calls); "+
		"DELETE /api/sms/opt-outs/{e164} only if they agreed again")
	ErrBlocked = storage.Conflict("blocked_number", "the number is on the blocklist")
)

// Consent answers whether the org may call e164: ErrBlocked, ErrOptedOut or
// nil. Every outbound call asks it (the API and triggers before they ask the
// actor, the actor again before it stores and dials).
func Consent(s storage.Store, org, e164 string) error {
	if blocked, err := sms.IsBlocked(s, org, e164); err != nil {
		return err
	} else if blocked {
		return ErrBlocked
	}
	if out, err := sms.IsOptedOut(s, org, e164); err != nil {
		return err
	} else if out {
		return ErrOptedOut
	}
	return nil
}

// OptOutTool is the built-in tool that honours a request made on a call not
// to be contacted again. Every call offers it, whatever the flow's
// tools_json.builtin says: it is a duty, not a capability.
const OptOutTool = "opt_out"

func optOutTool() ai.Tool {
	return ai.Tool{Name: OptOutTool,
		Description: "Record that the person asked not to be contacted again by this organization (no more calls or texts), " +
			"as soon as they clearly ask for it in any words. Then confirm it once, in one short sentence, and send no text.",
		Parameters: map[string]any{"type": "object", "additionalProperties": false, "required": []string{},
			"properties": map[string]any{"reason": map[string]any{"type": "string", "description": "what they said, briefly"}}}}
}

// optOut records an org-wide opt-out of the other party (source call), which
// stops texts and calls alike, fires sms.opt_out and has their SMS threads
// cancel pending scheduled texts. The spoken confirmation is the one the
// FCC's rule allows, so no confirmation text is sent.
func (a *Actor) optOut(reason string) (string, error) {
	c := a.call
	other := a.otherParty()
	reason = strings.TrimSpace(reason)
	if r := []rune(reason); len(r) > 500 {
		reason = string(r[:500])
	}
	o := &sms.OptOut{OrgID: c.OrgID, E164: other, Source: sms.OptOutSourceCall, NumberID: c.NumberID, Reason: reason, CreatedAt: a.now()}
	_, created, err := sms.RecordOptOut(a.d.Store, o, map[string]any{"call_id": c.ID, "twilio_number_id": c.NumberID})
	if err != nil {
		return "", err
	}
	status := "already_opted_out"
	if created {
		status = "opted_out"
		if a.d.OptedOut != nil {
			a.d.OptedOut(c.OrgID, other)
		}
	}
	return marshal(map[string]any{"ok": true, "status": status,
		"note": "Confirm once, briefly, that they will not be called or texted again; do not send a text."}), nil
}

// otherParty is the number on the other end: the caller, or whom humd called.
func (a *Actor) otherParty() string {
	if a.call.Direction == "outbound" {
		return a.call.To
	}
	return a.call.From
}
