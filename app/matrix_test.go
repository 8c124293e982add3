package app_test

import (
	"context"
	"strings"
	"testing"

	voicecall "github.com/humd/humd/actors/call"
	"github.com/humd/humd/app/apptest"
	"github.com/humd/humd/storage/sms"
	"github.com/humd/humd/transport/httpapi"
)

// TestViewerCannotWrite walks the whole route table: a viewer key gets 403 on
// every route that needs operator or admin, and the route never runs; no key
// or a wrong one gets 401 with a WWW-Authenticate challenge.
func TestViewerCannotWrite(t *testing.T) {
	s := apptest.Start(t, apptest.Options{})
	viewer := s.JSON("POST", "/api/api-keys", adminKey, map[string]any{"name": "v", "role": "viewer"}, 201)["key"].(string)
	operator := s.JSON("POST", "/api/api-keys", adminKey, map[string]any{"name": "o", "role": "operator"}, 201)["key"].(string)
	checked := 0
	for _, r := range s.App.HTTP.Routes() {
		path := pathParams.Replace(r.Path)
		switch r.Auth {
		case httpapi.OperatorUp, httpapi.AdminUp, httpapi.SiteAdmin:
			if status, body := s.Do(r.Method, path, viewer, "{}"); status != 403 {
				t.Errorf("viewer %s %s = %d %s; want 403", r.Method, r.Path, status, body)
			}
			checked++
		}
		if r.Auth == httpapi.AdminUp || r.Auth == httpapi.SiteAdmin {
			if status, body := s.Do(r.Method, path, operator, "{}"); status != 403 {
				t.Errorf("operator %s %s = %d %s; want 403", r.Method, r.Path, status, body)
			}
		}
		if r.Auth != httpapi.Public {
			// Every 401 carries its challenge (RFC 9110; MCP clients read it).
			for key, want := range map[string]string{"": `Bearer realm="humd"`,
				"hum_live_wrong": `Bearer realm="humd", error="invalid_token", error_description="the API key is unknown, revoked or expired"`} {
				status, h, _ := s.DoHeader(r.Method, path, key, "{}", nil)
				if status != 401 || h.Get("WWW-Authenticate") != want {
					t.Errorf("key %q %s %s = %d, WWW-Authenticate %q; want 401 with %s", key, r.Method, r.Path, status, h.Get("WWW-Authenticate"), want)
				}
			}
		}
	}
	if checked < 10 {
		t.Errorf("only %d write routes checked", checked)
	}
}

var pathParams = strings.NewReplacer("{id}", "x_1", "{userId}", "user_1", "{e164}", "%2B13175550100", "{token}", "tok_1",
	"{deliveryId}", "d_1", "{tag}", "t", "{noteId}", "n_1", "{callId}", "c_1")

// TestOtherOrgGets404 creates one object of every kind in org A and asks for
// it on every {param} route with org B's admin key: always 404, never the
// object. A new route with a parameter must be added to orgAObjects, or the
// test fails.
func TestOtherOrgGets404(t *testing.T) {
	s := apptest.Start(t, apptest.Options{})
	_, keyB := provision(t, s, "Org B", "bob@example.com")
	objs := orgAObjects(t, s)
	for _, r := range s.App.HTTP.Routes() {
		if !strings.Contains(r.Path, "{") || r.Auth == httpapi.Public {
			continue
		}
		path, ok := objs.path(r.Path)
		if !ok {
			t.Errorf("%s %s: no org-A object to probe with; add it to orgAObjects", r.Method, r.Path)
			continue
		}
		status, body := s.Do(r.Method, path, keyB, "{}")
		if status != 404 {
			t.Errorf("org B %s %s = %d %s; want 404", r.Method, path, status, body)
		}
	}
	// And org A still has all of it.
	s.JSON("GET", "/api/flows/"+objs.flow, adminKey, nil, 200)
	s.JSON("GET", "/api/sms/conversations/"+objs.conv, adminKey, nil, 200)
	s.JSON("GET", "/api/numbers/"+objs.number, adminKey, nil, 200)
	s.JSON("GET", "/api/contacts/"+sms.ContactID(s.OrgID(), contact), adminKey, nil, 200)
	if st, _ := s.Do("DELETE", "/api/blocklist/%2B13175550177", adminKey, nil); st != 204 {
		t.Errorf("org A unblock = %d; want 204", st)
	}
}

// matrixObjects are one object of every kind in the test server's org, by
// the route path that names it.
type matrixObjects struct {
	ids                      map[string]string
	conv, flow, number, note string
}

