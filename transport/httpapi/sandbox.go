package httpapi

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/url"

	"github.com/humd/humd/actors/call"
	"github.com/humd/humd/actors/conversation"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/calls"
	"github.com/humd/humd/storage/phone"
	"github.com/humd/humd/storage/sms"
	"github.com/humd/humd/transport/sandbox"
)

// One sandbox serves every org of a humd, so everything here is scoped to
// the caller's org: its numbers, its sends, its calls. The sandbox's webhook
// token signs /twilio/* for every org, so only site admins see it; an org
// member who plays Twilio for a call (humd sandbox call) gets that call's
// own token instead (sandboxCallToken).

// SandboxState is what GET /api/sandbox shows the caller's org.
type SandboxState struct {
	// WebhookToken signs every /twilio/* webhook, of every org (load testers
	// sign with it): shown to site admins only.
	WebhookToken string `json:"webhook_token,omitempty"`
	// Numbers are the sandbox's numbers registered to the org.
	Numbers []string         `json:"numbers"`
	Sent    []sandbox.Record `json:"sent"`
	// Calls are the org's outbound calls the sandbox carrier took, with the
	// TwiML a callee would run (humd sandbox call --answer plays it).
	Calls []sandbox.PlacedCall `json:"calls"`
}

// SandboxCall is one sandbox call an org member plays Twilio for: an inbound
// call to inject (POST /api/sandbox/calls) or an outbound call to answer.
// CallToken signs this call's voice webhooks and relay socket, nothing else.
type SandboxCall struct {
	CallSID        string `json:"call_sid"`
	CallID         string `json:"call_id"`
	From           string `json:"from"`
	To             string `json:"to"`
	TwiML          string `json:"twiml,omitempty"`
	StatusCallback string `json:"status_callback,omitempty"`
	CallToken      string `json:"call_token"`
}

// sandboxLogLimit bounds the sends and calls GET /api/sandbox answers.
const sandboxLogLimit = 100

func (s *Server) sandboxRoutes() []*Route {
	callAnswer := func(outbound bool) Schema {
		req := []string{"call_sid", "call_id", "from", "to", "call_token"}
		if outbound {
			req = append(req, "twiml")
		}
		return obj(req, map[string]Schema{"call_sid": str(), "call_id": str(), "from": str(), "to": str(), "twiml": str(),
			"status_callback": str(), "call_token": str()})
	}
	return []*Route{
		{Method: "GET", Path: "/api/sandbox", OpID: "sandboxState", Summary: "The org's sandbox numbers, sent texts and placed calls (the webhook token for site admins)", Tag: "Sandbox", Auth: ViewerUp,
			Schemas: map[int]Schema{200: obj([]string{"numbers", "sent", "calls"}, map[string]Schema{"webhook_token": str(),
				"numbers": arr(str()), "sent": arr(sandboxSent), "calls": arr(sandboxCall)})}, Handle: s.sandboxState},
		{Method: "POST", Path: "/api/sandbox/calls", OpID: "sandboxInboundCall", Summary: "Start an inbound call to a number of the org (sandbox mode): a CallSid and the call's webhook token", Tag: "Sandbox", Auth: OperatorUp,
			RequestSchema: strict(obj([]string{"from", "to"}, map[string]Schema{"from": str(), "to": str()})),
			Schemas:       map[int]Schema{200: callAnswer(false)}, Handle: s.sandboxInboundCall},
		{Method: "POST", Path: "/api/sandbox/calls/{id}/answer", OpID: "sandboxAnswerCall", Summary: "Answer an outbound call of the org the sandbox carrier placed: its TwiML and the call's webhook token", Tag: "Sandbox", Auth: OperatorUp,
			Schemas: map[int]Schema{200: callAnswer(true)}, Handle: s.sandboxAnswerCall},
	}
}

func errNotSandbox() error {
	return storage.Conflict("not_sandbox", "humd runs with Twilio credentials; there is no sandbox")
}

func (s *Server) sandboxState(c *Call) error {
	sb := s.deps.SandboxCarrier
	if !s.deps.Sandbox || sb == nil {
		return errNotSandbox()
	}
	org := c.Principal.OrgID
	st := &SandboxState{Numbers: []string{}, Sent: sb.SentBy(org, sandboxLogLimit), Calls: sb.CallsOf(org, sandboxLogLimit)}
	if c.Principal.SiteAdmin {
		st.WebhookToken = s.deps.TwilioAuthToken
	}
	for _, e := range sb.Numbers() {
		n, err := sms.NumberByE164(s.deps.Store, e)
		if errors.Is(err, storage.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		if n.OrgID == org {
			st.Numbers = append(st.Numbers, e)
		}
	}
	return c.JSON(200, st)
}

// orgNumber checks that e164 is a number of org, as a 422 on field.
func (s *Server) orgNumber(org, field, e164 string) error {
	n, err := sms.NumberByE164(s.deps.Store, e164)
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return err
	}
	if err != nil || n.OrgID != org {
		return storage.Invalid(field, "not a number of this org")
	}
	return nil
}

