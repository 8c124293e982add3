package smssvc

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/humd/humd/actors/conversation"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/phone"
	"github.com/humd/humd/storage/sms"
	"github.com/humd/humd/storage/tenancy"
)

// Injected answers an injected text: the stored message (null for a
// duplicate) and the keyword it was, if any.
type Injected struct {
	Message *sms.Message `json:"message"`
	Keyword string       `json:"keyword"`
}

// InjectTextInput is a text from a phone (From) to a number of the org (To).
type InjectTextInput struct {
	From, To, Body string
}

// InjectText stores an inbound text from a phone to a number of p's org,
// through the number's thread actor, as a signed Twilio webhook would
// (sandbox mode only: POST /api/sandbox/inbound and the console's sandbox
// phone). Operators and admins may.
func (s *SMS) InjectText(_ context.Context, p *tenancy.Principal, in InjectTextInput) (*Injected, error) {
	if err := need(p, tenancy.Operator); err != nil {
		return nil, err
	}
	if !s.d.Sandbox {
		return nil, storage.Conflict("not_sandbox", "inbound injection exists only in sandbox mode (no Twilio credentials)")
	}
	v := &storage.ValidationError{}
	if in.From == "" || len(in.From) > 20 {
		v.Add("from", "required: an E.164 number, short code or sender id")
	}
	phone.Check(v, "to", in.To)
	if len(in.Body) > 1600 {
		v.Add("body", "at most 1600 characters")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	org, number, err := sms.NumberRef(s.d.Store, in.To)
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return nil, err
	}
	if err != nil || org != p.OrgID {
		return nil, storage.Invalid("to", "not a number of this org")
	}
	msg := &conversation.Inbound{SID: sandboxSID("SM"), From: in.From, To: in.To, Body: in.Body, NumSegments: 1}
	res, err := askThread[*conversation.InboundResult](s, org, number, in.From, msg)
	if err != nil {
		return nil, fmt.Errorf("inbound to %s: %w", in.To, err)
	}
	return &Injected{Message: res.Message, Keyword: res.Keyword}, nil
}

// sandboxSID is a Twilio-style sid for a text no carrier carried.
func sandboxSID(prefix string) string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}
