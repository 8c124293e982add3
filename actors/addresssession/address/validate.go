package address

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
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

var known = map[string]bool{"street1": true, "street2": true, "city": true, "state": true, "zip": true,
	"latitude": true, "longitude": true, "campaign_id": true, "sync": true}

// Validate checks a POST /sessions body exactly as seed 000 documents it:
// street1 1-100; street2 1-50; city 1-50; state ^[A-Z]{2}$ from the enum; zip
// ^\d{5}(-\d{4})?$ as a string or a 5-digit integer; latitude -90..90;
// longitude -180..180; campaign_id 1-100; and the combination rule street1
// AND (zip OR (city AND state)). Unknown keys are rejected so a typo such
// as "zipcode" is not silently ignored.
func Validate(body []byte) (*Request, []FieldError) {
	var raw map[string]json.RawMessage
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, []FieldError{{"body", "required", "a JSON object is required"}}
	}
	if err := json.Unmarshal(body, &raw); err != nil || raw == nil {
		return nil, []FieldError{{"body", "invalid_json", "the body must be a JSON object"}}
	}
	var errs []FieldError
	add := func(field, code, format string, args ...any) {
		errs = append(errs, FieldError{field, code, fmt.Sprintf(format, args...)})
	}
	req := &Request{}
	str := func(field string, min, max int, dst *string) {
		v, ok := raw[field]
		if !ok || isNull(v) {
			return
		}
		var s string
		if json.Unmarshal(v, &s) != nil {
			add(field, "type", "%s must be a string", field)
			return
		}
		if n := utf8.RuneCountInString(s); n < min || n > max {
			add(field, "length", "%s must be %d to %d characters", field, min, max)
			return
		}
		*dst = s
	}
	keys := make([]string, 0, len(raw))
	for k := range raw {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !known[k] {
			add(k, "unknown_field", "%s is not a field of a session address", k)
		}
	}
	str("street1", 1, 100, &req.Street1)
	str("street2", 1, 50, &req.Street2)
	str("city", 1, 50, &req.City)
	str("campaign_id", 1, 100, &req.CampaignID)
	if v, ok := raw["state"]; ok && !isNull(v) {
		var s string
		switch {
		case json.Unmarshal(v, &s) != nil:
			add("state", "type", "state must be a string")
		case !statePattern.MatchString(s):
			add("state", "pattern", "state must match ^[A-Z]{2}$")
		case !States[s]:
			add("state", "enum", "state must be a US state abbreviation (or PR, DC)")
		default:
			req.State = s
		}
	}
	if v, ok := raw["zip"]; ok && !isNull(v) {
		if z, ok := zipValue(v); ok {
			req.Zip = z
		} else {
			add("zip", "pattern", "zip must be 12345 or 12345-6789 (a string, or a 5-digit number)")
		}
	}
	num := func(field string, min, max float64) *float64 {
		v, ok := raw[field]
		if !ok || isNull(v) {
			return nil
		}
		var f float64
		if json.Unmarshal(v, &f) != nil {
			add(field, "type", "%s must be a number", field)
			return nil
		}
		if f < min || f > max {
			add(field, "range", "%s must be from %g to %g", field, min, max)
			return nil
		}
		return &f
	}
	req.Latitude = num("latitude", -90, 90)
	req.Longitude = num("longitude", -180, 180)
	if v, ok := raw["sync"]; ok && !isNull(v) {
		var s []string
		if json.Unmarshal(v, &s) != nil {
			add("sync", "type", "sync must be an array of strings")
		}
		for _, a := range s {
			if a != "geocode" && a != "internet" {
				add("sync", "enum", "sync entries must be geocode or internet")
				break
			}
		}
		req.Sync = s
	}
	if _, ok := raw["street1"]; !ok || isNull(raw["street1"]) {
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

func isNull(v json.RawMessage) bool { return bytes.Equal(bytes.TrimSpace(v), []byte("null")) }

// zipValue accepts "12345", "12345-6789" or the integer 12345 (the examples
// send integers). An integer must have five digits: 2108 lost its leading
// zero and cannot be told from 02108 and 21080 reliably, so it is refused.
func zipValue(v json.RawMessage) (string, bool) {
	var s string
	if json.Unmarshal(v, &s) == nil {
		return s, zipPattern.MatchString(s)
	}
	t := string(bytes.TrimSpace(v))
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n < 10000 || n > 99999 {
		return "", false
	}
	return strconv.FormatInt(n, 10), true
}
