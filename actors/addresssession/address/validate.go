package address

import (
	"fmt"
	"regexp"
	"unicode/utf8"
)

// States is seed 000's enum (50 states and PR) plus DC, which the seed leaves
// out although DC addresses are ordinary service addresses (A28).
var States = map[string]bool{}

func init() {
	for _, s := range []string{"AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "FL", "GA", "HI", "ID", "IL", "IN", "IA", "KS", "KY",
		"LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA",
		"PR", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY", "DC"} {
		States[s] = true
	}
}

var (
	statePattern = regexp.MustCompile(`^[A-Z]{2}$`)
	zipPattern   = regexp.MustCompile(`^\d{5}(-\d{4})?$`)
)

// Request is a valid POST /sessions body.
type Request struct {
	Street1    string   `json:"street1"`
	Street2    string   `json:"street2,omitempty"`
	City       string   `json:"city,omitempty"`
	State      string   `json:"state,omitempty"`
	Zip        string   `json:"zip,omitempty"`
	Latitude   *float64 `json:"latitude,omitempty"`
	Longitude  *float64 `json:"longitude,omitempty"`
	CampaignID string   `json:"campaign_id,omitempty"`
	Sync       []string `json:"sync,omitempty"`
}

// FieldError is one problem, in the seed's error list shape.
type FieldError struct {
	Field   string `json:"field"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Known reports whether name is a field of a session address.
func Known(name string) bool { return known[name] }

var known = map[string]bool{"street1": true, "street2": true, "city": true, "state": true, "zip": true,
	"latitude": true, "longitude": true, "campaign_id": true, "sync": true}

// Input is a POST /sessions request as the wire decoder (transport) read
// it: a nil field was absent or null. Zip is the string form (the decoder
// turns a five-digit JSON integer into its digits). Problems are what the
// decoder itself found (unknown keys, a JSON type a field cannot take), at
// most one per field; Check merges them into the seed's one ordered error
// list.
type Input struct {
	Street1, Street2, City, State, Zip, CampaignID *string
	Latitude, Longitude                            *float64
	Sync                                           []string
	Problems                                       []FieldError
}

// Check checks an address request exactly as seed 000 documents it:
// street1 1-100; street2 1-50; city 1-50; state ^[A-Z]{2}$ from the enum; zip
// ^\d{5}(-\d{4})?$; latitude -90..90; longitude -180..180; campaign_id
// 1-100; and the combination rule street1 AND (zip OR (city AND state)).
// Unknown keys (in.Problems) are rejected so a typo such as "zipcode" is not
// silently ignored.
func Check(in *Input) (*Request, []FieldError) {
	var errs []FieldError
	add := func(field, code, format string, args ...any) {
		errs = append(errs, FieldError{field, code, fmt.Sprintf(format, args...)})
	}
	wire := map[string]FieldError{}
	for _, p := range in.Problems {
		if !known[p.Field] {
			errs = append(errs, p)
		} else if _, ok := wire[p.Field]; !ok {
			wire[p.Field] = p
		}
	}
	// fromWire adds the decoder's problem with field, if any.
	fromWire := func(field string) bool {
		p, ok := wire[field]
		if ok {
			errs = append(errs, p)
		}
		return ok
	}
	req := &Request{}
	str := func(field string, min, max int, v *string, dst *string) {
		if fromWire(field) || v == nil {
			return
		}
		if n := utf8.RuneCountInString(*v); n < min || n > max {
			add(field, "length", "%s must be %d to %d characters", field, min, max)
			return
		}
		*dst = *v
	}
	str("street1", 1, 100, in.Street1, &req.Street1)
	str("street2", 1, 50, in.Street2, &req.Street2)
	str("city", 1, 50, in.City, &req.City)
	str("campaign_id", 1, 100, in.CampaignID, &req.CampaignID)
	if !fromWire("state") && in.State != nil {
		switch s := *in.State; {
		case !statePattern.MatchString(s):
			add("state", "pattern", "state must match ^[A-Z]{2}$")
		case !States[s]:
			add("state", "enum", "state must be a US state abbreviation (or PR, DC)")
		default:
			req.State = s
		}
	}
	if !fromWire("zip") && in.Zip != nil {
		if zipPattern.MatchString(*in.Zip) {
			req.Zip = *in.Zip
		} else {
			add("zip", "pattern", ZipProblem)
		}
	}
	num := func(field string, v *float64, min, max float64) *float64 {
		if fromWire(field) || v == nil {
			return nil
		}
		if *v < min || *v > max {
			add(field, "range", "%s must be from %g to %g", field, min, max)
			return nil
		}
		return v
	}
	req.Latitude = num("latitude", in.Latitude, -90, 90)
	req.Longitude = num("longitude", in.Longitude, -180, 180)
	// A sync array with a non-string entry is both mistyped and off the
	// enum; the seed reports both.
	fromWire("sync")
	for _, a := range in.Sync {
		if a != "geocode" && a != "internet" {
			add("sync", "enum", "sync entries must be geocode or internet")
			break
		}
	}
	req.Sync = in.Sync
	if _, bad := wire["street1"]; in.Street1 == nil && !bad {
		add("street1", "required", "street1 is required")
	}
	if req.Zip == "" && (req.City == "" || req.State == "") && !hasErr(errs, "zip", "city", "state") {
		add("zip", "combination", "provide street1 with zip, or street1 with city and state")
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return req, nil
}

// ZipProblem is the message of a zip that is not 12345 or 12345-6789.
const ZipProblem = "zip must be 12345 or 12345-6789 (a string, or a 5-digit number)"

func hasErr(errs []FieldError, fields ...string) bool {
	for _, e := range errs {
		for _, f := range fields {
			if e.Field == f {
				return true
			}
		}
	}
	return false
}
