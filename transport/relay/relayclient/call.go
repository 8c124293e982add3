package relayclient

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/humd/humd/transport/relay"
)

const apiVersion = "2010-04-01"

// InboundOptions describes a simulated inbound call.
type InboundOptions struct {
	// HumdURL is where humd listens (http://127.0.0.1:8080); PublicURL is
	// HUMD_PUBLIC_URL, what Twilio would call and what signatures cover
	// (default HumdURL). URLs under PublicURL in humd's TwiML are reached
	// under HumdURL, as Twilio would reach the public name.
	HumdURL   string
	PublicURL string
	AuthToken string
	From, To  string // the caller, and the humd number called
	// CallSid defaults to a fresh "CA"+32 hex; AccountSid to a fresh AC sid.
	CallSid    string
	AccountSid string
	// Extra form fields for the voice webhook (CallerName, ForwardedFrom...).
	Extra      url.Values
	HTTPClient *http.Client // default: a 15s timeout
	// NetDial replaces the websocket's TCP dial.
	NetDial func(network, addr string) (net.Conn, error)
}

// AnswerOptions describes the answer to an outbound call humd placed.
type AnswerOptions struct {
	HumdURL, PublicURL, AuthToken string
	// TwiML is what humd gave Twilio when placing the call (PlaceCall.TwiML).
	TwiML string
	// From is humd's number, To the person called.
	CallSid, AccountSid, From, To string
	// StatusCallback is the call's status URL, default
	// PublicURL+"/twilio/voice/status".
	StatusCallback string
	HTTPClient     *http.Client
	NetDial        func(network, addr string) (net.Conn, error)
}

// Call is one simulated call from Twilio's side.
type Call struct {
	SID, AccountSID, From, To, Direction string
	// TwiML is what humd answered. Conn is the relay socket, set only when
	// TwiML.Kind is KindConnect; Greeting is the welcomeGreeting Twilio
	// would speak first.
	TwiML    *Response
	Conn     *Conn
	Greeting string

	humdURL, publicURL, authToken, statusCallback string
	hc                                            *http.Client
	netDial                                       func(network, addr string) (net.Conn, error)
	answered                                      time.Time

	mu  sync.Mutex
	seq int // SequenceNumber of status callbacks
}

// PlaceInbound plays Twilio receiving a call: it posts the signed voice
// webhook (Direction=inbound, CallStatus=ringing) to HumdURL+"/twilio/voice",
// parses the TwiML, and when that connects a ConversationRelay, dials the
// relay socket and sends setup with the TwiML's parameters. An answer that is
// not 2xx is a *StatusError.
func PlaceInbound(ctx context.Context, o InboundOptions) (*Call, error) {
	if o.HumdURL == "" || o.From == "" || o.To == "" {
		return nil, errors.New("relayclient: PlaceInbound needs HumdURL, From and To")
	}
	c := newCall(o.HumdURL, o.PublicURL, o.AuthToken, "", o.HTTPClient, o.NetDial)
	c.SID, c.AccountSID, c.From, c.To, c.Direction = or(o.CallSid, NewSID("CA")), or(o.AccountSid, NewSID("AC")), o.From, o.To, "inbound"
	form := c.form("ringing")
	form.Set("Caller", o.From)
	form.Set("Called", o.To)
	for k, vs := range o.Extra {
		form[k] = vs
	}
	body, err := c.post(ctx, c.publicURL+"/twilio/voice", form)
	if err != nil {
		return nil, err
	}
	if err := c.answer(ctx, body); err != nil {
		return nil, err
	}
	return c, nil
}

// AnswerOutbound plays the person picking up an outbound call: it reads the
// TwiML humd gave Twilio and, for a ConversationRelay, dials the socket and
// sends setup with direction outbound-api.
func AnswerOutbound(ctx context.Context, o AnswerOptions) (*Call, error) {
	if o.HumdURL == "" || o.TwiML == "" {
		return nil, errors.New("relayclient: AnswerOutbound needs HumdURL and TwiML")
	}
	c := newCall(o.HumdURL, o.PublicURL, o.AuthToken, o.StatusCallback, o.HTTPClient, o.NetDial)
	c.SID, c.AccountSID, c.From, c.To, c.Direction = or(o.CallSid, NewSID("CA")), or(o.AccountSid, NewSID("AC")), o.From, o.To, "outbound-api"
	if err := c.answer(ctx, o.TwiML); err != nil {
		return nil, err
	}
	return c, nil
}

