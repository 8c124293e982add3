package app_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	callactor "github.com/humd/humd/actors/call"
	"github.com/humd/humd/app/apptest"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/campaigns"
	"github.com/humd/humd/storage/events"
	"github.com/humd/humd/storage/sms"
)

// TestOutboundCallRefusesOptedOut: the opt-out list is the do-not-call list
// too. An outbound call to an opted-out contact, through the API or a
// trigger, is refused (409 opted_out, trigger reason opted_out) before
// anything is stored or dialled, as a text to them is.
func TestOutboundCallRefusesOptedOut(t *testing.T) {
	s, _, flowID := voiceServer(t, nil)
	const to = "+13175550142"
	s.JSON("POST", "/api/sms/opt-outs", adminKey, map[string]any{"e164": to}, 201)
	if code := errCode(t, s, "POST", "/api/outbound/calls", map[string]any{"flow_id": flowID, "to": to}, 409); code != "opted_out" {
		t.Errorf("call to an opted-out contact: code %s; want opted_out", code)
	}
	// honor_business_hours:false does not lift consent.
	if code := errCode(t, s, "POST", "/api/outbound/calls", map[string]any{"flow_id": flowID, "to": to, "honor_business_hours": false}, 409); code != "opted_out" {
		t.Errorf("call with honor_business_hours false: code %s; want opted_out", code)
	}

	ev := s.JSON("POST", "/api/flows", adminKey, map[string]any{"name": "Caller", "channel": "voice", "kind": "outbound",
		"trigger_type": "event", "trigger_events": []string{"external.order_paid"}}, 201)["id"].(string)
	tr := s.JSON("POST", "/api/triggers", adminKey, map[string]any{"name": "Orders", "event_name": "external.order_paid"}, 201)
	runs := s.JSON("POST", fireURL(t, s, tr), "", map[string]any{"to": to}, 202)["runs"].([]any)
	if len(runs) != 1 || runs[0].(map[string]any)["flow_id"] != ev || runs[0].(map[string]any)["action"] != "skipped" ||
		runs[0].(map[string]any)["reason"] != "opted_out" {
		t.Errorf("trigger runs = %v; want the call skipped, opted_out", runs)
	}

	// The call actor asks too: it is the one path every placed call takes
	// (a campaign of calls would as well).
	numberID := numberByE164(t, s, ourNumber)
	res, err := s.App.Calls.Request(storage.NewID("call"), &callactor.Place{OrgID: s.OrgID(), FlowID: flowID, NumberID: numberID,
		From: ourNumber, To: to}, 5*time.Second).Result()
	if e, ok := res.(error); err != nil || !ok || !errors.Is(e, callactor.ErrOptedOut) {
		t.Errorf("Place to an opted-out contact = %v, %v; want callactor.ErrOptedOut", res, err)
	}

	if n := len(s.App.Sandbox.Calls()); n != 0 {
		t.Errorf("%d calls dialled to an opted-out contact", n)
	}
	if cs := s.JSON("GET", "/api/calls", adminKey, nil, 200)["data"].([]any); len(cs) != 0 {
		t.Errorf("calls stored = %v; want none", cs)
	}
	// Opted back in, the same call goes out.
	s.JSON("DELETE", "/api/sms/opt-outs/"+strings.ReplaceAll(to, "+", "%2B"), adminKey, nil, 204)
	s.JSON("POST", "/api/outbound/calls", adminKey, map[string]any{"flow_id": flowID, "to": to, "honor_business_hours": false}, 202)
}

// TestVoiceOptOutTool: a caller who asks on a call not to be contacted is
// opted out by the agent's opt_out tool (offered by default): an org-wide
// opt-out with source call and sms.opt_out, their pending scheduled texts
// cancelled, no confirmation text (the spoken one is the one the rule
// allows), and the next text and call to them refused.
func TestVoiceOptOutTool(t *testing.T) {
	s, fake, flowID := voiceServer(t, nil)
	n := numberByE164(t, s, ourNumber)
	// A reminder scheduled before the call.
	at := s.Clock.Now().Add(48 * time.Hour).UTC().Format(time.RFC3339)
	conv := s.JSON("POST", "/api/sms/conversations", adminKey, map[string]any{"twilio_number_id": n, "contact_e164": contact,
		"initial_message": map[string]any{"body": "See you Friday", "send_at": at}}, 201)["id"].(string)

	c := dial(t, s, contact, "")
	fake.ReplyToolCall("opt_out", `{"reason":"asked not to be called or texted again"}`)
	fake.ReplyText("Understood. You won't hear from us again.")
	if err := c.Conn.Prompt("Please don't ever call or text me again."); err != nil {
		t.Fatal(err)
	}
	if text, _ := reply(t, c); text != "Understood. You won't hear from us again." {
		t.Errorf("reply = %q", text)
	}
	reqs := fake.Requests()
	if names := toolNames(reqs[len(reqs)-2]); !slices.Contains(names, "opt_out") {
		t.Errorf("inbound call tools = %v; want opt_out offered", names)
	}
	if out := lastOutput(t, lastRequest(t, fake)); !strings.Contains(out, `"status":"opted_out"`) {
		t.Errorf("tool output = %s", out)
	}

	oo := s.JSON("GET", "/api/sms/opt-outs", adminKey, nil, 200)["data"].([]any)
	if len(oo) != 1 || oo[0].(map[string]any)["e164"] != contact || oo[0].(map[string]any)["source"] != "call" {
		t.Fatalf("opt-outs = %v; want the caller, source call", oo)
	}
	var got []map[string]any
	for _, e := range s.Events() {
		if e.Type == events.OptOut {
			var d map[string]any
			if err := apptest.Decode(e.Data, &d); err != nil {
				t.Fatal(err)
			}
			got = append(got, d)
		}
	}
	if len(got) != 1 || got[0]["source"] != "call" || got[0]["e164"] != contact || got[0]["call_id"] != c.TwiML.Parameters["call_id"] {
		t.Errorf("sms.opt_out events = %v; want one from the call", got)
	}
	s.WaitFor("the scheduled text cancelled", func() error {
		sc := s.JSON("GET", "/api/sms/scheduled?status=all", adminKey, nil, 200)["data"].([]any)
		if len(sc) != 1 || sc[0].(map[string]any)["status"] != "cancelled" || sc[0].(map[string]any)["reason"] != "opted_out" {
			return fmt.Errorf("scheduled = %v", sc)
		}
		return nil
	})

	// The next text is not sent, nor is a call placed.
	res := s.JSON("POST", "/api/sms/conversations/"+conv+"/messages", adminKey, map[string]any{"body": "One more offer!"}, 200)
	if st := res["message"].(map[string]any)["status"]; st != "opted_out" {
		t.Errorf("text after the call's opt-out: status %v; want opted_out", st)
	}
	if code := errCode(t, s, "POST", "/api/outbound/calls", map[string]any{"flow_id": flowID, "to": contact, "honor_business_hours": false}, 409); code != "opted_out" {
		t.Errorf("call after the call's opt-out: code %s; want opted_out", code)
	}
	s.Settle("no text at the carrier", func() error {
		if sent := s.App.Sandbox.Sent(); len(sent) != 0 {
			return fmt.Errorf("texts sent: %v", sent)
		}
		return nil
	})
}

