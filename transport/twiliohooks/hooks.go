package twiliohooks

import (
	"fmt"
	"reflect"
	"strconv"
	"sync"

	"github.com/humd/humd/actors/service"

	"github.com/twilio/twilio-go/twiml"
	"github.com/valyala/fasthttp"

	"github.com/humd/humd/actors/call"
	"github.com/humd/humd/actors/conversation"
	"github.com/humd/humd/actors/sidstatus"
	"github.com/humd/humd/actors/system"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/sms"
	"github.com/humd/humd/transport/httpapi"
	"github.com/humd/humd/transport/relay"
	"github.com/humd/humd/transport/twilio"
)

// Deps are what the webhooks use.
type Deps struct {
	// Svc is the front door (actors/service): handlers call its typed
	// operations rather than storage writers or actor doors.
	Svc   *service.Service
	Store storage.Store
	// Threads finds conversation actors; SIDStatus routes SMS status
	// callbacks to them; Calls runs the call actors.
	Threads   *conversation.Directory
	SIDStatus *sidstatus.Directory
	Calls     *call.Service
	// TwilioAuthToken signs the webhooks ("" answers every one 403); in
	// sandbox mode it is the sandbox's webhook token. PublicURL is the
	// base URL Twilio calls, which the signatures cover.
	TwilioAuthToken string
	PublicURL       string
	// Sandbox accepts per-call tokens (sandbox.CallToken) on voice webhooks
	// and relay sockets, and names the call in its relay URL.
	Sandbox bool
}

// API serves the Twilio webhooks and the relay socket.
type API struct {
	d Deps
	// numberRefs caches E.164 -> (org, number id) for inbound texts.
	numberRefs sync.Map
}

// New builds the Twilio webhooks.
func New(d Deps) *API { return &API{d: d} }

// Routes lists the webhooks and the relay socket.
func (a *API) Routes() []*httpapi.Route {
	xml := httpapi.Answer[httpapi.XML](200)
	hook := func(path, op, summary string, h func(*httpapi.Call) error) *httpapi.Route {
		return &httpapi.Route{Method: "POST", Path: path, OpID: op, Summary: summary + " (signed)", Tag: "Twilio", Auth: httpapi.Public,
			Responses: xml, Handle: func(c *httpapi.Call) error {
				if err := a.checkVoiceHook(c, path == "/twilio/voice"); err != nil {
					return err
				}
				return h(c)
			}}
	}
	// Callbacks naming a call humd does not know (?call_id=) are 404.
	callback := func(r *httpapi.Route) *httpapi.Route {
		r.Fails = []int{404}
		return r
	}
	return []*httpapi.Route{
		{Method: "POST", Path: "/twilio/sms", OpID: "twilioInboundSms", Summary: "Twilio inbound SMS webhook (signed)", Tag: "Twilio", Auth: httpapi.Public,
			Responses: xml, Handle: a.twilioInbound},
		{Method: "POST", Path: "/twilio/sms/status", OpID: "twilioSmsStatus", Summary: "Twilio message status callback (signed)", Tag: "Twilio", Auth: httpapi.Public,
			Responses: xml, Handle: a.twilioStatus},
		hook("/twilio/voice", "twilioVoice", "Twilio inbound call webhook: answers ConversationRelay, voicemail or reject TwiML", a.twilioVoice),
		callback(hook("/twilio/voice/status", "twilioVoiceStatus", "Twilio call status callback", a.twilioVoiceStatus)),
		callback(hook("/twilio/voice/action", "twilioVoiceAction", "After the relay session: transfer or hang up", a.twilioVoiceAction)),
		callback(hook("/twilio/voice/dial", "twilioVoiceDial", "After a transfer's <Dial>: voicemail when nobody answered", a.twilioVoiceDial)),
		callback(hook("/twilio/voice/recording", "twilioVoiceRecording", "Recording callback (voicemail or call recording)", a.twilioVoiceRecording)),
		callback(hook("/twilio/voice/transcription", "twilioVoiceTranscription", "Voicemail transcription callback", a.twilioVoiceTranscription)),
		{Method: "GET", Path: relay.Path, OpID: "twilioRelay", Summary: "ConversationRelay websocket (signed upgrade)", Tag: "Twilio", Auth: httpapi.Public,
			Responses: map[int]reflect.Type{101: nil}, Handle: a.twilioRelay},
	}
}

// askThread asks the actor of (number, contact) through the directory.
func askThread[T any](a *API, orgID, numberID, e164 string, msg any) (T, error) {
	return system.Await[T](a.d.Threads.Request(orgID, numberID, e164, msg, httpapi.AskTimeout), msg)
}

func askCall[T any](a *API, callID string, msg any) (T, error) {
	return system.Await[T](a.d.Calls.Request(callID, msg, httpapi.AskTimeout), msg)
}

// errBadSignature names what to check, since the usual cause is a
// configuration mismatch rather than an attack.
var errBadSignature = &httpapi.StatusError{Status: 403, Code: "invalid_signature",
	Message: "X-Twilio-Signature does not match this request; check TWILIO_AUTH_TOKEN and that HUMD_PUBLIC_URL is the URL Twilio calls"}

