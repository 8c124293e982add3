package app_test

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/humd/humd/app"
	"github.com/humd/humd/app/apptest"
	"github.com/humd/humd/transport/sandbox"
	"github.com/humd/humd/transport/twilio"
	"github.com/humd/humd/transport/twilio/twiliotest"
)

func roleKey(t *testing.T, s *apptest.Server, role string) string {
	t.Helper()
	return s.JSON("POST", "/api/api-keys", adminKey, map[string]any{"name": role, "role": role}, 201)["key"].(string)
}

func e164s(list []any) []string {
	var out []string
	for _, n := range list {
		out = append(out, n.(map[string]any)["e164"].(string))
	}
	return out
}

func orgNumbers(s *apptest.Server) []string {
	return e164s(s.JSON("GET", "/api/numbers", adminKey, nil, 200)["data"].([]any))
}

// TestNumbersBuySandbox searches and buys through the sandbox carrier: the
// search honours area_code and is deterministic, a bought number joins the
// org with its flows and the sandbox's inventory, and every refusal (a
// second buy, a role below admin, a bad flow, the plan's cap) buys nothing.
func TestNumbersBuySandbox(t *testing.T) {
	s := apptest.Start(t, apptest.Options{Config: app.Config{PlanMaxNumbers: 2}})
	const search = "/api/numbers/available?area_code=317&capabilities=voice,sms&limit=3"
	avail := e164s(s.JSON("GET", search, adminKey, nil, 200)["data"].([]any))
	if want := []string{"+13175550100", "+13175550101", "+13175550102"}; !slices.Equal(avail, want) {
		t.Fatalf("sandbox search = %v; want %v", avail, want)
	}
	if again := e164s(s.JSON("GET", search, adminKey, nil, 200)["data"].([]any)); !slices.Equal(again, avail) {
		t.Errorf("the same search answered %v, then %v", avail, again)
	}
	if d := e164s(s.JSON("GET", "/api/numbers/available", adminKey, nil, 200)["data"].([]any)); len(d) != 20 || !strings.HasPrefix(d[0], "+1500555") {
		t.Errorf("default search = %v; want 20 numbers in Twilio's 500 test range", d)
	}
	for _, bad := range []string{"area_code=31", "capabilities=fax", "limit=0", "limit=51", "country=USA"} {
		errCode(t, s, "GET", "/api/numbers/available?"+bad, nil, 422)
	}

	voice := s.JSON("POST", "/api/flows", adminKey, map[string]any{"name": "Phones", "channel": "voice"}, 201)["id"].(string)
	text := s.JSON("POST", "/api/flows", adminKey, map[string]any{"name": "Texts", "channel": "sms", "trigger_type": "message"}, 201)["id"].(string)
	for _, role := range []string{"viewer", "operator"} {
		k := roleKey(t, s, role)
		if st, _ := s.Do("POST", "/api/numbers/buy", k, map[string]any{"e164": avail[0], "confirm": true}); st != 403 {
			t.Errorf("%s buying = %d; want 403", role, st)
		}
		if st, _ := s.Do("GET", "/api/numbers/available", k, nil); st != 403 {
			t.Errorf("%s searching = %d; want 403", role, st)
		}
	}
	// A flow of the wrong channel is refused before anything is bought.
	errCode(t, s, "POST", "/api/numbers/buy", map[string]any{"e164": avail[0], "sms_flow_id": voice}, 422)
	errCode(t, s, "POST", "/api/numbers/buy", map[string]any{"e164": avail[0], "flow_id": "flow_nope"}, 422)
	if slices.Contains(s.App.Sandbox.Numbers(), avail[0]) {
		t.Fatalf("a refused buy bought %s", avail[0])
	}

	n := s.JSON("POST", "/api/numbers/buy", adminKey, map[string]any{"e164": avail[0], "flow_id": voice, "sms_flow_id": text, "confirm": true}, 201)
	if n["flow_id"] != voice || n["sms_flow_id"] != text || n["sms_enabled"] != true || n["provider"] != "sandbox" ||
		n["provider_sid"] != sandbox.SID(avail[0]) {
		t.Errorf("bought = %v; want both flows, SMS on (sms_flow_id set), the sandbox's SID", n)
	}
	got := s.JSON("GET", "/api/numbers/"+n["id"].(string), adminKey, nil, 200)
	if got["e164"] != avail[0] || got["flow_id"] != voice || got["sms_flow_id"] != text {
		t.Errorf("GET the bought number = %v", got)
	}
	if !slices.Contains(orgNumbers(s), avail[0]) || !slices.Contains(s.App.Sandbox.Numbers(), avail[0]) {
		t.Errorf("org numbers %v, sandbox inventory %v; want %s in both", orgNumbers(s), s.App.Sandbox.Numbers(), avail[0])
	}
	if d := e164s(s.JSON("GET", search, adminKey, nil, 200)["data"].([]any)); slices.Contains(d, avail[0]) {
		t.Errorf("search after the buy = %v; still offers %s", d, avail[0])
	}
	if c := errCode(t, s, "POST", "/api/numbers/buy", map[string]any{"e164": avail[0]}, 409); c != "number_exists" {
		t.Errorf("buying it twice: code %s; want number_exists", c)
	}

	// The plan allows 2: the second fits, the third is a 402 and stays unbought.
	s.JSON("POST", "/api/numbers/buy", adminKey, map[string]any{"e164": avail[1]}, 201)
	res := s.JSON("POST", "/api/numbers/buy", adminKey, map[string]any{"e164": avail[2]}, 402)
	if e := res["error"].(map[string]any); e["code"] != "plan_limit" {
		t.Errorf("over the cap = %v; want plan_limit", res)
	}
	if slices.Contains(s.App.Sandbox.Numbers(), avail[2]) || len(orgNumbers(s)) != 2 {
		t.Errorf("over the cap: sandbox %v, org %v; want nothing bought", s.App.Sandbox.Numbers(), orgNumbers(s))
	}
	if c := errCode(t, s, "POST", "/api/numbers", map[string]any{"e164": "+13175559999"}, 402); c != "plan_limit" {
		t.Errorf("registering over the cap: code %s; want plan_limit", c)
	}
	// extra_numbers_allowed lifts the cap.
	s.JSON("PATCH", "/api/billing/subscription", adminKey, map[string]any{"extra_numbers_allowed": true}, 200)
	s.JSON("POST", "/api/numbers/buy", adminKey, map[string]any{"e164": avail[2]}, 201)
	if len(orgNumbers(s)) != 3 {
		t.Errorf("org numbers = %v; want 3 with extras allowed", orgNumbers(s))
	}
}