// orgAObjects creates them.
func orgAObjects(t *testing.T, s *apptest.Server) *matrixObjects {
	t.Helper()
	num := s.AddNumber(ourNumber, 1)
	inbound(t, s, "SM00000000000000000000000000000060", contact, "hi")
	blocked, optedOut := "+13175550177", "+13175550178"
	hook := s.JSON("POST", "/api/webhooks", adminKey, map[string]any{"url": "https://93.184.215.14/hook", "events": []string{"webhook.none"}}, 201)["id"].(string)
	crmID := s.JSON("POST", "/api/crm-connectors", adminKey, map[string]any{"name": "CRM", "base_url": "https://93.184.215.14/crm"}, 201)["id"].(string)
	kb := s.JSON("POST", "/api/knowledge", adminKey, map[string]any{"title": "Hours", "text": "Open 9-5"}, 201)["id"].(string)
	s.JSON("POST", "/api/blocklist", adminKey, map[string]any{"e164": blocked}, 201)
	s.JSON("POST", "/api/sms/opt-outs", adminKey, map[string]any{"e164": optedOut}, 201)
	conv := onlyConversation(t, s)["id"].(string)
	flow := s.JSON("POST", "/api/flows", adminKey, map[string]any{"name": "A flow"}, 201)["id"].(string)
	tr := s.JSON("POST", "/api/triggers", adminKey, map[string]any{"name": "T", "event_name": "external.t"}, 201)
	trigger := tr["id"].(string)
	key := s.JSON("POST", "/api/api-keys", adminKey, map[string]any{"name": "k", "role": "viewer"}, 201)["id"].(string)
	inv := s.JSON("POST", "/api/team/invites", adminKey, map[string]any{"email": "new@example.com", "role": "viewer"}, 201)["invite"].(map[string]any)["id"].(string)
	sched := s.JSON("POST", "/api/sms/conversations/"+conv+"/messages", adminKey,
		map[string]any{"body": "later", "send_at": "2026-12-01T10:00:00Z"}, 202)["message"].(map[string]any)["scheduled_message_id"].(string)
	admin := s.JSON("GET", "/api/me", adminKey, nil, 200)["user"].(map[string]any)["id"].(string)
	s.JSON("POST", "/api/v1/sessions", adminKey, map[string]any{"agent_id": 1}, 201)
	token := s.JSON("POST", "/sessions", adminKey, map[string]any{"street1": "x", "zip": "10001"}, 201)["data"].(map[string]any)["session_token"].(string)
	camp := s.JSON("POST", "/api/sms/campaigns", adminKey, map[string]any{"name": "C", "twilio_number_id": num.ID, "body_template": "hi",
		"recipients": []any{map[string]any{"contact_e164": contact}}}, 201)["id"].(string)

	brand := s.JSON("POST", "/api/brands", adminKey, brandBody(), 201)["id"].(string)
	call, note, vm := matrixCall(t, s)
	lookupJob := s.JSON("POST", "/api/contacts/backfill-lookup", adminKey, nil, 202)["job_id"].(string)
	mcpID, approval := matrixMCP(t, s)
	// The sandbox carrier's record of an outbound call of org A (placing a
	// real one would start a call actor the other probes would disturb).
	if _, err := s.App.Sandbox.PlaceCall(context.Background(), &voicecall.Dial{OrgID: s.OrgID(), CallID: call, From: ourNumber, To: contact,
		TwiML: "<Response><Hangup/></Response>"}); err != nil {
		t.Fatal(err)
	}

	ids := map[string]string{
		"/api/calls/{id}": call, "/api/calls/{id}/stream": call, "/api/outbound/calls/{id}": call, "/api/calls/{id}/tags": call, "/api/calls/{id}/tags/{tag}": call,
		"/api/calls/{id}/notes": call, "/api/calls/{id}/notes/{noteId}": call, "/api/voicemails/{id}": vm,
		"/api/flows/{id}/metrics": flow,
		"/api/sms/campaigns/{id}": camp, "/api/sms/campaigns/{id}/recipients": camp, "/api/sms/campaigns/{id}/launch": camp,
		"/api/sms/campaigns/{id}/pause": camp, "/api/sms/campaigns/{id}/cancel": camp,
		"/api/flows/{id}": flow, "/api/flows/{id}/duplicate": flow,
		"/api/triggers/{id}": trigger, "/api/triggers/{id}/token/rotate": trigger,
		"/api/api-keys/{id}": key, "/api/team/invites/{id}": inv, "/api/team/{userId}": admin,
		"/api/sms/scheduled/{id}": sched, "/sessions/{token}": token, "/api/triggers/in/{token}": tr["token"].(string),
		"/api/numbers/{id}": num.ID, "/api/contacts/{id}": sms.ContactID(s.OrgID(), contact),
		"/api/contacts/{id}/lookup": sms.ContactID(s.OrgID(), contact), "/api/lookup-jobs/{id}": lookupJob,
		"/api/blocklist/{e164}": blocked, "/api/knowledge/{id}": kb,
		"/api/crm-connectors/{id}": crmID, "/api/crm-connectors/{id}/rotate-secret": crmID, "/api/crm-connectors/{id}/ping": crmID,
		"/api/crm-connectors/{id}/logs": crmID,
		"/api/webhooks/{id}":            hook, "/api/webhooks/{id}/rotate-secret": hook, "/api/webhooks/{id}/test": hook,
		"/api/webhooks/{id}/deliveries": hook, "/api/webhooks/{id}/deliveries/{deliveryId}/redeliver": hook, "/api/sms/opt-outs/{e164}": optedOut,
		"/api/mcp-integrations/{id}": mcpID, "/api/mcp-integrations/{id}/test": mcpID, "/api/flows/{id}/mcp-integrations": flow,
		"/api/approvals/{id}": approval, "/api/approvals/{id}/approve": approval, "/api/approvals/{id}/deny": approval,
		"/api/brands/{id}": brand, "/api/brands/{id}/refresh": brand, "/api/sandbox/calls/{id}/answer": call,
		"/api/flows/{id}/tools": flow, "/api/flows/{id}/tools/{toolId}": flow, "/api/flows/{id}/tools/{toolId}/executions": flow,
		"/campaigns/{id}": camp, "/campaigns/{id}/action": camp, "/contacts/{id}": sms.ContactID(s.OrgID(), contact), // console (issue 20)
		"/contacts/{id}/update": sms.ContactID(s.OrgID(), contact), "/contacts/{id}/tags": sms.ContactID(s.OrgID(), contact),
		"/contacts/{id}/consent": sms.ContactID(s.OrgID(), contact), "/contacts/{id}/lookup": sms.ContactID(s.OrgID(), contact),
		// The console's pages (transport/console).
		"/inbox/{id}": conv, "/inbox/{id}/send": conv, "/inbox/{id}/update": conv, "/calls/{id}": call, "/calls/{id}/notes": call,
		"/calls/{id}/tags": call, "/calls/{id}/live": call, "/voicemails/{id}/heard": vm, "/approvals/{id}/decide": approval,
		"/console/js/{name}": "htmx.min.js",
		// The configuration pages (issue 20).
		"/flows/{id}": flow, "/flows/{id}/duplicate": flow, "/flows/{id}/delete": flow, "/flows/{id}/try": flow,
		"/flows/{id}/tools": flow, "/flows/{id}/tools/{toolId}": flow, "/flows/{id}/tools/{toolId}/test": flow, "/flows/{id}/tools/{toolId}/delete": flow,
		"/flows/rows/{kind}": "", "/numbers/{id}": num.ID, "/numbers/{id}/release": num.ID,
		"/knowledge/{id}": kb, "/knowledge/{id}/delete": kb,

		// A sandbox phone call's id is its call's.
		"/sandbox/calls/{id}/say": call, "/sandbox/calls/{id}/hangup": call,
		// The console's configuration pages (issue 20).
		"/integrations/webhooks/{id}": hook, "/integrations/webhooks/{id}/deliveries/{delivery}/redeliver": hook, "/integrations/crm/{id}": crmID,
		"/integrations/triggers/{id}": trigger, "/integrations/mcp/{id}": mcpID, "/integrations/brands/{id}/refresh": brand,
		"/team/invites/{id}/revoke": inv, "/team/members/{id}": admin, "/team/keys/{id}/revoke": key,
	}
	return &matrixObjects{ids: ids, conv: conv, flow: flow, number: num.ID, note: note}
}

// path fills route's parameters with the object it names; false when there
// is none to name.
func (o *matrixObjects) path(route string) (string, bool) {
	id, ok := o.ids[route]
	if strings.HasPrefix(route, "/api/sms/conversations/{id}") {
		id, ok = o.conv, true
	}
	if strings.HasPrefix(route, "/api/v1/sessions/{id}") || route == "/api/v1/agents/{id}" {
		id, ok = "1", true // org B has no session or agent 1; org A does
	}
	if !ok && strings.Contains(route, "{") {
		return "", false
	}
	return strings.NewReplacer("{id}", id, "{userId}", id, "{e164}", strings.ReplaceAll(id, "+", "%2B"), "{token}", id,
		"{noteId}", o.note, "{tag}", "t", "{name}", id).Replace(route), true
}
