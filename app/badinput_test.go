package app_test

import (
	"cmp"
	"encoding/json"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/humd/humd/app"
	"github.com/humd/humd/app/apptest"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/transport/httpapi"
)

// badBodies are request bodies no route accepts as they are: broken,
// mistyped, too deep, out of range or not UTF-8.
var badBodies = []string{
	`{`,
	`[]`,
	`null`,
	`"x"`,
	`{"name":5,"body":[],"e164":{},"role":7,"url":false,"events":"x","twilio_number_id":1,"contact_e164":2,"limit":"x",` +
		`"send_at":"never","recipients":{},"enabled":"yes","confirm":"no","agent_id":"a","status":9,"tags":"t"}`,
	`{"name":"` + "\xff\xfe" + `","body":"` + "\xc3\x28" + `","e164":"+1` + "\x00" + `"}`,
	`{"limit":1e400,"agent_id":99999999999999999999,"mps":-1e308,"debounce_ms":-1}`,
	strings.Repeat("[", 20000) + strings.Repeat("]", 20000),
	`{"name":"` + strings.Repeat("n", 70000) + `"}`,
}

// badQuery is a query string of parameters no list accepts as they are.
const badQuery = "?limit=-5&cursor=%25ZZ&from=x&to=y&status=q&q=%00&unread=maybe&days=-1&since=never&direction=up&type=%ff"

// TestBadInputIsNever5xx is rule 3 over the whole route table: every route,
// called by an admin of the org that owns the object it names, with broken
// and mistyped bodies and query strings, and with bodies of the route's own
// fields set to empty, extreme and merely plausible values (from its OpenAPI
// schema, so they get past the decoder into the handler), answers below 500 (501 is a route
// that says it is not offered), and every /api error is the JSON envelope (D-10).
func TestBadInputIsNever5xx(t *testing.T) {
	s := apptest.Start(t, apptest.Options{Config: app.Config{KeyRequestsPerMinute: -1}})
	objs := orgAObjects(t, s)
	var doc openAPIDoc
	if status, raw := s.Do("GET", "/openapi.json", "", nil); status != 200 || json.Unmarshal(raw, &doc) != nil {
		t.Fatalf("GET /openapi.json = %d %.200s", status, raw)
	}
	checked := 0
	routes := slices.Clone(s.App.HTTP.Routes())
	// Deletes last, so the other routes still find their objects.
	slices.SortStableFunc(routes, func(a, b *httpapi.Route) int { return cmp.Compare(deletes(a), deletes(b)) })
	for _, r := range routes {
		if strings.HasSuffix(r.Path, "/stream") || strings.HasPrefix(r.Path, "/twilio/relay") {
			continue // a live event stream and a websocket: no request body to break
		}
		path, ok := objs.path(r.Path)
		if !ok {
			t.Errorf("%s %s: no object to call it with; add it to orgAObjects", r.Method, r.Path)
			continue
		}
		bodies := badBodies
		if op, ok := doc.op(r.Method, r.Path); ok {
			bodies = append(doc.bodies(op), badBodies...)
		}
		for _, q := range []string{"", badQuery} {
			for _, body := range bodies {
				status, raw := s.Do(r.Method, path+q, adminKey, body)
				checked++
				if status >= 500 && status != 501 {
					t.Errorf("%s %s%s with %.40q = %d %s", r.Method, path, q, body, status, raw)
					continue
				}
				if status >= 400 && hasEnvelope(r.Path) && !isErrorEnvelope(raw) {
					t.Errorf("%s %s%s with %.40q = %d, not the error envelope: %s", r.Method, path, q, body, status, raw)
				}
			}
		}
	}
	if checked < 1000 {
		t.Errorf("only %d requests made", checked)
	}
	// The server still works after all of it.
	s.JSON("GET", "/api/sms/conversations/"+objs.conv, adminKey, nil, 200)
}

