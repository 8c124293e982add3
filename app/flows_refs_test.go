package app_test

import (
	"testing"

	"github.com/humd/humd/app/apptest"
)

// fieldErr answers the 422's message for field ("" if the field is not named).
func fieldErr(t *testing.T, s *apptest.Server, method, path string, body any, field string) string {
	t.Helper()
	res := s.JSON(method, path, adminKey, body, 422)
	e, _ := res["error"].(map[string]any)
	d, _ := e["details"].(map[string]any)
	f, _ := d["fields"].(map[string]any)
	msg, _ := f[field].(string)
	if msg == "" {
		t.Errorf("%s %s: %v; want field %s named", method, path, res, field)
	}
	return msg
}

// TestFlowTransferTargets: a transfer's flow_id must be another voice flow
// of the org; a flow that is a transfer's target cannot be deleted or turned
// into an SMS flow.
func TestFlowTransferTargets(t *testing.T) {
	s := apptest.Start(t, apptest.Options{})
	sales := s.JSON("POST", "/api/flows", adminKey, map[string]any{"name": "Sales", "channel": "voice"}, 201)["id"].(string)
	texts := s.JSON("POST", "/api/flows", adminKey, map[string]any{"name": "Texts", "channel": "sms"}, 201)["id"].(string)
	_, otherKey := func() (string, string) {
		res := s.JSON("POST", "/api/admin/orgs", adminKey, map[string]any{"name": "Other"}, 201)
		return res["org_id"].(string), res["api_key"].(string)
	}()
	foreign := s.JSON("POST", "/api/flows", otherKey, map[string]any{"name": "Theirs", "channel": "voice"}, 201)["id"].(string)

	to := func(flowID string) map[string]any {
		return map[string]any{"name": "Front", "channel": "voice",
			"transfers_json": []any{map[string]any{"label": "desk", "e164": frontDesk}, map[string]any{"label": "agent", "flow_id": flowID}}}
	}
	for name, target := range map[string]string{"an sms flow": texts, "another org's flow": foreign, "no flow": "flow_nope"} {
		if msg := fieldErr(t, s, "POST", "/api/flows", to(target), "transfers_json[1].flow_id"); msg == "" {
			t.Errorf("a transfer to %s was accepted", name)
		}
	}
	front := s.JSON("POST", "/api/flows", adminKey, to(sales), 201)["id"].(string)
	fieldErr(t, s, "PATCH", "/api/flows/"+front, map[string]any{"transfers_json": []any{map[string]any{"label": "me", "flow_id": front}}},
		"transfers_json[0].flow_id")
	fieldErr(t, s, "PATCH", "/api/flows/"+front, map[string]any{"transfers_json": []any{map[string]any{"label": "txt", "flow_id": texts}}},
		"transfers_json[0].flow_id")

	// The target is in use: no delete, no channel change; other edits are fine.
	if code := errCode(t, s, "PATCH", "/api/flows/"+sales, map[string]any{"channel": "sms", "trigger_type": "message"}, 409); code != "flow_in_use" {
		t.Errorf("channel change of a transfer target = %s", code)
	}
	if code := errCode(t, s, "DELETE", "/api/flows/"+sales, nil, 409); code != "flow_in_use" {
		t.Errorf("delete of a transfer target = %s", code)
	}
	s.JSON("PATCH", "/api/flows/"+sales, adminKey, map[string]any{"greeting": "Sales here."}, 200)
	s.JSON("PATCH", "/api/flows/"+front, adminKey, map[string]any{"transfers_json": nil}, 200)
	s.JSON("PATCH", "/api/flows/"+sales, adminKey, map[string]any{"channel": "sms", "trigger_type": "message"}, 200)
	s.JSON("DELETE", "/api/flows/"+sales, adminKey, nil, 204)
	// Another org's request cannot see, let alone change, this org's flow.
	s.JSON("DELETE", "/api/flows/"+texts, otherKey, nil, 404)
}

// TestFlowReferencesBlockDeleteAndChannel: a number's flow_id (calls) or
// sms_flow_id (texts), or a campaign that has not finished, keeps a flow from
// being deleted (SPEC 1.4) or switched to the other channel.
func TestFlowReferencesBlockDeleteAndChannel(t *testing.T) {
	s := apptest.Start(t, apptest.Options{})
	n := s.AddNumber(ourNumber, 1)
	voice := s.JSON("POST", "/api/flows", adminKey, map[string]any{"name": "Calls", "channel": "voice"}, 201)["id"].(string)
	texts := s.JSON("POST", "/api/flows", adminKey, map[string]any{"name": "Texts", "channel": "sms"}, 201)["id"].(string)
	replies := s.JSON("POST", "/api/flows", adminKey, map[string]any{"name": "Replies", "channel": "sms"}, 201)["id"].(string)
	s.JSON("PATCH", "/api/numbers/"+n.ID, adminKey, map[string]any{"flow_id": voice, "sms_flow_id": texts}, 200)

	toSMS := map[string]any{"channel": "sms", "trigger_type": "message"}
	toVoice := map[string]any{"channel": "voice", "trigger_type": "call"}
	for _, c := range []struct {
		flow string
		body map[string]any
	}{{voice, toSMS}, {texts, toVoice}} {
		if code := errCode(t, s, "PATCH", "/api/flows/"+c.flow, c.body, 409); code != "flow_in_use" {
			t.Errorf("channel change of %s while a number uses it = %s", c.flow, code)
		}
		errCode(t, s, "DELETE", "/api/flows/"+c.flow, nil, 409)
	}
	if f := s.JSON("GET", "/api/flows/"+voice, adminKey, nil, 200); f["channel"] != "voice" {
		t.Errorf("refused channel change was stored: %v", f)
	}

	// A draft campaign answering replies with a flow holds it until it ends.
	camp := createCampaign(t, s, n.ID, map[string]any{"flow_id": replies, "recipients": []map[string]any{{"contact_e164": contact}}})
	if code := errCode(t, s, "DELETE", "/api/flows/"+replies, nil, 409); code != "flow_in_use" {
		t.Errorf("delete of a draft campaign's flow = %s", code)
	}
	errCode(t, s, "PATCH", "/api/flows/"+replies, toVoice, 409)
	s.JSON("POST", "/api/sms/campaigns/"+camp["id"].(string)+"/cancel", adminKey, nil, 200)
	s.JSON("DELETE", "/api/flows/"+replies, adminKey, nil, 204)

	// Unassigned, the flows are free again.
	s.JSON("PATCH", "/api/numbers/"+n.ID, adminKey, map[string]any{"flow_id": nil, "sms_flow_id": nil}, 200)
	s.JSON("PATCH", "/api/flows/"+voice, adminKey, toSMS, 200)
	s.JSON("DELETE", "/api/flows/"+texts, adminKey, nil, 204)
}
