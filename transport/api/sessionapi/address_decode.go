package sessionapi

import (
	"bytes"
	"encoding/json"
	"sort"
	"strconv"

	"github.com/humd/humd/actors/addresssession/address"
)

// decodeAddress reads a POST /sessions body into address.Input: the JSON
// object, its keys and each field's JSON type. What it finds wrong goes
// into Input.Problems (or, for a body that is no object, the error list
// itself); the seed's rules are address.Check's.
func decodeAddress(body []byte) (*address.Input, []address.FieldError) {
	var raw map[string]json.RawMessage
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, []address.FieldError{{Field: "body", Code: "required", Message: "a JSON object is required"}}
	}
	if err := json.Unmarshal(body, &raw); err != nil || raw == nil {
		return nil, []address.FieldError{{Field: "body", Code: "invalid_json", Message: "the body must be a JSON object"}}
	}
	in := &address.Input{}
	problem := func(field, code, msg string) {
		in.Problems = append(in.Problems, address.FieldError{Field: field, Code: code, Message: msg})
	}
	keys := make([]string, 0, len(raw))
	for k := range raw {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !address.Known(k) {
			problem(k, "unknown_field", k+" is not a field of a session address")
		}
	}
	present := func(field string) (json.RawMessage, bool) {
		v, ok := raw[field]
		return v, ok && !isNull(v)
	}
	str := func(field string) *string {
		v, ok := present(field)
		if !ok {
			return nil
		}
		var s string
		if json.Unmarshal(v, &s) != nil {
			problem(field, "type", field+" must be a string")
			return nil
		}
		return &s
	}
	in.Street1, in.Street2, in.City, in.CampaignID, in.State = str("street1"), str("street2"), str("city"), str("campaign_id"), str("state")
	if v, ok := present("zip"); ok {
		if z, ok := zipText(v); ok {
			in.Zip = &z
		} else {
			problem("zip", "pattern", address.ZipProblem)
		}
	}
	num := func(field string) *float64 {
		v, ok := present(field)
		if !ok {
			return nil
		}
		var f float64
		if json.Unmarshal(v, &f) != nil {
			problem(field, "type", field+" must be a number")
			return nil
		}
		return &f
	}
	in.Latitude, in.Longitude = num("latitude"), num("longitude")
	if v, ok := present("sync"); ok {
		// A partly decoded array keeps its strings, so the enum is checked too.
		if json.Unmarshal(v, &in.Sync) != nil {
			problem("sync", "type", "sync must be an array of strings")
		}
	}
	return in, nil
}

func isNull(v json.RawMessage) bool { return bytes.Equal(bytes.TrimSpace(v), []byte("null")) }

// zipText is a zip's string form: a JSON string as is, or an integer of
// five digits (the examples send integers). A shorter integer lost its
// leading zero and cannot be told from 02108 and 21080 reliably, so it is
// refused, and so is any other JSON type.
func zipText(v json.RawMessage) (string, bool) {
	var s string
	if json.Unmarshal(v, &s) == nil {
		return s, true
	}
	n, err := strconv.ParseInt(string(bytes.TrimSpace(v)), 10, 64)
	if err != nil || n < 10000 || n > 99999 {
		return "", false
	}
	return strconv.FormatInt(n, 10), true
}

// validateAddress is the whole check of a POST /sessions body: the wire
// decoding, then seed 000's rules.
func validateAddress(body []byte) (*address.Request, []address.FieldError) {
	in, errs := decodeAddress(body)
	if errs != nil {
		return nil, errs
	}
	return address.Check(in)
}
