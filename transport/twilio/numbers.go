package twilio

import (
	"fmt"
	"strings"

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

// AvailableQuery filters AvailablePhoneNumbers/{Country}/Local; zero
// values do not filter.
type AvailableQuery struct {
	Country         string // ISO alpha-2, default US
	AreaCode        int
	InLocality      string
	InRegion        string
	Voice, SMS, MMS bool // require the capability
	Limit           int  // default 20
}

// Available is one number Twilio offers for sale.
type Available struct {
	E164         string
	FriendlyName string
	Locality     string
	Region       string
	PostalCode   string
	ISOCountry   string
	Voice        bool
	SMS          bool
	MMS          bool
}

// AvailableNumbers searches local numbers for sale (GET
// .../AvailablePhoneNumbers/{Country}/Local.json).
func (c *Client) AvailableNumbers(q AvailableQuery) ([]Available, error) {
	if q.Country == "" {
		q.Country = "US"
	}
	if q.Limit <= 0 {
		q.Limit = 20
	}
	p := &api.ListAvailablePhoneNumberLocalParams{}
	p.SetLimit(q.Limit).SetPageSize(q.Limit)
	if q.AreaCode > 0 {
		p.SetAreaCode(q.AreaCode)
	}
	if q.InLocality != "" {
		p.SetInLocality(q.InLocality)
	}
	if q.InRegion != "" {
		p.SetInRegion(q.InRegion)
	}
	// Twilio reads an absent capability filter as "either"; false would
	// exclude numbers that have it, so only true is ever sent.
	if q.Voice {
		p.SetVoiceEnabled(true)
	}
	if q.SMS {
		p.SetSmsEnabled(true)
	}
	if q.MMS {
		p.SetMmsEnabled(true)
	}
	recs, err := c.rc.Api.ListAvailablePhoneNumberLocal(q.Country, p)
	if err != nil {
		return nil, fmt.Errorf("twilio: search available numbers: %w", mapError(err, &exchange{}))
	}
	out := make([]Available, 0, len(recs))
	for _, r := range recs {
		a := Available{E164: deref(r.PhoneNumber), FriendlyName: deref(r.FriendlyName), Locality: deref(r.Locality),
			Region: deref(r.Region), PostalCode: deref(r.PostalCode), ISOCountry: deref(r.IsoCountry)}
		if r.Capabilities != nil {
			a.Voice, a.SMS, a.MMS = r.Capabilities.Voice, r.Capabilities.Sms, r.Capabilities.Mms
		}
		out = append(out, a)
	}
	return out, nil
}

// BuyRequest is a purchase: the number, and the webhooks Twilio calls for
// it (empty: leave Twilio's defaults).
type BuyRequest struct {
	E164      string
	SMSURL    string
	VoiceURL  string
	StatusURL string // voice status callback
}

// BuyNumber provisions a number on the account (POST
// .../IncomingPhoneNumbers.json with PhoneNumber). Twilio charges for it
// from here on; ReleaseNumber undoes it.
func (c *Client) BuyNumber(r BuyRequest) (*Number, error) {
	if !phone.Valid(r.E164) {
		return nil, fmt.Errorf("twilio: buy %q: %w", r.E164, phone.ErrNotE164)
	}
	p := &api.CreateIncomingPhoneNumberParams{}
	p.SetPhoneNumber(r.E164)
	if r.SMSURL != "" {
		p.SetSmsUrl(r.SMSURL).SetSmsMethod("POST")
	}
	if r.VoiceURL != "" {
		p.SetVoiceUrl(r.VoiceURL).SetVoiceMethod("POST")
	}
	if r.StatusURL != "" {
		p.SetStatusCallback(r.StatusURL).SetStatusCallbackMethod("POST")
	}
	rec, err := c.rc.Api.CreateIncomingPhoneNumber(p)
	if err != nil {
		return nil, fmt.Errorf("twilio: buy %s: %w", r.E164, mapError(err, &exchange{}))
	}
	n := &Number{SID: deref(rec.Sid), E164: deref(rec.PhoneNumber), FriendlyName: deref(rec.FriendlyName)}
	if rec.Capabilities != nil {
		n.Voice, n.SMS, n.MMS = rec.Capabilities.Voice, rec.Capabilities.Sms, rec.Capabilities.Mms
	}
	if n.SID == "" || n.E164 == "" {
		return n, fmt.Errorf("twilio: buy %s: answered without a sid or number", r.E164)
	}
	return n, nil
}

// ReleaseNumber gives a number back (DELETE
// .../IncomingPhoneNumbers/{sid}.json); Twilio stops charging for it.
func (c *Client) ReleaseNumber(sid string) error {
	// The SID becomes a path segment: refuse anything but PN + hex.
	if !validSID("PN", sid) {
		return fmt.Errorf("twilio: release %q: not a PN sid", sid)
	}
	if err := c.rc.Api.DeleteIncomingPhoneNumber(sid, &api.DeleteIncomingPhoneNumberParams{}); err != nil {
		return fmt.Errorf("twilio: release %s: %w", sid, mapError(err, &exchange{}))
	}
	return nil
}

func validSID(prefix, sid string) bool {
	rest, ok := strings.CutPrefix(sid, prefix)
	if !ok || len(rest) != 32 {
		return false
	}
	for _, r := range rest {
		if !strings.ContainsRune("0123456789abcdefABCDEF", r) {
			return false
		}
	}
	return true
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
