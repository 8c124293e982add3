package sandbox

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/phone"
	"github.com/humd/humd/storage/sms"
)

// DefaultAreaCode is where the sandbox's numbers for sale live without an
// area_code filter: Twilio's 500 test range.
const DefaultAreaCode = 500

// sidPrefix makes a sandbox number's SID from its digits, so the SID alone
// finds the number again.
const sidPrefix = "PNsandbox"

// SID is the sandbox's provider SID for one of its numbers.
func SID(e164 string) string { return sidPrefix + strings.TrimPrefix(e164, "+") }

// Available answers numbers for sale: deterministic, the same query gives
// the same list. They are +1 <area code> 555 01xx (the 555-01xx block is
// reserved for fiction, so no real line is ever offered), skipping numbers
// the sandbox already has. Only US and CA are offered; every number has
// voice, SMS and MMS, and sits in the asked locality and region.
func (c *Carrier) Available(q sms.NumberSearch) []sms.AvailableNumber {
	country := strings.ToUpper(q.Country)
	if country == "" {
		country = "US"
	}
	out := []sms.AvailableNumber{}
	if country != "US" && country != "CA" {
		return out
	}
	ac := q.AreaCode
	if ac == 0 {
		ac = DefaultAreaCode
	}
	limit := q.Limit
	if limit <= 0 || limit > 100 {
		limit = 20
	}
	locality, region := q.Locality, strings.ToUpper(q.Region)
	if locality == "" {
		locality = "Sandbox City"
	}
	owned := c.Numbers()
	for i := 0; i < 100 && len(out) < limit; i++ {
		e164 := fmt.Sprintf("+1%03d555%04d", ac, 100+i)
		if slices.Contains(owned, e164) {
			continue
		}
		out = append(out, sms.AvailableNumber{E164: e164, FriendlyName: fmt.Sprintf("(%03d) 555-%04d", ac, 100+i),
			Locality: locality, Region: region, Country: country, Capabilities: sms.Capabilities{Voice: true, SMS: true, MMS: true}})
	}
	return out
}

// Buy adds e164 to the sandbox's numbers, as Twilio's IncomingPhoneNumbers
// create adds it to the account. A number the sandbox has is a conflict.
func (c *Carrier) Buy(e164 string) (*sms.ProviderNumber, error) {
	if !phone.Valid(e164) {
		return nil, storage.Invalid("e164", "must be an E.164 number")
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if slices.Contains(c.cfg.Numbers, e164) {
		return nil, storage.Conflict("number_unavailable", "the sandbox already has "+e164)
	}
	c.cfg.Numbers = append(c.cfg.Numbers, e164)
	return &sms.ProviderNumber{SID: SID(e164), E164: e164, FriendlyName: "Sandbox " + e164,
		Capabilities: sms.Capabilities{Voice: true, SMS: true, MMS: true}}, nil
}

// Release removes the number with this SID from the sandbox's numbers.
func (c *Carrier) Release(sid string) error {
	digits, ok := strings.CutPrefix(sid, sidPrefix)
	if _, err := strconv.ParseUint(digits, 10, 64); !ok || err != nil {
		return fmt.Errorf("sandbox: release %q: %w", sid, storage.ErrNotFound)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	i := slices.Index(c.cfg.Numbers, "+"+digits)
	if i < 0 {
		return fmt.Errorf("sandbox: release %s: %w", sid, storage.ErrNotFound)
	}
	c.cfg.Numbers = slices.Delete(c.cfg.Numbers, i, i+1)
	return nil
}
