package twiliotest

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/nyaruka/phonenumbers"

	"github.com/humd/humd/actors/sender"
	"github.com/humd/humd/storage/phone"
	"github.com/humd/humd/transport/twilio"
)

const apiVersion = "2010-04-01"

// rfc2822 is how Twilio's 2010 API writes dates.
const rfc2822 = "Mon, 02 Jan 2006 15:04:05 -0700"

// createMessage is POST /2010-04-01/Accounts/{sid}/Messages.json.
func (s *Server) createMessage(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, failure{20001, 400, "Bad form body: " + err.Error()})
		return
	}
	f := r.PostForm
	m := Message{SID: newSID("SM"), AccountSID: s.AccountSID, From: f.Get("From"), To: f.Get("To"), Body: f.Get("Body"),
		MediaURLs: f["MediaUrl"], StatusCallback: f.Get("StatusCallback"), MessagingServiceSID: f.Get("MessagingServiceSid"),
		Status: "queued", NumSegments: sender.Segments(f.Get("Body")), DateCreated: time.Now().UTC().Truncate(time.Second)}
	if bad := s.checkMessage(&m); bad != nil {
		s.fail(w, r, *bad)
		return
	}
	if m.MessagingServiceSID != "" {
		// Through a Messaging Service Twilio has not picked a sender yet.
		m.Status, m.NumSegments = "accepted", 0
	}
	s.mu.Lock()
	s.sent = append(s.sent, m)
	s.mu.Unlock()
	s.respond(w, r, http.StatusCreated, messageJSON(&m))
}

