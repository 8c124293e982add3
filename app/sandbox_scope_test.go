package app_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/humd/humd/app/apptest"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/sms"
	"github.com/humd/humd/transport/relay"
	"github.com/humd/humd/transport/relay/relayclient"
	"github.com/humd/humd/transport/sandbox"
)

// twoSandboxOrgs is a seeded sandbox humd whose bootstrap org A texted a
// contact and placed an outbound call, and a second org B with a number of
// its own and an admin key.
type twoSandboxOrgs struct {
	s                  *apptest.Server
	bKey, bNumber      string
	aText, aCall, aSID string
}

const secretText = "Your door code is 4471"

func startTwoSandboxOrgs(t *testing.T) *twoSandboxOrgs {
	t.Helper()
	s := apptest.Start(t, apptest.Options{Seed: true})
	o := &twoSandboxOrgs{s: s, bNumber: "+13175550177", aText: secretText}
	res := s.JSON("POST", "/api/sandbox/inbound", adminKey, map[string]any{"from": contact, "to": ourNumber, "body": "hi"}, 201)
	conv := res["message"].(map[string]any)["conversation_id"].(string)
	s.JSON("POST", "/api/sms/conversations/"+conv+"/messages", adminKey, map[string]any{"body": secretText}, 201)
	o.aCall = s.JSON("POST", "/api/outbound/calls", adminKey, map[string]any{"flow_id": s.App.Seeded.VoiceFlow.ID,
		"to": "+13175550142", "honor_business_hours": false}, 202)["call_id"].(string)
	s.WaitFor("the text and the call in the carrier's log", func() error {
		calls := s.App.Sandbox.Calls()
		if len(calls) != 1 || !slices.ContainsFunc(s.App.Sandbox.Sent(), func(r sandbox.Record) bool { return r.Body == secretText }) {
			return fmt.Errorf("%d calls, sends %v", len(calls), s.App.Sandbox.Sent())
		}
		o.aSID = calls[0].SID
		return nil
	})

	created := s.JSON("POST", "/api/admin/orgs", adminKey, map[string]any{"name": "Org B", "owner_email": "b@example.com"}, 201)
	o.bKey = created["api_key"].(string)
	if _, err := s.App.Sandbox.Buy(o.bNumber); err != nil {
		t.Fatal(err)
	}
	now := s.Clock.Now()
	s.PutNumber(&sms.Number{ID: storage.NewID("num"), OrgID: created["org_id"].(string), E164: o.bNumber, FriendlyName: "B",
		SMSEnabled: true, MPS: 1, Capabilities: sms.Capabilities{Voice: true, SMS: true}, Provider: "sandbox", CreatedAt: now, UpdatedAt: now})
	return o
}

// leaks names what of org A's a raw answer shows.
func (o *twoSandboxOrgs) leaks(raw string) []string {
	var out []string
	for what, v := range map[string]string{"A's number": ourNumber, "A's text": o.aText, "A's call": o.aCall, "A's CallSid": o.aSID,
		"the webhook token": o.s.App.SandboxToken} {
		if strings.Contains(raw, v) {
			out = append(out, what)
		}
	}
	return out
}

// refused reports whether an answer handed over nothing of a call: no
// TwiML, no call token, no webhook token.
func (o *twoSandboxOrgs) refused(raw string) bool {
	return !strings.Contains(raw, "twiml") && !strings.Contains(raw, "call_token") && !strings.Contains(raw, o.s.App.SandboxToken)
}

// TestSandboxStateIsOrgScoped: GET /api/sandbox shows an org its own
// numbers, texts and calls only, and the token that signs /twilio/* for
// every org to site admins only.
func TestSandboxStateIsOrgScoped(t *testing.T) {
	o := startTwoSandboxOrgs(t)
	s := o.s
	st, raw := s.Do("GET", "/api/sandbox", o.bKey, nil)
	var b struct {
		Numbers []string `json:"numbers"`
		Sent    []any    `json:"sent"`
		Calls   []any    `json:"calls"`
	}
	if err := json.Unmarshal(raw, &b); st != 200 || err != nil {
		t.Fatalf("org B's sandbox state = %d %s", st, raw)
	}
	if leaks := o.leaks(string(raw)); len(leaks) != 0 || strings.Contains(string(raw), "webhook_token") {
		t.Errorf("org B's admin sees %v of org A (or a token): %s", leaks, raw)
	}
	if !slices.Equal(b.Numbers, []string{o.bNumber}) || len(b.Sent) != 0 || len(b.Calls) != 0 {
		t.Errorf("org B's sandbox state = %+v; want its own number and nothing else", b)
	}

	// Org A's members see A's traffic; an operator or viewer not the token.
	for _, role := range []string{"operator", "viewer"} {
		key := s.JSON("POST", "/api/api-keys", adminKey, map[string]any{"name": role, "role": role}, 201)["key"].(string)
		a := s.JSON("GET", "/api/sandbox", key, nil, 200)
		calls := a["calls"].([]any)
		if _, has := a["webhook_token"]; has || len(calls) != 1 || calls[0].(map[string]any)["call_id"] != o.aCall ||
			!strings.Contains(fmt.Sprint(a["sent"]), secretText) || !slices.Contains(a["numbers"].([]any), any(ourNumber)) {
			t.Errorf("org A's %s sees %v; want A's number, text and call and no token", role, a)
		}
	}
	// The site admin sees the token.
	if a := s.JSON("GET", "/api/sandbox", adminKey, nil, 200); a["webhook_token"] != s.App.SandboxToken {
		t.Errorf("site admin's sandbox state has webhook_token %v; want the sandbox's", a["webhook_token"])
	}
}

