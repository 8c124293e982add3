package phone

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/nyaruka/phonenumbers"

	"github.com/humd/humd/storage"
)

var e164 = regexp.MustCompile(`^\+[1-9]\d{1,14}$`)

// ErrNotE164 is returned (wrapped in a ValidationError) for anything that is
// not a plausible E.164 number.
var ErrNotE164 = fmt.Errorf("phone: not an E.164 number: %w", storage.ErrInvalid)

// Valid reports whether s is an E.164 number of a possible length for its
// country. It does not demand an assigned area code, so fictional 555 numbers
// and Twilio's magic test numbers pass, as they do at Twilio.
func Valid(s string) bool {
	if !e164.MatchString(s) {
		return false
	}
	n, err := phonenumbers.Parse(s, "")
	if err != nil {
		return false
	}
	return phonenumbers.IsPossibleNumber(n)
}

// Check validates field as E.164 and records a problem in v.
func Check(v *storage.ValidationError, field, s string) {
	if !Valid(s) {
		v.Add(field, "must be an E.164 phone number like +13175550100")
	}
}

// Sender classifies a From value: "e164", "short_code" (3-8 digits) or
// "alphanumeric". The AI never answers short codes or alphanumeric senders
// (SPEC 2.5 rule 10b).
func Sender(from string) string {
	switch {
	case e164.MatchString(from):
		return "e164"
	case len(from) >= 3 && len(from) <= 8 && strings.Trim(from, "0123456789") == "":
		return "short_code"
	}
	return "alphanumeric"
}

// TimeZones answers the IANA time zones a number may be in (D-7: campaigns
// send only 08:00-21:00 in every zone the recipient may be in). Unknown
// numbers answer nil.
func TimeZones(s string) []string {
	n, err := phonenumbers.Parse(s, "")
	if err != nil {
		return nil
	}
	zones, err := phonenumbers.GetTimezonesForNumber(n)
	if err != nil || len(zones) == 0 || (len(zones) == 1 && zones[0] == "Etc/Unknown") {
		return nil
	}
	return zones
}