func newCall(humdURL, publicURL, token, statusCallback string, hc *http.Client, netDial func(string, string) (net.Conn, error)) *Call {
	if hc == nil {
		hc = &http.Client{Timeout: 15 * time.Second}
	}
	c := &Call{humdURL: strings.TrimRight(humdURL, "/"), publicURL: strings.TrimRight(or(publicURL, humdURL), "/"),
		authToken: token, hc: hc, netDial: netDial, answered: time.Now()}
	c.statusCallback = or(statusCallback, c.publicURL+"/twilio/voice/status")
	return c
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// answer parses the TwiML and, for a relay, connects and sends setup.
func (c *Call) answer(ctx context.Context, twiml string) error {
	r, err := ParseTwiML(twiml)
	if err != nil {
		return err
	}
	c.TwiML, c.Greeting = r, r.WelcomeGreeting
	if r.Kind != KindConnect {
		return nil
	}
	conn, err := Dial(ctx, Options{URL: c.wsTarget(r.RelayURL), SignURL: r.RelayURL, AuthToken: c.authToken, NetDial: c.netDial})
	if err != nil {
		return err
	}
	// callStatus is upper case in Twilio's documented setup example.
	err = conn.Setup(relay.Setup{AccountSID: c.AccountSID, CallSID: c.SID, From: c.From, To: c.To, CallType: "PSTN",
		Direction: c.Direction, CallStatus: "RINGING", CustomParameters: r.Parameters})
	if err != nil {
		conn.Close()
		return err
	}
	c.Conn = conn
	return nil
}

// Status posts a signed call status callback (CallSid, AccountSid, From, To,
// Direction, CallStatus, ApiVersion, CallbackSource, SequenceNumber,
// Timestamp; for completed also CallDuration, whole seconds since the call
// was answered), then extra, to the call's status callback URL. An answer
// that is not 2xx is a *StatusError.
func (c *Call) Status(ctx context.Context, status string, extra url.Values) error {
	form := c.form(status)
	c.mu.Lock()
	form.Set("SequenceNumber", strconv.Itoa(c.seq))
	c.seq++
	c.mu.Unlock()
	form.Set("CallbackSource", "call-progress-events")
	form.Set("Timestamp", time.Now().UTC().Format(time.RFC1123Z))
	if status == "completed" {
		form.Set("CallDuration", strconv.Itoa(int(time.Since(c.answered).Seconds())))
	}
	for k, vs := range extra {
		form[k] = vs
	}
	_, err := c.post(ctx, c.statusCallback, form)
	return err
}

// Hangup closes the relay socket, if any, and posts the completed status
// callback, as Twilio does when the caller hangs up.
func (c *Call) Hangup(ctx context.Context) error {
	if c.Conn != nil {
		c.Conn.Close()
	}
	return c.Status(ctx, "completed", nil)
}

// PostAction plays the end of a relay session: Twilio posts to the <Connect
// action> URL with the call's fields, CallStatus=in-progress,
// SessionId/SessionStatus ("ended" by default), HandoffData when the app
// sent one, then extra; it answers the TwiML that follows.
func (c *Call) PostAction(ctx context.Context, handoffData string, extra url.Values) (*Response, error) {
	if c.TwiML == nil || c.TwiML.Action == "" {
		return nil, errors.New("relayclient: the TwiML has no <Connect action>")
	}
	form := c.form("in-progress")
	form.Set("SessionStatus", "ended")
	if handoffData != "" {
		form.Set("HandoffData", handoffData)
	}
	for k, vs := range extra {
		form[k] = vs
	}
	body, err := c.post(ctx, c.TwiML.Action, form)
	if err != nil {
		return nil, err
	}
	return ParseTwiML(body)
}

func (c *Call) form(status string) url.Values {
	return url.Values{"CallSid": {c.SID}, "AccountSid": {c.AccountSID}, "From": {c.From}, "To": {c.To},
		"Direction": {c.Direction}, "CallStatus": {status}, "ApiVersion": {apiVersion}}
}

// post sends a form webhook to the public URL pub, signed over pub and
// delivered to humd's own address, and returns the body of a 2xx answer.
func (c *Call) post(ctx context.Context, pub string, form url.Values) (string, error) {
	params := make(map[string]string, len(form))
	for k, vs := range form {
		params[k] = vs[0]
	}
	target := c.httpTarget(pub)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, strings.NewReader(form.Encode()))
	if err != nil {
		return "", fmt.Errorf("relayclient: POST %s: %w", target, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("User-Agent", "TwilioProxy/1.1")
	if c.authToken != "" {
		req.Header.Set(relay.SignatureHeader, relay.Sign(c.authToken, pub, params))
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return "", fmt.Errorf("relayclient: POST %s: %w", target, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return "", fmt.Errorf("relayclient: POST %s: %w", target, err)
	}
	if resp.StatusCode/100 != 2 {
		return "", &StatusError{Op: "POST " + target, StatusCode: resp.StatusCode, Body: string(body)}
	}
	return string(body), nil
}

// httpTarget maps a URL under the public base onto humd's address.
func (c *Call) httpTarget(u string) string { return rebase(u, c.publicURL, c.humdURL) }

// wsTarget maps a ws(s) URL under the public base onto humd's address, with
// ws for http and wss for https.
func (c *Call) wsTarget(u string) string {
	return rebase(u, wsScheme(c.publicURL), wsScheme(c.humdURL))
}

func rebase(u, from, to string) string {
	if rest, ok := strings.CutPrefix(u, from); ok && (rest == "" || rest[0] == '/' || rest[0] == '?') {
		return to + rest
	}
	return u
}

func wsScheme(u string) string {
	if rest, ok := strings.CutPrefix(u, "https://"); ok {
		return "wss://" + rest
	}
	if rest, ok := strings.CutPrefix(u, "http://"); ok {
		return "ws://" + rest
	}
	return u
}
