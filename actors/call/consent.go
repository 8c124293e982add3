package call

import (
	"errors"
	"fmt"
	"strings"

	"github.com/asynkron/protoactor-go/actor"

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

// optOut has an org-wide opt-out of the other party (source call) recorded
// by its owner, the contact's SMS thread on the call's number (Deps.OptedOut):
// it stops texts and calls alike, fires sms.opt_out and has the contact's
// threads cancel pending scheduled texts. The tool answers once the owner
// confirmed, without blocking the mailbox (done runs in it). The spoken
// confirmation is the one the FCC's rule allows, so no confirmation text is
// sent.
func (a *Actor) optOut(ctx actor.Context, reason string, done func(string, error)) {
	c := a.call
	other := a.otherParty()
	confirm := func(status string) string {
		return marshal(map[string]any{"ok": true, "status": status,
			"note": "Confirm once, briefly, that they will not be called or texted again; do not send a text."})
	}
	switch out, err := sms.IsOptedOut(a.d.Store, c.OrgID, other); {
	case err != nil:
		done("", err)
		return
	case out:
		done(confirm("already_opted_out"), nil)
		return
	case a.d.OptedOut == nil:
		done("", errors.New("opt-outs cannot be recorded on this call"))
		return
	}
	reason = strings.TrimSpace(reason)
	if r := []rune(reason); len(r) > 500 {
		reason = string(r[:500])
	}
	o := &sms.OptOut{OrgID: c.OrgID, E164: other, Source: sms.OptOutSourceCall, NumberID: c.NumberID, Reason: reason, CreatedAt: a.now()}
	f := a.d.OptedOut(o, map[string]any{"call_id": c.ID, "twilio_number_id": c.NumberID})
	ctx.ReenterAfter(f, func(res any, err error) {
		if e, ok := res.(error); ok && err == nil {
			err = e
		}
		if _, gone := res.(*actor.DeadLetterResponse); gone && err == nil {
			err = errors.New("the opt-out was not recorded; try again")
		}
		if err != nil {
			done("", fmt.Errorf("record the opt-out: %w", err))
			return
		}
		done(confirm("opted_out"), nil)
	})
}

// otherParty is the number on the other end: the caller, or whom humd called.
func (a *Actor) otherParty() string {
	if a.call.Direction == "outbound" {
		return a.call.To
	}
	return a.call.From
}
