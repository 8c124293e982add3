package relayclient

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/fasthttp/websocket"

	"github.com/humd/humd/transport/relay"
)

// ErrClosed is wrapped by ReadFrame once the socket is closed, by either
// side; a close frame from the server is also in the chain as a
// *websocket.CloseError.
var ErrClosed = errors.New("relayclient: connection closed")

// StatusError is an HTTP answer that was not a success: a refused websocket
// upgrade or a webhook humd turned down.
type StatusError struct {
	Op         string // "dial wss://...", "POST https://.../twilio/voice"
	StatusCode int
	Body       string
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("relayclient: %s: HTTP %d %s", e.Op, e.StatusCode, strings.TrimSpace(e.Body))
}

// Options configures Dial.
type Options struct {
	// URL is the ws:// or wss:// URL to connect to.
	URL string
	// SignURL is the URL the signature covers, default URL. Twilio signs the
	// URL it was given in the TwiML, which in a test is not where humd
	// listens.
	SignURL string
	// AuthToken signs the upgrade (X-Twilio-Signature); empty sends none.
	AuthToken string
	// Header is added to the upgrade request.
	Header http.Header
	// NetDial replaces the TCP dial, e.g. with an in-memory listener's Dial.
	NetDial func(network, addr string) (net.Conn, error)
	// Lang is the lang of prompts, default en-US.
	Lang string
	// WriteTimeout bounds each frame written, default 10s.
	WriteTimeout time.Duration
}

// Conn is a ConversationRelay websocket seen from Twilio's side: it sends
// what Twilio sends (setup, prompt, dtmf, interrupt, error) and reads what the
// app answers. A goroutine reads the socket from Dial to Close, so ReadFrame
// can honour a context without breaking the connection.
type Conn struct {
	ws           *websocket.Conn
	lang         string
	writeTimeout time.Duration

	wmu sync.Mutex // one writer at a time, as the websocket requires

	frames  chan message
	closing chan struct{} // closed by Close, to stop the reader
	done    chan struct{} // closed by the reader as it exits
	rerr    error         // why the reader stopped; read only after done
	once    sync.Once
}

type message struct {
	kind int
	raw  []byte
}

// Dial opens the relay websocket, signing the upgrade as Twilio does. A
// refused upgrade is a *StatusError.
func Dial(ctx context.Context, o Options) (*Conn, error) {
	if o.SignURL == "" {
		o.SignURL = o.URL
	}
	if o.Lang == "" {
		o.Lang = "en-US"
	}
	if o.WriteTimeout <= 0 {
		o.WriteTimeout = 10 * time.Second
	}
	h := http.Header{}
	for k, vs := range o.Header {
		h[k] = append([]string(nil), vs...)
	}
	if o.AuthToken != "" {
		h.Set(relay.SignatureHeader, relay.Sign(o.AuthToken, o.SignURL, nil))
	}
	d := &websocket.Dialer{NetDial: o.NetDial, HandshakeTimeout: 10 * time.Second}
	ws, resp, err := d.DialContext(ctx, o.URL, h)
	if err != nil {
		if resp != nil {
			body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
			resp.Body.Close()
			return nil, &StatusError{Op: "dial " + o.URL, StatusCode: resp.StatusCode, Body: string(body)}
		}
		return nil, fmt.Errorf("relayclient: dial %s: %w", o.URL, err)
	}
	c := &Conn{ws: ws, lang: o.Lang, writeTimeout: o.WriteTimeout,
		frames: make(chan message, 64), closing: make(chan struct{}), done: make(chan struct{})}
	go c.read()
	return c, nil
}

func (c *Conn) read() {
	defer close(c.done)
	for {
		kind, raw, err := c.ws.ReadMessage()
		if err != nil {
			c.rerr = fmt.Errorf("%w: %w", ErrClosed, err)
			return
		}
		select {
		case c.frames <- message{kind, raw}:
		case <-c.closing:
			c.rerr = ErrClosed
			return
		}
	}
}