// notObjects are JSON bodies of the wrong kind for a route that takes an
// object. JSON null used to decode into an empty request and answer 2xx.
var notObjects = []string{`null`, ` null `, `[]`, `[{}]`, `"x"`, `1`, `true`}

// TestNonObjectBodyIsRefused posts JSON that is not an object (null above
// all) to every route whose body is an object: each answers 400 or 422, in
// the error envelope on /api routes, and never 2xx.
func TestNonObjectBodyIsRefused(t *testing.T) {
	s := apptest.Start(t, apptest.Options{Config: app.Config{KeyRequestsPerMinute: -1}})
	objs := orgAObjects(t, s)
	var doc openAPIDoc
	if status, raw := s.Do("GET", "/openapi.json", "", nil); status != 200 || json.Unmarshal(raw, &doc) != nil {
		t.Fatalf("GET /openapi.json = %d %.200s", status, raw)
	}
	checked := 0
	for _, r := range s.App.HTTP.Routes() {
		op, ok := doc.op(r.Method, r.Path)
		if !ok || !doc.takesObject(op) {
			continue
		}
		path, ok := objs.path(r.Path)
		if !ok {
			t.Errorf("%s %s: no object to call it with; add it to orgAObjects", r.Method, r.Path)
			continue
		}
		for _, body := range notObjects {
			status, raw := s.Do(r.Method, path, adminKey, body)
			checked++
			if status != 400 && status != 422 {
				t.Errorf("%s %s with %s = %d %.200s; want 400 or 422", r.Method, r.Path, body, status, raw)
				continue
			}
			if hasEnvelope(r.Path) && !isErrorEnvelope(raw) {
				t.Errorf("%s %s with %s = %d, not the error envelope: %s", r.Method, r.Path, body, status, raw)
			}
		}
	}
	if checked < 100 {
		t.Errorf("only %d requests made", checked)
	}
}

// takesObject reports whether op's body is a JSON object and nothing else.
func (d *openAPIDoc) takesObject(op map[string]any) bool {
	sch, _ := dig(op, "requestBody", "content", "application/json", "schema").(map[string]any)
	if ref, ok := sch["$ref"].(string); ok {
		sch, _ = d.Components.Schemas[strings.TrimPrefix(ref, "#/components/schemas/")].(map[string]any)
	}
	return sch != nil && sch["type"] == "object"
}

// hasEnvelope: the session APIs answer in their seeds' own shapes, and the
// Twilio webhooks answer Twilio.
func hasEnvelope(route string) bool {
	return strings.HasPrefix(route, "/api/") && !strings.HasPrefix(route, "/api/v1/")
}

func deletes(r *httpapi.Route) int {
	if r.Method == "DELETE" {
		return 1
	}
	return 0
}