func (s *Server) sandboxInbound(c *Call) error {
	if !s.deps.Sandbox {
		return storage.Conflict("not_sandbox", "inbound injection exists only in sandbox mode (no Twilio credentials)")
	}
	var req struct {
		From string `json:"from"`
		To   string `json:"to"`
		Body string `json:"body"`
	}
	if err := storage.DecodeStrict(c.Body(), &req); err != nil {
		return err
	}
	v := &storage.ValidationError{}
	if req.From == "" || len(req.From) > 20 {
		v.Add("from", "required: an E.164 number, short code or sender id")
	}
	phone.Check(v, "to", req.To)
	if len(req.Body) > 1600 {
		v.Add("body", "at most 1600 characters")
	}
	if err := v.Err(); err != nil {
		return err
	}
	if err := s.orgNumber(c.Principal.OrgID, "to", req.To); err != nil {
		return err
	}
	res, err := s.ingest(&conversation.Inbound{SID: randomSID("SM"), From: req.From, To: req.To, Body: req.Body, NumSegments: 1})
	if err != nil {
		return err
	}
	return c.JSON(201, map[string]any{"message": res.Message, "keyword": res.Keyword})
}

// sandboxInboundCall mints the CallSid of an inbound call to one of the
// org's numbers and the token that signs its webhooks; the caller then
// plays Twilio over the wire (POST /twilio/voice, the relay socket, the
// status callback), as humd sandbox call does. Nothing is stored until that
// webhook arrives.
func (s *Server) sandboxInboundCall(c *Call) error {
	if !s.deps.Sandbox {
		return errNotSandbox()
	}
	var req struct {
		From string `json:"from"`
		To   string `json:"to"`
	}
	if err := storage.DecodeStrict(c.Body(), &req); err != nil {
		return err
	}
	v := &storage.ValidationError{}
	phone.Check(v, "from", req.From)
	phone.Check(v, "to", req.To)
	if err := v.Err(); err != nil {
		return err
	}
	org := c.Principal.OrgID
	if err := s.orgNumber(org, "to", req.To); err != nil {
		return err
	}
	sid := randomSID("CA")
	id := call.IDForSID(sid)
	return c.JSON(200, &SandboxCall{CallSID: sid, CallID: id, From: req.From, To: req.To, CallToken: s.sandboxCallToken(org, id)})
}

// sandboxAnswerCall hands the callee's side of an outbound call to the org
// that placed it; another org's call is a 404, like one that never was.
func (s *Server) sandboxAnswerCall(c *Call) error {
	if !s.deps.Sandbox || s.deps.SandboxCarrier == nil {
		return errNotSandbox()
	}
	org := c.Principal.OrgID
	pc, err := s.deps.SandboxCarrier.CallOf(org, c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(200, &SandboxCall{CallSID: pc.SID, CallID: pc.CallID, From: pc.From, To: pc.To, TwiML: pc.TwiML,
		StatusCallback: pc.StatusCallback, CallToken: s.sandboxCallToken(org, pc.CallID)})
}

// sandboxCallToken is the webhook token of one sandbox call: an HMAC of its
// org and id under the sandbox's token, so it signs that call's webhooks and
// socket only and humd keeps no state for it.
func (s *Server) sandboxCallToken(org, callID string) string {
	mac := hmac.New(sha256.New, []byte(s.deps.TwilioAuthToken))
	mac.Write([]byte("humd sandbox call\x00" + org + "\x00" + callID))
	return hex.EncodeToString(mac.Sum(nil))[:32]
}

// checkVoiceHook is checkTwilio for the voice webhooks. In sandbox mode a
// signature made with the token of the call the webhook is about passes too:
// the call /twilio/voice rings (ring: its CallSid's id, in the org of the To
// number) or the call a callback resolves to.
func (s *Server) checkVoiceHook(c *Call, ring bool) error {
	err := s.checkTwilio(c.Ctx)
	if err == nil || !s.deps.Sandbox || s.deps.TwilioAuthToken == "" {
		return err
	}
	var org, id string
	if ring {
		f := c.Ctx.PostArgs()
		sid := string(f.Peek("CallSid"))
		n, nerr := sms.NumberByE164(s.deps.Store, string(f.Peek("To")))
		if sid == "" || nerr != nil {
			return errBadSignature
		}
		org, id = n.OrgID, call.IDForSID(sid)
	} else {
		var ok bool
		if id, err = s.callbackID(c); err != nil {
			return errBadSignature
		}
		if org, ok = s.callOrg(id); !ok {
			return errBadSignature
		}
	}
	if !signedWith(c.Ctx, s.sandboxCallToken(org, id), s.deps.PublicURL) {
		return errBadSignature
	}
	return nil
}

func (s *Server) callOrg(id string) (string, bool) {
	v, err := s.deps.Store.Get(calls.KeyCallOrg(id))
	if err != nil || len(v) == 0 {
		return "", false
	}
	return string(v), true
}

// sandboxRelayURL is the relay URL of a call in sandbox mode: it names the
// call, so the signature of a call token opens that call's socket only.
// With Twilio the URL stays bare, as Twilio's examples have it.
func (s *Server) sandboxRelayURL(base, callID string) string {
	if !s.deps.Sandbox {
		return base
	}
	return base + "?" + url.Values{"call_id": {callID}}.Encode()
}

// relaySignedByCall reports whether, in sandbox mode, the upgrade of the
// call's relay URL is signed with that call's token.
func (s *Server) relaySignedByCall(target, sig, callID string) bool {
	if !s.deps.Sandbox || s.deps.TwilioAuthToken == "" || callID == "" || sig == "" {
		return false
	}
	org, ok := s.callOrg(callID)
	if !ok {
		return false
	}
	return validRelay(s.sandboxCallToken(org, callID), target, sig)
}