// ReadFrame returns the next frame the app sent: *relay.TextFrame,
// *relay.PlayFrame, *relay.SendDigitsFrame, *relay.LanguageFrame or
// *relay.EndFrame. A frame that does not decode is an error wrapping
// relay.ErrBadFrame (and the next call reads on); a closed socket is an error
// wrapping ErrClosed; a done ctx returns ctx.Err() and leaves the socket as
// it was.
func (c *Conn) ReadFrame(ctx context.Context) (any, error) {
	select {
	case m := <-c.frames:
		return decode(m)
	case <-c.done:
		// The reader sends every frame before it exits: drain first.
		select {
		case m := <-c.frames:
			return decode(m)
		default:
			return nil, c.rerr
		}
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func decode(m message) (any, error) {
	if m.kind != websocket.TextMessage {
		return nil, fmt.Errorf("%w: a binary message of %d bytes", relay.ErrBadFrame, len(m.raw))
	}
	v, err := relay.DecodeApp(m.raw)
	if err != nil {
		return nil, fmt.Errorf("%w (frame %.200s)", err, m.raw)
	}
	return v, nil
}

// Reply reads one utterance of the agent: text tokens up to the one with
// last=true, concatenated. An end frame also finishes it. frames holds every
// other frame read meanwhile (play, sendDigits, language, end), in order. On
// an error, what was read so far is returned with it.
func (c *Conn) Reply(ctx context.Context) (text string, frames []any, err error) {
	var b strings.Builder
	for {
		f, err := c.ReadFrame(ctx)
		if err != nil {
			return b.String(), frames, err
		}
		switch f := f.(type) {
		case *relay.TextFrame:
			b.WriteString(f.Token)
			if f.Last {
				return b.String(), frames, nil
			}
		case *relay.EndFrame:
			return b.String(), append(frames, f), nil
		default:
			frames = append(frames, f)
		}
	}
}

// Send writes any frame relay.Encode accepts.
func (c *Conn) Send(frame any) error {
	raw, err := relay.Encode(frame)
	if err != nil {
		return err
	}
	return c.SendRaw(raw)
}

// SendRaw writes raw as one text message, e.g. a malformed frame to see the
// server survive it.
func (c *Conn) SendRaw(raw []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if err := c.ws.SetWriteDeadline(time.Now().Add(c.writeTimeout)); err != nil {
		return fmt.Errorf("relayclient: write: %w", err)
	}
	if err := c.ws.WriteMessage(websocket.TextMessage, raw); err != nil {
		return fmt.Errorf("relayclient: write: %w", err)
	}
	return nil
}

// Setup sends the setup frame; an empty SessionID gets a fresh VX sid.
func (c *Conn) Setup(s relay.Setup) error {
	if s.SessionID == "" {
		s.SessionID = NewSID("VX")
	}
	return c.Send(s)
}

// Prompt sends a final transcript of the caller's speech (last=true).
func (c *Conn) Prompt(text string) error {
	return c.Send(relay.Prompt{VoicePrompt: text, Lang: c.lang, Last: true})
}

// PartialPrompt sends a partial transcript (last=false), as Twilio does with
// partialPrompts on.
func (c *Conn) PartialPrompt(text string) error {
	return c.Send(relay.Prompt{VoicePrompt: text, Lang: c.lang})
}

// DTMF sends one key press.
func (c *Conn) DTMF(digit string) error { return c.Send(relay.DTMF{Digit: digit}) }

// Interrupt says the caller spoke over the agent after hearing heard, ms
// milliseconds into its speech.
func (c *Conn) Interrupt(heard string, ms int) error {
	return c.Send(relay.Interrupt{UtteranceUntilInterrupt: heard, DurationUntilInterruptMs: relay.Millis(ms)})
}

// SendError sends Twilio's error frame.
func (c *Conn) SendError(description string) error {
	return c.Send(relay.ErrorFrame{Description: description})
}

// Close hangs up: a normal close frame, then the socket closes and the
// reader stops. It is safe to call more than once and from any goroutine.
func (c *Conn) Close() error {
	var err error
	c.once.Do(func() {
		// WriteControl may run alongside other writes; its own deadline bounds it.
		_ = c.ws.WriteControl(websocket.CloseMessage,
			websocket.FormatCloseMessage(websocket.CloseNormalClosure, "hangup"), time.Now().Add(time.Second))
		close(c.closing)
		err = c.ws.Close()
		<-c.done
	})
	return err
}

// NewSID is a Twilio-style sid: prefix and 32 hex digits (CA, VX, AC, ...).
func NewSID(prefix string) string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}
