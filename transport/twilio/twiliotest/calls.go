package twiliotest

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/humd/humd/storage/phone"
	"github.com/humd/humd/transport/twilio"
)

// PlacedCall is one call the fake was asked to place.
type PlacedCall struct {
	SID        string
	AccountSID string
	From       string
	To         string
	// TwiML is the inline Twiml parameter; URL the Url one (humd uses TwiML).
	TwiML                string
	URL                  string
	StatusCallback       string
	StatusCallbackEvents []string
	StatusCallbackMethod string
	// Status starts "queued" and follows PlayCallStatus.
	Status      string
	DateCreated time.Time
	// seq numbers the status callbacks, as Twilio's SequenceNumber does.
	seq int
}

// FailNextCall makes the next Calls create fail with Twilio's error JSON and
// httpStatus; other requests are unaffected. Calls queue up.
func (s *Server) FailNextCall(code, httpStatus int, message string) {
	s.mu.Lock()
	s.failCall = append(s.failCall, failure{code, httpStatus, message})
	s.mu.Unlock()
}

// Calls answers the calls placed so far, in order (copies).
func (s *Server) Calls() []PlacedCall {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := slices.Clone(s.calls)
	for i := range out {
		out[i].StatusCallbackEvents = slices.Clone(out[i].StatusCallbackEvents)
	}
	return out
}

// createCall is POST /2010-04-01/Accounts/{sid}/Calls.json.
func (s *Server) createCall(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, failure{20001, 400, "Bad form body: " + err.Error()})
		return
	}
	f := r.PostForm
	c := PlacedCall{SID: newSID("CA"), AccountSID: s.AccountSID, From: f.Get("From"), To: f.Get("To"),
		TwiML: f.Get("Twiml"), URL: f.Get("Url"), StatusCallback: f.Get("StatusCallback"),
		StatusCallbackEvents: f["StatusCallbackEvent"], StatusCallbackMethod: f.Get("StatusCallbackMethod"),
		Status: "queued", DateCreated: time.Now().UTC().Truncate(time.Second)}
	if bad := s.checkCall(&c); bad != nil {
		s.fail(w, r, *bad)
		return
	}
	s.mu.Lock()
	s.calls = append(s.calls, c)
	s.mu.Unlock()
	s.respond(w, r, http.StatusCreated, s.callJSON(&c))
}

// checkCall applies the checks Twilio makes on a new call, then any
// FailNextCall.
func (s *Server) checkCall(c *PlacedCall) *failure {
	switch {
	case c.To == "":
		return &failure{21201, 400, "No 'To' number is specified"}
	case c.From == "":
		return &failure{21213, 400, "No 'From' number is specified"}
	case c.TwiML == "" && c.URL == "":
		return &failure{20001, 400, "Either a 'Url', 'Twiml' or 'ApplicationSid' parameter is required."}
	case !phone.Valid(c.To):
		return &failure{21211, 400, fmt.Sprintf("Invalid 'To' Phone Number: %s", c.To)}
	}
	if c.StatusCallback != "" {
		u, err := url.Parse(c.StatusCallback)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return &failure{21609, 400, "Invalid StatusCallback"}
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.failCall) > 0 {
		f := s.failCall[0]
		s.failCall = s.failCall[1:]
		return &f
	}
	if s.opts.CheckFrom && !slices.ContainsFunc(s.numbers, func(n twilio.Number) bool { return n.E164 == c.From }) {
		return &failure{21210, 400, fmt.Sprintf("The source phone number provided, %s, is not yet verified for your account.", c.From)}
	}
	return nil
}

func (s *Server) callJSON(c *PlacedCall) map[string]any {
	uri := "/2010-04-01/Accounts/" + c.AccountSID + "/Calls/" + c.SID
	date := c.DateCreated.Format(rfc2822)
	return map[string]any{
		"sid": c.SID, "account_sid": c.AccountSID, "to": c.To, "to_formatted": c.To, "from": c.From, "from_formatted": c.From,
		"status": c.Status, "direction": "outbound-api", "api_version": apiVersion, "date_created": date, "date_updated": date,
		"start_time": nil, "end_time": nil, "duration": nil, "price": nil, "price_unit": "USD", "answered_by": nil,
		"forwarded_from": nil, "caller_name": nil, "group_sid": nil, "parent_call_sid": nil, "phone_number_sid": nil,
		"queue_time": "0", "trunk_sid": nil, "uri": uri + ".json",
		"subresource_uris": map[string]string{"notifications": uri + "/Notifications.json", "recordings": uri + "/Recordings.json",
			"events": uri + "/Events.json", "payments": uri + "/Payments.json"},
	}
}

// PlayCallStatus posts a call status callback for call sid to the
// StatusCallback it was placed with, as Twilio does: CallSid, AccountSid,
// From, To, Direction=outbound-api, CallStatus, ApiVersion, CallbackSource,
// SequenceNumber, then extra (CallDuration for completed, AnsweredBy, ...),
// signed with the auth token over the callback URL. A non-2xx answer is an
// error.
func (s *Server) PlayCallStatus(sid, status string, extra url.Values) error {
	s.mu.Lock()
	i := slices.IndexFunc(s.calls, func(c PlacedCall) bool { return c.SID == sid })
	if i < 0 {
		s.mu.Unlock()
		return fmt.Errorf("twiliotest: no call %s", sid)
	}
	c := &s.calls[i]
	c.Status = status
	form := url.Values{"CallSid": {sid}, "AccountSid": {s.AccountSID}, "From": {c.From}, "To": {c.To},
		"Direction": {"outbound-api"}, "CallStatus": {status}, "ApiVersion": {apiVersion},
		"CallbackSource": {"call-progress-events"}, "SequenceNumber": {strconv.Itoa(c.seq)}}
	c.seq++
	cb := c.StatusCallback
	s.mu.Unlock()
	if cb == "" {
		return fmt.Errorf("twiliotest: call %s was placed without a StatusCallback", sid)
	}
	return s.callback(cb, form, extra)
}
