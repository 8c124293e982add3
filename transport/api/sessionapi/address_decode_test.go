package sessionapi

import (
	"strings"
	"testing"
)

// TestValidateSeedRules is every rule of seed 000 as a table: each
// combination, each length at its edge and one past it, each pattern.
func TestValidateSeedRules(t *testing.T) {
	s := func(n int) string { return strings.Repeat("a", n) }
	cases := []struct {
		body  string
		field string // "" = valid
	}{
		// The three combinations (state optional with zip).
		{`{"street1":"29090 Tiffany Drive E","zip":"48034"}`, ""},
		{`{"street1":"29090 Tiffany Drive E","city":"Southfield","state":"MI"}`, ""},
		{`{"street1":"29090 Tiffany Drive E","city":"Southfield","zip":"48034"}`, ""},
		{`{"street1":"29090 Tiffany Drive E","city":"Southfield","state":"MI","zip":"48034"}`, ""},
		{`{"street1":"1 Main St","city":"Southfield"}`, "zip"},
		{`{"street1":"1 Main St","state":"MI"}`, "zip"},
		{`{"street1":"1 Main St"}`, "zip"},
		{`{"zip":"48034"}`, "street1"},
		{`{"city":"Southfield","state":"MI"}`, "street1"},
		{`{"street1":null,"zip":"48034"}`, "street1"},
		// Lengths.
		{`{"street1":"","zip":"48034"}`, "street1"},
		{`{"street1":"` + s(100) + `","zip":"48034"}`, ""},
		{`{"street1":"` + s(101) + `","zip":"48034"}`, "street1"},
		{`{"street1":"x","street2":"A2","zip":"48034"}`, ""},
		{`{"street1":"x","street2":"","zip":"48034"}`, "street2"},
		{`{"street1":"x","street2":"` + s(50) + `","zip":"48034"}`, ""},
		{`{"street1":"x","street2":"` + s(51) + `","zip":"48034"}`, "street2"},
		{`{"street1":"x","city":"","state":"MI"}`, "city"},
		{`{"street1":"x","city":"` + s(50) + `","state":"MI"}`, ""},
		{`{"street1":"x","city":"` + s(51) + `","state":"MI"}`, "city"},
		{`{"street1":"x","zip":"48034","campaign_id":"1iYyMxsnTy87tFOvukTi7V"}`, ""},
		{`{"street1":"x","zip":"48034","campaign_id":""}`, "campaign_id"},
		{`{"street1":"x","zip":"48034","campaign_id":"` + s(100) + `"}`, ""},
		{`{"street1":"x","zip":"48034","campaign_id":"` + s(101) + `"}`, "campaign_id"},
		// State pattern and enum.
		{`{"street1":"x","city":"c","state":"mi"}`, "state"},
		{`{"street1":"x","city":"c","state":"MIC"}`, "state"},
		{`{"street1":"x","city":"c","state":"ZZ"}`, "state"},
		{`{"street1":"x","city":"c","state":"PR"}`, ""},
		{`{"street1":"x","city":"c","state":"DC"}`, ""},
		{`{"street1":"x","city":"c","state":"WY"}`, ""},
		{`{"street1":"x","city":"c","state":12}`, "state"},
		// Zip pattern, as string or number.
		{`{"street1":"x","zip":"48034-1234"}`, ""},
		{`{"street1":"x","zip":48034}`, ""},
		{`{"street1":"x","zip":"4803"}`, "zip"},
		{`{"street1":"x","zip":"480345"}`, "zip"},
		{`{"street1":"x","zip":"48034-12"}`, "zip"},
		{`{"street1":"x","zip":"ABCDE"}`, "zip"},
		{`{"street1":"x","zip":2108}`, "zip"},
		{`{"street1":"x","zip":48034.5}`, "zip"},
		{`{"street1":"x","zip":-48034}`, "zip"},
		{`{"street1":"x","zip":"02108"}`, ""},
		// Coordinates.
		{`{"street1":"x","zip":"48034","latitude":42.501721339274,"longitude":-83.286263465881}`, ""},
		{`{"street1":"x","zip":"48034","latitude":90,"longitude":-180}`, ""},
		{`{"street1":"x","zip":"48034","latitude":90.0001}`, "latitude"},
		{`{"street1":"x","zip":"48034","latitude":-91}`, "latitude"},
		{`{"street1":"x","zip":"48034","longitude":180.5}`, "longitude"},
		{`{"street1":"x","zip":"48034","latitude":"42.5"}`, "latitude"},
		// sync, types, unknown keys, bodies.
		{`{"street1":"x","zip":"48034","sync":["geocode","internet"]}`, ""},
		{`{"street1":"x","zip":"48034","sync":["checkout"]}`, "sync"},
		{`{"street1":"x","zip":"48034","sync":"geocode"}`, "sync"},
		{`{"street1":5,"zip":"48034"}`, "street1"},
		{`{"street1":"x","zipcode":"48034"}`, "zipcode"},
		{`[]`, "body"},
		{``, "body"},
		{`{"street1":`, "body"},
	}
	for _, c := range cases {
		req, errs := validateAddress([]byte(c.body))
		if c.field == "" {
			if errs != nil || req == nil {
				t.Errorf("Validate(%.70s) = %v; want valid", c.body, errs)
			}
			continue
		}
		found := false
		for _, e := range errs {
			found = found || e.Field == c.field
		}
		if !found {
			t.Errorf("Validate(%.70s) = %v; want an error on %s", c.body, errs, c.field)
		}
	}
}

func FuzzValidate(f *testing.F) {
	for _, s := range []string{`{"street1":"29090 Tiffany Drive E","zip":"48034"}`, `{"street1":"x","zip":48034}`, `{}`, `null`, `{"zip":1e400}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		req, errs := validateAddress(body)
		if (req == nil) == (errs == nil) {
			t.Fatalf("Validate(%q) = %v, %v; want exactly one", body, req, errs)
		}
		if req != nil && (req.Street1 == "" || (req.Zip == "" && (req.City == "" || req.State == ""))) {
			t.Fatalf("Validate(%q) accepted an incomplete address %+v", body, req)
		}
	})
}
