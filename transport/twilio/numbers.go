package twilio

import (
	"fmt"

	api "github.com/twilio/twilio-go/rest/api/v2010"
	lookups "github.com/twilio/twilio-go/rest/lookups/v2"

	"github.com/humd/humd/storage/phone"
)

// Number is one of the account's IncomingPhoneNumbers.
type Number struct {
	SID          string `json:"sid"` // PN...
	E164         string `json:"e164"`
	FriendlyName string `json:"friendly_name"`
	Voice        bool   `json:"voice"`
	SMS          bool   `json:"sms"`
	MMS          bool   `json:"mms"`
}

// IncomingNumbers lists every number on the account, following Twilio's
// pages. Errors are wrapped *sender.Error values.
func (c *Client) IncomingNumbers() ([]Number, error) {
	recs, err := c.rc.Api.ListIncomingPhoneNumber(&api.ListIncomingPhoneNumberParams{})
	if err != nil {
		return nil, fmt.Errorf("twilio: list incoming numbers: %w", mapError(err, &exchange{}))
	}
	out := make([]Number, 0, len(recs))
	for _, r := range recs {
		n := Number{SID: deref(r.Sid), E164: deref(r.PhoneNumber), FriendlyName: deref(r.FriendlyName)}
		if r.Capabilities != nil {
			n.Voice, n.SMS, n.MMS = r.Capabilities.Voice, r.Capabilities.Sms, r.Capabilities.Mms
		}
		out = append(out, n)
	}
	return out, nil
}

// LookupResult is what humd keeps of a Lookup v2 answer.
type LookupResult struct {
	E164        string `json:"e164"`
	Valid       bool   `json:"valid"`
	CountryCode string `json:"country_code,omitempty"`
	CarrierName string `json:"carrier_name,omitempty"`
	LineType    string `json:"line_type,omitempty"` // mobile, landline, fixedVoip, nonFixedVoip, tollFree, ...
	CallerName  string `json:"caller_name,omitempty"`
	CallerType  string `json:"caller_type,omitempty"` // CONSUMER, BUSINESS
}

// LookupFields are the Lookup v2 data packages Lookup asks for (each is
// billed per request by Twilio).
const LookupFields = "line_type_intelligence,caller_name"

// Lookup runs Lookup v2 (GET /v2/PhoneNumbers/{e164}) for line type, carrier
// and caller name.
func (c *Client) Lookup(e164 string) (*LookupResult, error) {
	// The number becomes a path segment: refuse anything but E.164.
	if !phone.Valid(e164) {
		return nil, fmt.Errorf("twilio: lookup %q: %w", e164, phone.ErrNotE164)
	}
	p := &lookups.FetchPhoneNumberParams{}
	p.SetFields(LookupFields)
	r, err := c.rc.LookupsV2.FetchPhoneNumber(e164, p)
	if err != nil {
		return nil, fmt.Errorf("twilio: lookup %s: %w", e164, mapError(err, &exchange{}))
	}
	res := &LookupResult{E164: e164, Valid: r.Valid, CountryCode: deref(r.CountryCode),
		CarrierName: r.LineTypeIntelligence.CarrierName, LineType: r.LineTypeIntelligence.Type,
		CallerName: r.CallerName.CallerName, CallerType: r.CallerName.CallerType}
	if r.PhoneNumber != nil && *r.PhoneNumber != "" {
		res.E164 = *r.PhoneNumber
	}
	return res, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