// TestCampaignHoldsSuspectedOptOut: while a contact's text reads like a
// request to stop, campaigns skip them (recipient skipped, message held,
// nothing sent) and the other recipients are texted; once a person resumes
// the AI on the thread the contact is texted again.
func TestCampaignHoldsSuspectedOptOut(t *testing.T) {
	s := apptest.Start(t, apptest.Options{})
	n := s.AddNumber(ourNumber, 100)
	inbound(t, s, "SM00000000000000000000000000009901", contact, "please stop texting me")
	conv := onlyConversation(t, s)
	if conv["ai_paused"] != true || conv["ai_paused_reason"] != "opt_out_suspected" {
		t.Fatalf("thread = %v; want the AI paused for the suspected opt-out", conv)
	}
	if msgs := s.Messages(conv["id"].(string)); len(msgs) != 1 || msgs[0]["opt_out_suspected"] != true {
		t.Errorf("messages = %v; want the text flagged", msgs)
	}
	const other = "+13175550101"
	launch := func() string {
		id := createCampaign(t, s, n.ID, map[string]any{"body_template": "Big sale", "recipients": []map[string]any{
			{"contact_e164": contact}, {"contact_e164": other}}})["id"].(string)
		s.JSON("POST", "/api/sms/campaigns/"+id+"/launch", adminKey, nil, 200)
		s.WaitFor("the campaign to finish", func() error {
			s.Clock.Advance(2 * time.Second)
			if c := s.JSON("GET", "/api/sms/campaigns/"+id, adminKey, nil, 200); c["status"] != "completed" {
				return fmt.Errorf("status %v", c["status"])
			}
			return nil
		})
		return id
	}
	id := launch()
	rows := map[string]map[string]any{}
	for _, r := range s.JSON("GET", "/api/sms/campaigns/"+id+"/recipients", adminKey, nil, 200)["data"].([]any) {
		rows[r.(map[string]any)["contact_e164"].(string)] = r.(map[string]any)
	}
	if r := rows[contact]; r["status"] != campaigns.RSkipped || !strings.Contains(fmt.Sprint(r["error"]), "opt_out_suspected") {
		t.Errorf("suspected recipient = %v; want skipped, opt_out_suspected", r)
	}
	if r := rows[other]; r["status"] != campaigns.RSent && r["status"] != campaigns.RDelivered {
		t.Errorf("other recipient = %v; want sent", r)
	}
	msgs := s.Messages(conv["id"].(string))
	if last := msgs[len(msgs)-1]; last["status"] != sms.MsgHeld || last["body"] != "Big sale" {
		t.Errorf("thread's last message = %v; want the campaign text held", last)
	}
	waitSandbox(t, s, 1)
	if sent := s.App.Sandbox.Sent(); sent[0].To != other {
		t.Errorf("texted %s; want only %s", sent[0].To, other)
	}

	// A person reads the thread and resumes the AI: no longer held.
	s.JSON("PATCH", "/api/sms/conversations/"+conv["id"].(string), adminKey, map[string]any{"ai_paused": false}, 200)
	launch()
	waitSandbox(t, s, 3)
}

// numberByE164 answers the id of one of the org's numbers.
func numberByE164(t *testing.T, s *apptest.Server, e164 string) string {
	t.Helper()
	for _, n := range s.JSON("GET", "/api/numbers", adminKey, nil, 200)["data"].([]any) {
		if n := n.(map[string]any); n["e164"] == e164 {
			return n["id"].(string)
		}
	}
	t.Fatalf("no number %s", e164)
	return ""
}