// TestSandboxAnswerIsOrgScoped: answering an outbound sandbox call (what
// `humd sandbox call --answer` does) is a 404 for another org, by call id or
// CallSid alike, and the call token an org gets opens that call only.
func TestSandboxAnswerIsOrgScoped(t *testing.T) {
	o := startTwoSandboxOrgs(t)
	s := o.s
	for _, id := range []string{o.aCall, o.aSID} {
		if st, raw := s.Do("POST", "/api/sandbox/calls/"+id+"/answer", o.bKey, nil); st != 404 || !o.refused(string(raw)) {
			t.Errorf("org B answering org A's call %s = %d %s; want a bare 404", id, st, raw)
		}
	}
	if st, _ := s.Do("POST", "/api/sandbox/calls", o.bKey, map[string]any{"from": contact, "to": ourNumber}); st != 422 {
		t.Errorf("org B calling org A's number = %d; want 422", st)
	}

	op := s.JSON("POST", "/api/api-keys", adminKey, map[string]any{"name": "op", "role": "operator"}, 201)["key"].(string)
	a := s.JSON("POST", "/api/sandbox/calls/"+o.aCall+"/answer", op, nil, 200)
	if a["call_sid"] != o.aSID || a["call_id"] != o.aCall || !strings.Contains(a["twiml"].(string), o.aCall) || a["call_token"] == s.App.SandboxToken {
		t.Fatalf("org A's operator answering = %v", a)
	}
	aToken := a["call_token"].(string)
	bToken := s.JSON("POST", "/api/sandbox/calls", o.bKey, map[string]any{"from": contact, "to": o.bNumber}, 200)["call_token"].(string)

	// B's call token signs nothing of A's: not A's relay socket, not a
	// callback of A's call.
	relayURL := relay.WSURL(s.PublicURL) + "?call_id=" + url.QueryEscape(o.aCall)
	wsURL := relay.WSURL(s.URL) + "?call_id=" + url.QueryEscape(o.aCall)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if c, err := relayclient.Dial(ctx, relayclient.Options{URL: wsURL, SignURL: relayURL, AuthToken: bToken}); err == nil {
		c.Close()
		t.Error("org B's call token opened org A's relay socket")
	}
	status := url.Values{"CallSid": {o.aSID}, "CallStatus": {"completed"}, "From": {ourNumber}, "To": {"+13175550142"}}
	if st, _ := s.PostTwilio("/twilio/voice/status?call_id="+o.aCall, bToken, status, ""); st != 403 {
		t.Errorf("org A's status callback signed with org B's call token = %d; want 403", st)
	}
	// A's own token opens A's socket.
	c, err := relayclient.Dial(ctx, relayclient.Options{URL: wsURL, SignURL: relayURL, AuthToken: aToken})
	if err != nil {
		t.Fatalf("org A's call token on its own relay socket: %v", err)
	}
	c.Close()

	// An inbound call token rings the number it was made for only.
	in := s.JSON("POST", "/api/sandbox/calls", op, map[string]any{"from": contact, "to": ourNumber}, 200)
	ring := func(to string) int {
		st, _ := s.PostTwilio("/twilio/voice", in["call_token"].(string), url.Values{"CallSid": {in["call_sid"].(string)},
			"From": {contact}, "To": {to}, "CallStatus": {"ringing"}}, "")
		return st
	}
	if st := ring(o.bNumber); st != 403 {
		t.Errorf("org A's call token ringing org B's number = %d; want 403", st)
	}
	if st := ring(ourNumber); st != 200 {
		t.Errorf("org A's call token ringing its own number = %d; want 200", st)
	}

	// A socket opened for one call cannot attach to another: setup naming
	// the ringing inbound call on the outbound call's URL is hung up.
	c, err = relayclient.Dial(ctx, relayclient.Options{URL: wsURL, SignURL: relayURL, AuthToken: aToken})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Setup(relay.Setup{CallSID: in["call_sid"].(string), From: contact, To: ourNumber, Direction: "inbound",
		CustomParameters: map[string]string{"call_id": in["call_id"].(string)}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ReadFrame(ctx); !errors.Is(err, relayclient.ErrClosed) {
		t.Errorf("setup of another call on a call's socket: ReadFrame = %v; want the socket closed", err)
	}
}

// TestSandboxScopedThroughMCP: /mcp runs operations through the same
// handler chain, so org B's admin sees no more there.
func TestSandboxScopedThroughMCP(t *testing.T) {
	o := startTwoSandboxOrgs(t)
	cs := mcpSession(t, o.s, o.bKey, "authorization")
	res, out := call(t, cs, "execute_operation", map[string]any{"operation_id": "sandboxState"})
	raw, _ := json.Marshal(out)
	body, _ := out["body"].(map[string]any)
	if res.IsError || out["status"] != 200.0 || len(o.leaks(string(raw))) != 0 || body["webhook_token"] != nil ||
		len(body["sent"].([]any)) != 0 || len(body["calls"].([]any)) != 0 {
		t.Errorf("org B's sandboxState through /mcp = %v %s; want B's own (empty) log", res.IsError, raw)
	}
	res, out = call(t, cs, "execute_operation", map[string]any{"operation_id": "sandboxAnswerCall", "confirm": true,
		"path_params": map[string]any{"id": o.aCall}})
	if raw, _ := json.Marshal(out); !res.IsError || out["status"] != 404.0 || !o.refused(string(raw)) {
		t.Errorf("org B's sandboxAnswerCall of org A's call through /mcp = %v %s; want a 404", res.IsError, raw)
	}
}
