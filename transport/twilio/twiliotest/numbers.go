package twiliotest

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/humd/humd/transport/twilio"
)

// Purchase is one IncomingPhoneNumbers create the fake took: the number
// and the webhooks it was bought with.
type Purchase struct {
	SID       string
	E164      string
	SMSURL    string
	VoiceURL  string
	StatusURL string
}

// SetAvailable replaces the numbers offered for sale (what
// AvailablePhoneNumbers/{Country}/Local answers and what
// IncomingPhoneNumbers create may buy). ISOCountry defaults to US.
func (s *Server) SetAvailable(ns []twilio.Available) {
	ns = slices.Clone(ns)
	for i := range ns {
		if ns[i].ISOCountry == "" {
			ns[i].ISOCountry = "US"
		}
	}
	s.mu.Lock()
	s.available = ns
	s.mu.Unlock()
}

// Purchases answers the numbers bought so far, in order.
func (s *Server) Purchases() []Purchase {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.purchases)
}

// Released answers the SIDs of the numbers released (DELETE) so far, in order.
func (s *Server) Released() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.released)
}

// Numbers answers the account's incoming numbers now.
func (s *Server) Numbers() []twilio.Number {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.numbers)
}

// listAvailable is GET /2010-04-01/Accounts/{sid}/AvailablePhoneNumbers/{country}/Local.json
// with Twilio's filters AreaCode, InLocality, InRegion, SmsEnabled,
// MmsEnabled, VoiceEnabled and PageSize (one page: Twilio does not page
// this resource).
func (s *Server) listAvailable(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	country := r.PathValue("country")
	size := 50
	if v := q.Get("PageSize"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			s.fail(w, r, failure{20001, 400, "Invalid PageSize"})
			return
		}
		size = n
	}
	if v := q.Get("AreaCode"); v != "" {
		if _, err := strconv.Atoi(v); err != nil || len(v) != 3 {
			s.fail(w, r, failure{21452, 400, "AreaCode must be a 3 digit number"})
			return
		}
	}
	want := func(name string, have bool) bool { return q.Get(name) != "true" || have }
	s.mu.Lock()
	all := slices.Clone(s.available)
	s.mu.Unlock()
	items := []map[string]any{}
	for _, a := range all {
		switch {
		case len(items) >= size, a.ISOCountry != country,
			q.Get("AreaCode") != "" && !strings.HasPrefix(a.E164, "+1"+q.Get("AreaCode")),
			q.Get("InLocality") != "" && !strings.EqualFold(q.Get("InLocality"), a.Locality),
			q.Get("InRegion") != "" && !strings.EqualFold(q.Get("InRegion"), a.Region),
			!want("SmsEnabled", a.SMS), !want("MmsEnabled", a.MMS), !want("VoiceEnabled", a.Voice):
			continue
		}
		items = append(items, map[string]any{"friendly_name": a.FriendlyName, "phone_number": a.E164, "lata": "",
			"locality": a.Locality, "rate_center": strings.ToUpper(a.Locality), "latitude": "39.7684", "longitude": "-86.1581",
			"region": a.Region, "postal_code": a.PostalCode, "iso_country": a.ISOCountry, "address_requirements": "none", "beta": false,
			"capabilities": map[string]bool{"voice": a.Voice, "SMS": a.SMS, "MMS": a.MMS, "fax": false}})
	}
	s.respond(w, r, http.StatusOK, map[string]any{"uri": r.URL.RequestURI(), "available_phone_numbers": items})
}

// buyNumber is POST /2010-04-01/Accounts/{sid}/IncomingPhoneNumbers.json
// with PhoneNumber: a number on sale moves to the account (21422 if it is
// not on sale).
func (s *Server) buyNumber(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, failure{20001, 400, "Bad form body: " + err.Error()})
		return
	}
	f := r.PostForm
	e164 := f.Get("PhoneNumber")
	if e164 == "" {
		s.fail(w, r, failure{21421, 400, "PhoneNumber or AreaCode is required"})
		return
	}
	s.mu.Lock()
	i := slices.IndexFunc(s.available, func(a twilio.Available) bool { return a.E164 == e164 })
	if i < 0 {
		s.mu.Unlock()
		s.fail(w, r, failure{21422, 400, fmt.Sprintf("PhoneNumber %s is not available", e164)})
		return
	}
	a := s.available[i]
	s.available = slices.Delete(s.available, i, i+1)
	n := twilio.Number{SID: newSID("PN"), E164: a.E164, FriendlyName: a.FriendlyName, Voice: a.Voice, SMS: a.SMS, MMS: a.MMS}
	if fn := f.Get("FriendlyName"); fn != "" {
		n.FriendlyName = fn
	}
	s.numbers = append(s.numbers, n)
	p := Purchase{SID: n.SID, E164: n.E164, SMSURL: f.Get("SmsUrl"), VoiceURL: f.Get("VoiceUrl"), StatusURL: f.Get("StatusCallback")}
	s.purchases = append(s.purchases, p)
	s.mu.Unlock()
	out := s.numberJSON(n)
	out["sms_url"], out["voice_url"], out["status_callback"] = p.SMSURL, p.VoiceURL, p.StatusURL
	s.respond(w, r, http.StatusCreated, out)
}

// releaseNumber is DELETE /2010-04-01/Accounts/{sid}/IncomingPhoneNumbers/{pn}.json:
// 204, or 20404 for a number the account does not have.
func (s *Server) releaseNumber(w http.ResponseWriter, r *http.Request) {
	sid := strings.TrimSuffix(r.PathValue("pn"), ".json")
	s.mu.Lock()
	i := slices.IndexFunc(s.numbers, func(n twilio.Number) bool { return n.SID == sid })
	if i >= 0 {
		s.numbers = slices.Delete(s.numbers, i, i+1)
		s.released = append(s.released, sid)
	}
	s.mu.Unlock()
	if i < 0 {
		s.fail(w, r, failure{20404, 404, "The requested resource " + r.URL.Path + " was not found"})
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