func isErrorEnvelope(raw []byte) bool {
	var env struct {
		Error *struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	return json.Unmarshal(raw, &env) == nil && env.Error != nil && env.Error.Code != "" && env.Error.Message != ""
}

// openAPIDoc is as much of /openapi.json as body generation reads.
type openAPIDoc struct {
	Paths      map[string]map[string]map[string]any `json:"paths"`
	Components struct {
		Schemas map[string]any `json:"schemas"`
	} `json:"components"`
}

func (d *openAPIDoc) op(method, path string) (map[string]any, bool) {
	op, ok := d.Paths[path][strings.ToLower(method)]
	return op, ok
}

// bodies are the route's request body filled three ways; none for a route
// without one.
func (d *openAPIDoc) bodies(op map[string]any) []string {
	schema := dig(op, "requestBody", "content", "application/json", "schema")
	if schema == nil {
		return nil
	}
	var out []string
	for _, how := range []fill{fillEmpty, fillExtreme, fillPlausible} {
		raw, err := json.Marshal(d.value(schema, how, 0))
		if err == nil {
			out = append(out, string(raw))
		}
	}
	return out
}

type fill int

const (
	fillEmpty fill = iota
	fillExtreme
	fillPlausible
)

// value is a JSON value for schema: every property of an object set, arrays
// of one element, scalars empty, extreme or plausible.
func (d *openAPIDoc) value(schema any, how fill, depth int) any {
	sch, _ := schema.(map[string]any)
	if ref, ok := sch["$ref"].(string); ok {
		return d.value(d.Components.Schemas[strings.TrimPrefix(ref, "#/components/schemas/")], how, depth)
	}
	for _, alt := range []string{"anyOf", "oneOf"} {
		if alts, ok := sch[alt].([]any); ok && len(alts) > 0 {
			return d.value(alts[0], how, depth)
		}
	}
	typ := sch["type"]
	if ts, ok := typ.([]any); ok && len(ts) > 0 {
		typ = ts[0]
	}
	if enum, ok := sch["enum"].([]any); ok && len(enum) > 0 && how == fillPlausible {
		return enum[0]
	}
	switch typ {
	case "object":
		obj := map[string]any{}
		if depth > 3 {
			return obj
		}
		props, _ := sch["properties"].(map[string]any)
		for name, p := range props {
			if name != "confirm" {
				obj[name] = d.value(p, how, depth+1)
			}
		}
		return obj
	case "array":
		if depth > 3 || how == fillEmpty {
			return []any{}
		}
		return []any{d.value(sch["items"], how, depth+1)}
	case "string":
		return map[fill]any{fillEmpty: "", fillExtreme: "x\u0000" + strings.Repeat("é", 5000), fillPlausible: "x"}[how]
	case "integer":
		return map[fill]any{fillEmpty: 0, fillExtreme: int64(-1 << 62), fillPlausible: 1_000_000_000}[how]
	case "number":
		return map[fill]any{fillEmpty: 0, fillExtreme: -1e300, fillPlausible: 1e9}[how]
	case "boolean":
		return how != fillEmpty
	}
	return nil
}

func dig(m map[string]any, keys ...string) any {
	var cur any = m
	for _, k := range keys {
		next, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = next[k]
	}
	return cur
}

// TestBadTimeSaysTheFormat: a time field the decoder cannot parse is a 422
// that says which format to use, not Go's layout string.
func TestBadTimeSaysTheFormat(t *testing.T) {
	s := apptest.Start(t, apptest.Options{})
	s.AddNumber(ourNumber, 1)
	inbound(t, s, "SM00000000000000000000000000000070", contact, "hi")
	conv := onlyConversation(t, s)["id"].(string)
	msg := s.JSON("POST", "/api/sms/conversations/"+conv+"/messages", adminKey, map[string]any{"body": "x", "send_at": "tomorrow"}, 422)["error"].(map[string]any)["message"].(string)
	if !strings.Contains(msg, "RFC 3339") || !strings.Contains(msg, `"tomorrow"`) || strings.Contains(msg, "2006-01-02") {
		t.Errorf("bad send_at: %q; want the format named and the value quoted", msg)
	}
}

// TestSignedTwilioFormsWithBadFields: a correctly signed webhook whose fields
// are missing, malformed or name nothing humd knows still answers below 500
// on every Twilio route, with or without a call_id that names a call, and
// the server goes on taking texts.
func TestSignedTwilioFormsWithBadFields(t *testing.T) {
	s := apptest.Start(t, apptest.Options{Config: app.Config{KeyRequestsPerMinute: -1}})
	objs := orgAObjects(t, s)
	call := objs.ids["/api/calls/{id}"]
	garbage := url.Values{"From": {""}, "To": {"x"}, "MessageSid": {""}, "CallSid": {"x"}, "Body": {strings.Repeat("€", 2000)},
		"MessageStatus": {"bogus"}, "CallStatus": {"bogus"}, "Digits": {"abc"}, "RecordingUrl": {"javascript:x"},
		"RecordingSid": {""}, "RecordingDuration": {"-5"}, "NumMedia": {"99"}, "MediaUrl0": {"ftp://x"}, "ErrorCode": {"x"},
		"TranscriptionText": {""}, "TranscriptionStatus": {"bogus"}, "DialCallStatus": {"bogus"}, "AnsweredBy": {"bogus"},
		"Direction": {"sideways"}, "CallDuration": {"abc"}, "SmsStatus": {"\x00"}, "NumSegments": {"-1"}}
	known := url.Values{"From": {contact}, "To": {ourNumber}, "Caller": {contact}, "Called": {ourNumber},
		"MessageSid": {"SM00000000000000000000000000000099"}, "SmsSid": {"SM00000000000000000000000000000099"},
		"CallSid": {"CA00000000000000000000000000000099"}, "MessageStatus": {"delivered"}, "CallStatus": {"completed"},
		"RecordingUrl": {"https://api.twilio.com/rec/RE1"}, "RecordingSid": {"RE00000000000000000000000000000099"},
		"RecordingDuration": {"99999999999999999999"}, "DialCallStatus": {"no-answer"}, "TranscriptionStatus": {"completed"},
		"TranscriptionText": {"hello"}, "NumMedia": {"1"}, "MediaUrl0": {"https://example.com/a.jpg"}, "Body": {""}}
	checked, answered := 0, 0
	for _, r := range s.App.HTTP.Routes() {
		if !strings.HasPrefix(r.Path, "/twilio/") || r.Method != "POST" {
			continue
		}
		for _, q := range []string{"", "?call_id=CA_nope", "?call_id=" + call + "&kind=voicemail", "?call_id=%00&kind=%ff"} {
			for _, form := range []url.Values{{}, garbage, known} {
				status, body := s.PostTwilio(r.Path+q, s.App.SandboxToken, form, "")
				checked++
				if status >= 500 || status == 403 {
					t.Errorf("signed %s%s with %v = %d %.300s; want below 500, and past the signature check", r.Path, q, form, status, body)
				}
				if status < 300 {
					answered++
				}
			}
		}
	}
	if checked < 50 || answered < 10 {
		t.Errorf("%d webhooks posted, %d answered 2xx; want 50 and 10 or more", checked, answered)
	}
	inbound(t, s, "SM00000000000000000000000000000098", contact, "still here")
}

// TestDeepJSONIsRefusedOnEveryRoute: storage's JSON limits hold at the door
// of every route, before any handler, so nothing nested past them is ever
// stored (and then fails to read back): an object or array one level too
// deep is a 400 json_too_deep, in the route's error style.
func TestDeepJSONIsRefusedOnEveryRoute(t *testing.T) {
	s := apptest.Start(t, apptest.Options{Config: app.Config{KeyRequestsPerMinute: -1}})
	n := storage.MaxJSONDepth + 1
	bodies := []string{
		strings.Repeat(`{"a":`, n-1) + "{}" + strings.Repeat("}", n-1),
		" \n" + strings.Repeat("[", n) + strings.Repeat("]", n),
	}
	param := regexp.MustCompile(`\{[^}]+\}`)
	for _, r := range s.App.HTTP.Routes() {
		if r.Request == nil && r.Method != "POST" && r.Method != "PUT" && r.Method != "PATCH" {
			continue // a route that reads no body ignores it
		}
		path := param.ReplaceAllString(r.Path, "x")
		for _, body := range bodies {
			status, raw := s.Do(r.Method, path, adminKey, body)
			if status != 400 {
				t.Errorf("%s %s with %d levels = %d %.200s; want 400", r.Method, path, n, status, raw)
				continue
			}
			if hasEnvelope(r.Path) && (!isErrorEnvelope(raw) || !strings.Contains(string(raw), `"json_too_deep"`)) {
				t.Errorf("%s %s with %d levels = %s; want the error envelope with json_too_deep", r.Method, path, n, raw)
			}
		}
	}
}