// emptyTwiML is the answer to an inbound SMS webhook: humd replies through the
// REST API, never inline.
var emptyTwiML = func() string {
	s, err := twiml.Messages(nil)
	if err != nil {
		panic(err)
	}
	return s
}()

// checkTwilio verifies X-Twilio-Signature with twilio-go's validator over the
// public URL Twilio called (HUMD_PUBLIC_URL + path and query) and the posted
// form. Nothing is stored for a request that fails.
func (a *API) checkTwilio(ctx *fasthttp.RequestCtx) error {
	if !signedWith(ctx, a.d.TwilioAuthToken, a.d.PublicURL) {
		return errBadSignature
	}
	return nil
}

// signedWith reports whether the request's X-Twilio-Signature is token's
// over publicURL + path and query and the posted form.
func signedWith(ctx *fasthttp.RequestCtx, token, publicURL string) bool {
	sig := string(ctx.Request.Header.Peek("X-Twilio-Signature"))
	if token == "" || sig == "" {
		return false
	}
	return twilio.ValidateForm(token, publicURL+string(ctx.RequestURI()), ctx.PostArgs().VisitAll, sig)
}

// numberRef is sms.NumberRef behind a per-server cache: every inbound text
// names its number, and the pair never changes once it exists.
func (a *API) numberRef(e164 string) (org, id string, err error) {
	if v, ok := a.numberRefs.Load(e164); ok {
		ref := v.([2]string)
		return ref[0], ref[1], nil
	}
	if org, id, err = sms.NumberRef(a.d.Store, e164); err == nil {
		a.numberRefs.Store(e164, [2]string{org, id})
	}
	return org, id, err
}

// Ingest stores an inbound text through its thread actor and answers once
// it is durable: what a signed /twilio/sms does, and the sandbox's inbound
// injection too.
func (a *API) Ingest(in *conversation.Inbound) (*conversation.InboundResult, error) {
	org, id, err := a.numberRef(in.To)
	if err != nil {
		return nil, fmt.Errorf("inbound to %s: %w", in.To, err)
	}
	return askThread[*conversation.InboundResult](a, org, id, in.From, in)
}

func (a *API) twilioInbound(c *httpapi.Call) error {
	if err := a.checkTwilio(c.Ctx); err != nil {
		return err
	}
	f := c.Ctx.PostArgs()
	in := &conversation.Inbound{SID: string(f.Peek("MessageSid")), From: string(f.Peek("From")), To: string(f.Peek("To")), Body: string(f.Peek("Body"))}
	if in.SID == "" {
		in.SID = string(f.Peek("SmsSid"))
	}
	v := &storage.ValidationError{}
	if in.SID == "" {
		v.Add("MessageSid", "required")
	}
	if in.From == "" {
		v.Add("From", "required")
	}
	if in.To == "" {
		v.Add("To", "required")
	}
	if err := v.Err(); err != nil {
		return err
	}
	in.NumSegments, _ = strconv.Atoi(string(f.Peek("NumSegments")))
	nm, _ := strconv.Atoi(string(f.Peek("NumMedia")))
	for i := 0; i < nm && i < 10; i++ {
		url := string(f.Peek("MediaUrl" + strconv.Itoa(i)))
		if url != "" {
			in.Media = append(in.Media, sms.Media{URL: url, ContentType: string(f.Peek("MediaContentType" + strconv.Itoa(i)))})
		}
	}
	res, err := a.Ingest(in)
	if err != nil {
		return err
	}
	if res.Message != nil {
		c.LogWith("org", res.Message.OrgID, "conversation", res.Message.ConversationID, "message", res.Message.ID)
	}
	return httpapi.Text(c, 200, httpapi.XML(emptyTwiML))
}

func (a *API) twilioStatus(c *httpapi.Call) error {
	if err := a.checkTwilio(c.Ctx); err != nil {
		return err
	}
	f := c.Ctx.PostArgs()
	sid, status := string(f.Peek("MessageSid")), string(f.Peek("MessageStatus"))
	if status == "" {
		status = string(f.Peek("SmsStatus"))
	}
	if sid == "" || status == "" {
		return storage.Invalid("MessageSid", "MessageSid and MessageStatus are required")
	}
	code, _ := strconv.Atoi(string(f.Peek("ErrorCode")))
	if err := a.applyStatus(sid, status, code); err != nil {
		return err
	}
	return httpapi.Text(c, 200, httpapi.XML(emptyTwiML))
}

// applyStatus routes a status callback to the thread that owns the SID; a
// callback that beats the carrier's own answer is kept until that arrives.
func (a *API) applyStatus(sid, status string, code int) error {
	return a.d.SIDStatus.ApplyStatus(sid, status, code, httpapi.AskTimeout)
}

// ApplyStatus is how the sandbox carrier reports its status callbacks: the
// same path a signed /twilio/sms/status reaches.
func (a *API) ApplyStatus(sid, status string, code int) error {
	return a.applyStatus(sid, status, code)
}
