package twiliohooks

import (
	"log/slog"
	"sync"
	"time"

	"github.com/fasthttp/websocket"
	"github.com/twilio/twilio-go/client"
	"github.com/valyala/fasthttp"

	"github.com/humd/humd/actors/call"
	"github.com/humd/humd/actors/system"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/transport/httpapi"
	"github.com/humd/humd/transport/relay"
)

var relayUpgrader = websocket.FastHTTPUpgrader{
	HandshakeTimeout: 10 * time.Second,
	// Twilio sends no Origin; the signature is the check that matters.
	CheckOrigin: func(*fasthttp.RequestCtx) bool { return true },
}

// relayQueue bounds the frames waiting for the socket: a token stream far
// ahead of the network means the socket is stuck, and it is closed rather
// than let the call actor wait.
const relayQueue = 1024

// twilioRelay upgrades Twilio's ConversationRelay socket after checking
// X-Twilio-Signature over the public wss URL.
func (a *API) twilioRelay(c *httpapi.Call) error {
	if !websocket.FastHTTPIsWebSocketUpgrade(c.Ctx) {
		return storage.Invalid("Upgrade", "a websocket upgrade is required")
	}
	sig := string(c.Ctx.Request.Header.Peek("X-Twilio-Signature"))
	target := relay.WSURL(a.d.PublicURL)
	if q := c.Ctx.URI().QueryString(); len(q) > 0 {
		target += "?" + string(q)
	}
	// A URL that names its call (sandbox mode) opens that call only.
	want := c.Query("call_id")
	if !validRelay(a.d.TwilioAuthToken, target, sig) && !a.relaySignedByCall(target, sig, want) {
		return errBadSignature
	}
	err := relayUpgrader.Upgrade(c.Ctx, func(conn *websocket.Conn) { a.serveRelay(conn, want, c.Logger()) })
	if err != nil {
		return storage.Invalid("Upgrade", err.Error())
	}
	return nil
}

// validRelay checks an upgrade's X-Twilio-Signature: token's over the wss
// URL, with no params.
func validRelay(token, target, sig string) bool {
	if token == "" || sig == "" {
		return false
	}
	v := client.NewRequestValidator(token)
	return v.Validate(target, map[string]string{}, sig)
}

// serveRelay runs one socket: the first frame must be setup, which names the
// call (the one the URL named, if it named one); then frames become call
// messages until the socket closes. Reading never waits on the actor (Tell),
// and writing is the wsOut goroutine's.
func (a *API) serveRelay(conn *websocket.Conn, want string, log *slog.Logger) {
	defer conn.Close()
	conn.SetReadLimit(64 << 10)
	_ = conn.SetReadDeadline(time.Now().Add(15 * time.Second))
	_, raw, err := conn.ReadMessage()
	if err != nil {
		return
	}
	frame, err := relay.Decode(raw)
	setup, ok := frame.(*relay.Setup)
	if err != nil || !ok {
		log.Warn("relay: first frame is not setup", "err", err)
		return
	}
	id, err := call.Resolve(a.d.Store, setup.CallSID, setup.CustomParameters["call_id"])
	if err != nil {
		return
	}
	if want != "" && id != want {
		log.Warn("relay: setup names another call than the signed URL", "url_call", want, "setup_call", id)
		return
	}
	log = log.With("call", id)
	out := newWSOut(conn)
	defer out.Close()
	if _, err := system.Await[*call.Attached](a.d.Calls.Request(id, &call.Attach{Out: out, SessionID: setup.SessionID, Setup: raw},
		httpapi.AskTimeout), "attach"); err != nil {
		log.Warn("relay: attach refused", "err", err)
		return
	}
	_ = conn.SetReadDeadline(time.Time{})
	for {
		_, raw, err := conn.ReadMessage()
		if err != nil {
			break
		}
		frame, err := relay.Decode(raw)
		if err != nil {
			log.Warn("relay: bad frame", "err", err)
			continue
		}
		switch f := frame.(type) {
		case *relay.Prompt:
			a.d.Calls.Tell(id, &call.Prompt{Text: f.VoicePrompt, Last: f.Last})
		case *relay.DTMF:
			a.d.Calls.Tell(id, &call.DTMF{Digit: f.Digit})
		case *relay.Interrupt:
			a.d.Calls.Tell(id, &call.Interrupt{Heard: f.UtteranceUntilInterrupt, DurationMS: int(f.DurationUntilInterruptMs)})
		case *relay.ErrorFrame:
			a.d.Calls.Tell(id, &call.RelayError{Description: f.Description})
		}
	}
	a.d.Calls.Tell(id, &call.Detach{Out: out})
}

// wsOut is call.Out over a websocket: frames queue for one writer goroutine
// (a websocket allows one writer at a time), and a full queue closes the
// socket instead of blocking the actor. Close lets queued frames go first, so
// an end frame sent just before still reaches Twilio.
type wsOut struct {
	conn   *websocket.Conn
	mu     sync.Mutex
	ch     chan []byte
	closed bool
}

func newWSOut(conn *websocket.Conn) *wsOut {
	o := &wsOut{conn: conn, ch: make(chan []byte, relayQueue)}
	go o.write()
	return o
}

func (o *wsOut) write() {
	defer o.conn.Close()
	for b := range o.ch {
		_ = o.conn.SetWriteDeadline(time.Now().Add(10 * time.Second))
		if err := o.conn.WriteMessage(websocket.TextMessage, b); err != nil {
			_ = o.conn.Close() // the reader sees it and detaches the call
		}
	}
}

func (o *wsOut) send(b []byte) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.closed {
		return
	}
	select {
	case o.ch <- b:
	default:
		o.closed = true
		close(o.ch)
	}
}

func (o *wsOut) Text(token string, last bool) { o.send(relay.Text(token, last)) }
func (o *wsOut) End(handoff map[string]any)   { o.send(relay.End(handoff)) }
func (o *wsOut) SendDigits(d string)          { o.send(relay.SendDigits(d)) }

// Close ends the socket once the queue is written.
func (o *wsOut) Close() {
	o.mu.Lock()
	defer o.mu.Unlock()
	if !o.closed {
		o.closed = true
		close(o.ch)
	}
}

var _ call.Out = (*wsOut)(nil)
