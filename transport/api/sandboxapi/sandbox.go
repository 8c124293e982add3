package sandboxapi

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/humd/humd/actors/service"
	"github.com/humd/humd/actors/service/smssvc"

	"github.com/humd/humd/actors/call"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/phone"
	"github.com/humd/humd/storage/sms"
	"github.com/humd/humd/storage/tenancy"
	"github.com/humd/humd/transport/httpapi"
	"github.com/humd/humd/transport/sandbox"
	"github.com/humd/humd/transport/wire"
)

// Deps are what the sandbox routes use.
type Deps struct {
	// Svc is the front door (actors/service): handlers call its typed
	// operations rather than storage writers or actor doors.
	Svc   *service.Service
	Store storage.Store
	// Sandbox is set in sandbox mode; Carrier is then the sandbox carrier
	// and WebhookToken the token that signs every /twilio/* webhook.
	Sandbox      bool
	Carrier      *sandbox.Carrier
	WebhookToken string
}

// API serves the sandbox routes.
type API struct{ d Deps }

// New builds the sandbox area.
func New(d Deps) *API { return &API{d: d} }

// State is what GET /api/sandbox shows the caller's org.
type State struct {
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

// Call is one sandbox call an org member plays Twilio for: an inbound
// call to inject (POST /api/sandbox/calls) or an outbound call to answer.
// CallToken signs this call's voice webhooks and relay socket, nothing else.
type Call struct {
	CallSID        string `json:"call_sid"`
	CallID         string `json:"call_id"`
	From           string `json:"from"`
	To             string `json:"to"`
	TwiML          string `json:"twiml,omitempty"`
	StatusCallback string `json:"status_callback,omitempty"`
	CallToken      string `json:"call_token"`
}

// AnsweredCall is an outbound call to answer: always with its TwiML.
type AnsweredCall struct {
	Call
	TwiML string `json:"twiml"`
}

// Injected answers an injected text (smssvc.InjectText).
type Injected = smssvc.Injected

type (
	inboundRequest struct {
		From string `json:"from"`
		To   string `json:"to"`
		Body string `json:"body" jsonschema:"minLength=0,maxLength=1600"`
	}
	inboundCallRequest struct {
		From string `json:"from"`
		To   string `json:"to"`
	}
)

func init() {
	httpapi.Extend[sandbox.Record](func(s httpapi.Schema) {
		httpapi.SetProp(s, "media_urls", httpapi.Nullable(httpapi.Arr(httpapi.Str())))
	})
}

// sandboxLogLimit bounds the sends and calls GET /api/sandbox answers.
const sandboxLogLimit = 100

// Routes lists the sandbox routes.
func (a *API) Routes() []*httpapi.Route {
	return []*httpapi.Route{
		{Method: "GET", Path: "/api/sandbox", OpID: "sandboxState", Summary: "The org's sandbox numbers, sent texts and placed calls (the webhook token for site admins)", Tag: "Sandbox", Auth: httpapi.ViewerUp,
			Responses: httpapi.Answer[State](200), Handle: a.state},
		{Method: "POST", Path: "/api/sandbox/calls", OpID: "sandboxInboundCall", Summary: "Start an inbound call to a number of the org (sandbox mode): a CallSid and the call's webhook token", Tag: "Sandbox", Auth: httpapi.OperatorUp,
			Request: httpapi.Type[inboundCallRequest](), Responses: httpapi.Answer[Call](200), Handle: a.inboundCall},
		{Method: "POST", Path: "/api/sandbox/calls/{id}/answer", OpID: "sandboxAnswerCall", Summary: "Answer an outbound call of the org the sandbox carrier placed: its TwiML and the call's webhook token", Tag: "Sandbox", Auth: httpapi.OperatorUp,
			Responses: httpapi.Answer[AnsweredCall](200), Handle: a.answerCall},
		{Method: "POST", Path: "/api/sandbox/inbound", OpID: "sandboxInbound", Summary: "Inject an inbound text (sandbox mode)", Tag: "Sandbox", Auth: httpapi.OperatorUp,
			Request: httpapi.Type[inboundRequest](), Responses: httpapi.Answer[Injected](201), Handle: a.inbound},
	}
}

func errNotSandbox() error {
	return storage.Conflict("not_sandbox", "humd runs with Twilio credentials; there is no sandbox")
}

func (a *API) state(c *httpapi.Call) error {
	st, err := a.State(c.Principal)
	if err != nil {
		return err
	}
	return c.JSON(200, st)
}

// Enabled reports sandbox mode (the console shows its sandbox phone then).
func (a *API) Enabled() bool { return a != nil && a.d.Sandbox && a.d.Carrier != nil }

// State answers what the sandbox holds for p's org: its sandbox numbers,
// the texts the carrier sent for it, the calls it placed (GET /api/sandbox
// and the console's sandbox phone).
func (a *API) State(p *tenancy.Principal) (*State, error) {
	sb := a.d.Carrier
	if !a.Enabled() {
		return nil, errNotSandbox()
	}
	org := p.OrgID
	st := &State{Numbers: []string{}, Sent: sb.SentBy(org, sandboxLogLimit), Calls: sb.CallsOf(org, sandboxLogLimit)}
	if p.SiteAdmin {
		st.WebhookToken = a.d.WebhookToken
	}
	for _, e := range sb.Numbers() {
		n, err := sms.NumberByE164(a.d.Store, e)
		if errors.Is(err, storage.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if n.OrgID == org {
			st.Numbers = append(st.Numbers, e)
		}
	}
	return st, nil
}

// orgNumber checks that e164 is a number of org, as a 422 on field.
func (a *API) orgNumber(org, field, e164 string) error {
	n, err := sms.NumberByE164(a.d.Store, e164)
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return err
	}
	if err != nil || n.OrgID != org {
		return storage.Invalid(field, "not a number of this org")
	}
	return nil
}

func (a *API) inbound(c *httpapi.Call) error {
	if !a.d.Sandbox {
		return storage.Conflict("not_sandbox", "inbound injection exists only in sandbox mode (no Twilio credentials)")
	}
	var req inboundRequest
	if err := wire.DecodeStrict(c.Body(), &req); err != nil {
		return err
	}
	res, err := a.d.Svc.InjectText(c.Ctx, c.Principal, smssvc.InjectTextInput{From: req.From, To: req.To, Body: req.Body})
	if err != nil {
		return err
	}
	if res.Message != nil {
		c.LogWith("conversation", res.Message.ConversationID, "message", res.Message.ID)
	}
	return c.JSON(201, res)
}

// inboundCall mints the CallSid of an inbound call to one of the org's
// numbers and the token that signs its webhooks; the caller then plays
// Twilio over the wire (POST /twilio/voice, the relay socket, the status
// callback), as humd sandbox call does. Nothing is stored until that
// webhook arrives.
func (a *API) inboundCall(c *httpapi.Call) error {
	if !a.d.Sandbox {
		return errNotSandbox()
	}
	var req inboundCallRequest
	if err := wire.DecodeStrict(c.Body(), &req); err != nil {
		return err
	}
	sc, err := a.StartCall(c.Principal, req.From, req.To)
	if err != nil {
		return err
	}
	return c.JSON(200, sc)
}

// StartCall mints an inbound call from a phone (from) to a number of p's
// org (to): its CallSid and the token that signs its webhooks and relay
// socket (POST /api/sandbox/calls and the console's sandbox phone, which
// then play Twilio with relayclient.PlaceInbound). Operators and admins may.
func (a *API) StartCall(p *tenancy.Principal, from, to string) (*Call, error) {
	if !p.Role.AtLeast(tenancy.Operator) {
		return nil, fmt.Errorf("sandbox calls need the operator role: %w", storage.ErrForbidden)
	}
	if !a.d.Sandbox {
		return nil, errNotSandbox()
	}
	v := &storage.ValidationError{}
	phone.Check(v, "from", from)
	phone.Check(v, "to", to)
	if err := v.Err(); err != nil {
		return nil, err
	}
	org := p.OrgID
	if err := a.orgNumber(org, "to", to); err != nil {
		return nil, err
	}
	sid := randomSID("CA")
	id := call.IDForSID(sid)
	return &Call{CallSID: sid, CallID: id, From: from, To: to, CallToken: sandbox.CallToken(a.d.WebhookToken, org, id)}, nil
}

// answerCall hands the callee's side of an outbound call to the org that
// placed it; another org's call is a 404, like one that never was.
func (a *API) answerCall(c *httpapi.Call) error {
	if !a.d.Sandbox || a.d.Carrier == nil {
		return errNotSandbox()
	}
	org := c.Principal.OrgID
	pc, err := a.d.Carrier.CallOf(org, c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(200, &AnsweredCall{Call: Call{CallSID: pc.SID, CallID: pc.CallID, From: pc.From, To: pc.To,
		StatusCallback: pc.StatusCallback, CallToken: sandbox.CallToken(a.d.WebhookToken, org, pc.CallID)}, TwiML: pc.TwiML})
}

func randomSID(prefix string) string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}