// TestNumbersBuyTwilio searches and buys through twilio-go against the fake
// Twilio: the search's filters reach AvailablePhoneNumbers, a purchase is an
// IncomingPhoneNumbers create with humd's webhooks, and a purchase whose
// registration fails is released (DELETE) again.
func TestNumbersBuyTwilio(t *testing.T) {
	s, tw := startWithTwilio(t)
	tw.SetAvailable([]twilio.Available{
		{E164: "+13175550150", FriendlyName: "(317) 555-0150", Locality: "Indianapolis", Region: "IN", Voice: true, SMS: true, MMS: true},
		{E164: "+13175550151", FriendlyName: "(317) 555-0151", Locality: "Indianapolis", Region: "IN", Voice: true},
		{E164: "+12125550150", FriendlyName: "(212) 555-0150", Locality: "New York", Region: "NY", Voice: true, SMS: true, MMS: true},
	})
	res := s.JSON("GET", "/api/numbers/available?area_code=317&region=in&locality=Indianapolis&capabilities=sms&limit=5", adminKey, nil, 200)
	if got := e164s(res["data"].([]any)); !slices.Equal(got, []string{"+13175550150"}) {
		t.Errorf("search = %v; want only the 317 number that texts", got)
	}
	var search url.Values
	for _, r := range tw.Requests() {
		if p, q, ok := strings.Cut(strings.TrimPrefix(r, "GET "), "?"); ok && strings.HasSuffix(p, "/AvailablePhoneNumbers/US/Local.json") {
			search, _ = url.ParseQuery(q)
		}
	}
	want := url.Values{"AreaCode": {"317"}, "InRegion": {"IN"}, "InLocality": {"Indianapolis"}, "SmsEnabled": {"true"}, "PageSize": {"5"}}
	if fmt.Sprint(search) != fmt.Sprint(want) {
		t.Errorf("Twilio search query = %v; want %v", search, want)
	}

	text := s.JSON("POST", "/api/flows", adminKey, map[string]any{"name": "Texts", "channel": "sms", "trigger_type": "message"}, 201)["id"].(string)
	n := s.JSON("POST", "/api/numbers/buy", adminKey, map[string]any{"e164": "+13175550150", "sms_flow_id": text, "confirm": true}, 201)
	buys := tw.Purchases()
	if len(buys) != 1 || n["provider"] != "twilio" || n["provider_sid"] != buys[0].SID || n["sms_enabled"] != true {
		t.Fatalf("bought %v; Twilio purchases %+v", n, buys)
	}
	if buys[0].SMSURL != s.PublicURL+"/twilio/sms" || buys[0].VoiceURL != s.PublicURL+"/twilio/voice" {
		t.Errorf("bought with webhooks %+v; want humd's /twilio/sms and /twilio/voice", buys[0])
	}
	if c := n["capabilities"].(map[string]any); c["sms"] != true || c["voice"] != true {
		t.Errorf("capabilities = %v; want Twilio's", c)
	}

	// +13175550151 cannot text: registering it with an SMS flow fails after
	// the purchase, so humd releases it at Twilio.
	errCode(t, s, "POST", "/api/numbers/buy", map[string]any{"e164": "+13175550151", "sms_flow_id": text}, 422)
	buys = tw.Purchases()
	if len(buys) != 2 || buys[1].E164 != "+13175550151" {
		t.Fatalf("Twilio purchases = %+v; want the voice-only number bought", buys)
	}
	if rel := tw.Released(); !slices.Equal(rel, []string{buys[1].SID}) {
		t.Errorf("Twilio released %v; want the failed purchase %s rolled back", rel, buys[1].SID)
	}
	if slices.ContainsFunc(tw.Numbers(), func(n twilio.Number) bool { return n.E164 == "+13175550151" }) ||
		slices.Contains(orgNumbers(s), "+13175550151") {
		t.Errorf("after the rollback Twilio has %v, the org %v", tw.Numbers(), orgNumbers(s))
	}
	// A number Twilio does not sell is the caller's 409; nothing to release.
	if c := errCode(t, s, "POST", "/api/numbers/buy", map[string]any{"e164": "+13175550199"}, 409); c != "number_unavailable" {
		t.Errorf("buying a number not on sale: code %s", c)
	}
	if len(tw.Released()) != 1 {
		t.Errorf("released = %v; want only the rollback", tw.Released())
	}
}

// TestNumbersBuyWithTwilioUnreachable: no answer from the carrier at all is
// the carrier side's failure, 502 provider_error, and nothing is registered.
func TestNumbersBuyWithTwilioUnreachable(t *testing.T) {
	tw := twiliotest.Start(t, twiliotest.Options{})
	gone := tw.URL
	tw.Close() // a base URL nothing answers on
	s := apptest.Start(t, apptest.Options{Config: app.Config{TwilioAccountSID: twiliotest.DefaultAccountSID,
		TwilioAuthToken: twiliotest.DefaultAuthToken, TwilioAPIBase: gone}})
	status, raw := s.Do("POST", "/api/numbers/buy", adminKey, map[string]any{"e164": "+13175550150"})
	if status != 502 || !strings.Contains(string(raw), "provider_error") {
		t.Errorf("buy with Twilio unreachable = %d %s; want 502 provider_error", status, raw)
	}
	if nums := s.JSON("GET", "/api/numbers", adminKey, nil, 200)["data"].([]any); len(nums) != 0 {
		t.Errorf("numbers = %v; want none registered", nums)
	}
}
