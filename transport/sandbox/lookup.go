package sandbox

import (
	"context"
	"strings"

	"github.com/nyaruka/phonenumbers"

	"github.com/humd/humd/storage/phone"
	"github.com/humd/humd/storage/sms"
)

// Lookup stands in for Twilio Lookup v2 in sandbox mode (it satisfies
// actors/enrich.Lookuper): no network and no cost, and the same answer for
// the same number every time. A North American toll-free number (+1 800,
// 833, 844, 855, 866, 877, 888) is a "tollFree" line at "Sandbox Toll-Free";
// every other valid number is a "mobile" line at "Sandbox Wireless".
// Caller name is always empty, so the sandbox never renames a contact.
type Lookup struct{}

var tollFree = []string{"+1800", "+1833", "+1844", "+1855", "+1866", "+1877", "+1888"}

// Lookup implements enrich.Lookuper.
func (Lookup) Lookup(ctx context.Context, e164 string) (*sms.LookupResult, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if !phone.Valid(e164) {
		return &sms.LookupResult{}, nil
	}
	res := &sms.LookupResult{Valid: true, Carrier: "Sandbox Wireless", LineType: "mobile"}
	if n, err := phonenumbers.Parse(e164, ""); err == nil {
		res.CountryCode = phonenumbers.GetRegionCodeForNumber(n)
	}
	for _, p := range tollFree {
		if strings.HasPrefix(e164, p) {
			res.Carrier, res.LineType = "Sandbox Toll-Free", "tollFree"
		}
	}
	return res, nil
}