// checkMessage applies Twilio's checks, in Twilio's order of precedence.
func (s *Server) checkMessage(m *Message) *failure {
	switch {
	case m.To == "":
		return &failure{21604, 400, "A 'To' phone number is required."}
	case m.From == "" && m.MessagingServiceSID == "":
		return &failure{21603, 400, "A 'From' phone number is required."}
	case m.Body == "" && len(m.MediaURLs) == 0:
		return &failure{21602, 400, "Message body is required."}
	case utf8.RuneCountInString(m.Body) > 1600:
		return &failure{21617, 400, "The concatenated message body exceeds the 1600 character limit."}
	case !phone.Valid(m.To):
		return &failure{21211, 400, errorText(21211, m.To)}
	}
	if m.StatusCallback != "" {
		u, err := url.Parse(m.StatusCallback)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return &failure{21609, 400, "Invalid StatusCallback"}
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if f, ok := s.failTo[m.To]; ok {
		return &f
	}
	if s.opts.CheckFrom && m.From != "" && !slices.ContainsFunc(s.numbers, func(n twilio.Number) bool { return n.E164 == m.From }) {
		return &failure{21606, 400, fmt.Sprintf("The From phone number %s is not a valid, SMS-capable inbound phone number or short code for your account.", m.From)}
	}
	return nil
}

func messageJSON(m *Message) map[string]any {
	uri := "/2010-04-01/Accounts/" + m.AccountSID + "/Messages/" + m.SID
	date := m.DateCreated.Format(rfc2822)
	out := map[string]any{
		"account_sid": m.AccountSID, "api_version": apiVersion, "body": m.Body, "date_created": date,
		"date_sent": nil, "date_updated": date, "direction": "outbound-api", "error_code": nil, "error_message": nil,
		"from": nilIfEmpty(m.From), "messaging_service_sid": nilIfEmpty(m.MessagingServiceSID),
		"num_media": strconv.Itoa(len(m.MediaURLs)), "num_segments": strconv.Itoa(m.NumSegments),
		"price": nil, "price_unit": "USD", "sid": m.SID, "status": m.Status, "to": m.To,
		"subresource_uris": map[string]string{"media": uri + "/Media.json", "feedback": uri + "/Feedback.json"},
		"uri":              uri + ".json",
	}
	if m.ErrorCode != 0 {
		out["error_code"] = m.ErrorCode
	}
	return out
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// listNumbers is GET /2010-04-01/Accounts/{sid}/IncomingPhoneNumbers.json,
// paged with PageSize (default 50, at most 1000) and Page.
func (s *Server) listNumbers(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	size, err := strconv.Atoi(q.Get("PageSize"))
	if q.Get("PageSize") == "" {
		size, err = 50, nil
	}
	page, err2 := strconv.Atoi(q.Get("Page"))
	if q.Get("Page") == "" {
		page, err2 = 0, nil
	}
	if err != nil || err2 != nil || size < 1 || size > 1000 || page < 0 {
		s.fail(w, r, failure{20001, 400, "Invalid PageSize or Page"})
		return
	}
	s.mu.Lock()
	all := slices.Clone(s.numbers)
	s.mu.Unlock()
	base := "/2010-04-01/Accounts/" + s.AccountSID + "/IncomingPhoneNumbers.json"
	pageURI := func(p int) string {
		return fmt.Sprintf("%s?PageSize=%d&Page=%d&PageToken=PA%s", base, size, p, strconv.Itoa(p*size))
	}
	start := min(page*size, len(all))
	end := min(start+size, len(all))
	items := make([]map[string]any, 0, end-start)
	for _, n := range all[start:end] {
		items = append(items, s.numberJSON(n))
	}
	out := map[string]any{
		"first_page_uri": fmt.Sprintf("%s?PageSize=%d&Page=0", base, size), "page": page, "page_size": size,
		"start": start, "end": max(end-1, start), "uri": r.URL.RequestURI(), "incoming_phone_numbers": items,
		"next_page_uri": nil, "previous_page_uri": nil,
	}
	if end < len(all) {
		out["next_page_uri"] = pageURI(page + 1)
	}
	if page > 0 {
		out["previous_page_uri"] = pageURI(page - 1)
	}
	s.respond(w, r, http.StatusOK, out)
}

func (s *Server) numberJSON(n twilio.Number) map[string]any {
	return map[string]any{
		"account_sid": s.AccountSID, "sid": n.SID, "phone_number": n.E164, "friendly_name": n.FriendlyName,
		"capabilities": map[string]bool{"voice": n.Voice, "sms": n.SMS, "mms": n.MMS, "fax": false},
		"api_version":  apiVersion, "origin": "twilio", "status": "in-use", "beta": false,
		"sms_url": "", "sms_method": "POST", "voice_url": "", "voice_method": "POST", "status_callback": "",
		"uri": "/2010-04-01/Accounts/" + s.AccountSID + "/IncomingPhoneNumbers/" + n.SID + ".json",
	}
}

// lookup is Lookup v2's GET /v2/PhoneNumbers/{number}?Fields=...; only the
// requested data packages are filled, the rest are null, as Twilio does.
func (s *Server) lookup(w http.ResponseWriter, r *http.Request) {
	n := r.PathValue("number")
	fields := map[string]bool{}
	for f := range strings.SplitSeq(r.URL.Query().Get("Fields"), ",") {
		fields[strings.TrimSpace(f)] = true
	}
	out := map[string]any{"calling_country_code": nil, "country_code": nil, "phone_number": n, "national_format": nil,
		"valid": false, "validation_errors": []string{}, "caller_name": nil, "sim_swap": nil, "call_forwarding": nil,
		"line_type_intelligence": nil, "line_status": nil, "identity_match": nil, "reassigned_number": nil,
		"sms_pumping_risk": nil, "phone_number_quality_score": nil, "pre_fill": nil,
		"url": "https://lookups.twilio.com/v2/PhoneNumbers/" + n}
	pn, err := phonenumbers.Parse(n, "")
	if err != nil || !phone.Valid(n) {
		out["validation_errors"] = []string{"NOT_A_NUMBER"}
		s.respond(w, r, http.StatusOK, out)
		return
	}
	out["valid"] = true
	out["calling_country_code"] = strconv.Itoa(int(pn.GetCountryCode()))
	out["country_code"] = phonenumbers.GetRegionCodeForNumber(pn)
	out["national_format"] = phonenumbers.Format(pn, phonenumbers.NATIONAL)
	s.mu.Lock()
	l, ok := s.lookups[n]
	s.mu.Unlock()
	if !ok {
		l = Lookup{CarrierName: "Twiliotest Wireless", LineType: "mobile"}
	}
	if fields["line_type_intelligence"] {
		out["line_type_intelligence"] = map[string]any{"carrier_name": l.CarrierName, "type": l.LineType,
			"mobile_country_code": "310", "mobile_network_code": "999", "error_code": nil}
	}
	if fields["caller_name"] {
		out["caller_name"] = map[string]any{"caller_name": nilIfEmpty(l.CallerName), "caller_type": nilIfEmpty(l.CallerType), "error_code": nil}
	}
	s.respond(w, r, http.StatusOK, out)
}

// PlayStatus posts a status callback for message sid to the StatusCallback it
// was created with, as Twilio does: MessageSid, SmsSid, MessageStatus,
// SmsStatus, AccountSid, From, To, ApiVersion, then extra (ErrorCode for a
// failed or undelivered text, RawDlrDoneDate, ...), signed with the auth
// token over the callback URL. A non-2xx answer is an error.
func (s *Server) PlayStatus(sid, status string, extra url.Values) error {
	s.mu.Lock()
	i := slices.IndexFunc(s.sent, func(m Message) bool { return m.SID == sid })
	if i < 0 {
		s.mu.Unlock()
		return fmt.Errorf("twiliotest: no message %s", sid)
	}
	m := &s.sent[i]
	m.Status = status
	if code, err := strconv.Atoi(extra.Get("ErrorCode")); err == nil {
		m.ErrorCode = code
	}
	cb := m.StatusCallback
	form := url.Values{"MessageSid": {sid}, "SmsSid": {sid}, "MessageStatus": {status}, "SmsStatus": {status},
		"AccountSid": {s.AccountSID}, "From": {m.From}, "To": {m.To}, "ApiVersion": {apiVersion}}
	s.mu.Unlock()
	if cb == "" {
		return fmt.Errorf("twiliotest: message %s was created without a StatusCallback", sid)
	}
	return s.callback(cb, form, extra)
}

// callback posts a signed status callback (form, then extra) to cb; a
// non-2xx answer is an error.
func (s *Server) callback(cb string, form, extra url.Values) error {
	for k, vs := range extra {
		form[k] = vs
	}
	resp, err := s.post(s.mapTarget(cb), cb, form)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("twiliotest: status callback %s answered %d: %s", cb, resp.StatusCode, body)
	}
	return nil
}

// SendInbound posts Twilio's inbound SMS webhook (MessageSid, SmsSid,
// SmsMessageSid, AccountSid, From, To, Body, NumMedia=0, NumSegments=1,
// SmsStatus=received, ApiVersion, then extra) to humdBaseURL+"/twilio/sms",
// signed over publicURL+"/twilio/sms". The caller closes the answer's body.
func (s *Server) SendInbound(humdBaseURL, publicURL, from, to, body string, extra url.Values) (*http.Response, error) {
	sid := newSID("SM")
	form := url.Values{"MessageSid": {sid}, "SmsSid": {sid}, "SmsMessageSid": {sid}, "AccountSid": {s.AccountSID},
		"From": {from}, "To": {to}, "Body": {body}, "NumMedia": {"0"}, "NumSegments": {"1"},
		"SmsStatus": {"received"}, "ApiVersion": {apiVersion}}
	for k, vs := range extra {
		form[k] = vs
	}
	const path = "/twilio/sms"
	return s.post(strings.TrimRight(humdBaseURL, "/")+path, strings.TrimRight(publicURL, "/")+path, form)
}
