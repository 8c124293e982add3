package relayclient

import (
	"fmt"
	"net"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/fasthttp/websocket"
	"github.com/twilio/twilio-go/client"
	"github.com/valyala/fasthttp"
	"github.com/valyala/fasthttp/fasthttputil"

	"github.com/humd/humd/transport/relay"
)

const (
	token  = "twiliotest0123456789abcdef012345"
	public = "https://humd.example.com"
)

// hookReq is one webhook the fake humd received.
type hookReq struct {
	path  string // request URI
	form  url.Values
	valid bool // X-Twilio-Signature checked over the public URL
}

// fakeHumd stands in for humd's Twilio endpoints: it checks signatures with
// twilio-go's validator over the public URL, answers /twilio/voice with
// twiml, and runs a scripted agent on /twilio/relay that echoes prompts,
// answers DTMF, and on the prompt "transfer" plays hold music, ends the
// session with a handoff and closes.
type fakeHumd struct {
	twiml string
	addr  string // http://host:port when on loopback

	mu     sync.Mutex
	hooks  []hookReq
	frames []any // what the agent decoded, or the decode error
	socket int   // relay upgrades accepted
}

func startFake(t *testing.T, twiml string, ln net.Listener) *fakeHumd {
	t.Helper()
	f := &fakeHumd{twiml: twiml}
	srv := &fasthttp.Server{Handler: f.handle, Logger: quiet{}}
	go func() { _ = srv.Serve(ln) }() // returns when the listener closes
	t.Cleanup(func() { ln.Close() })
	if _, ok := ln.(*fasthttputil.InmemoryListener); !ok {
		f.addr = "http://" + ln.Addr().String()
	}
	return f
}

// quiet drops fasthttp's log lines: the tests read what they need from
// fakeHumd's records.
type quiet struct{}

func (quiet) Printf(string, ...any) {}

func loopback(t *testing.T) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ln
}

func (f *fakeHumd) handle(ctx *fasthttp.RequestCtx) {
	rv := client.NewRequestValidator(token)
	sig := string(ctx.Request.Header.Peek(relay.SignatureHeader))
	if string(ctx.Path()) == relay.Path {
		if !rv.Validate(relay.WSURL(public), map[string]string{}, sig) {
			ctx.Error("bad signature", fasthttp.StatusForbidden)
			return
		}
		f.mu.Lock()
		f.socket++
		f.mu.Unlock()
		up := websocket.FastHTTPUpgrader{}
		if err := up.Upgrade(ctx, f.agent); err != nil {
			ctx.Error(err.Error(), fasthttp.StatusBadRequest)
		}
		return
	}
	uri := string(ctx.RequestURI())
	body := append([]byte(nil), ctx.PostBody()...)
	form, _ := url.ParseQuery(string(body))
	ok := rv.ValidateBody(public+uri, body, sig)
	f.mu.Lock()
	f.hooks = append(f.hooks, hookReq{uri, form, ok})
	f.mu.Unlock()
	if !ok {
		ctx.Error("bad signature", fasthttp.StatusForbidden)
		return
	}
	ctx.SetContentType("text/xml")
	if string(ctx.Path()) == "/twilio/voice" {
		ctx.SetBodyString(f.twiml)
		return
	}
	ctx.SetBodyString(`<?xml version="1.0" encoding="UTF-8"?><Response><Hangup/></Response>`)
}

func (f *fakeHumd) agent(ws *websocket.Conn) {
	defer ws.Close()
	send := func(raw ...[]byte) {
		for _, r := range raw {
			if err := ws.WriteMessage(websocket.TextMessage, r); err != nil {
				return
			}
		}
	}
	for {
		_, raw, err := ws.ReadMessage()
		if err != nil {
			return
		}
		v, err := relay.Decode(raw)
		f.mu.Lock()
		if err != nil {
			f.frames = append(f.frames, err)
		} else {
			f.frames = append(f.frames, v)
		}
		f.mu.Unlock()
		switch m := v.(type) {
		case *relay.Prompt:
			switch {
			case !m.Last:
			case m.VoicePrompt == "transfer":
				send(relay.Play("https://example.com/hold.mp3"), relay.End(map[string]string{"reason": "transfer"}))
				_ = ws.WriteControl(websocket.CloseMessage,
					websocket.FormatCloseMessage(websocket.CloseNormalClosure, "ended"), time.Now().Add(time.Second))
				return
			default:
				send(relay.Text("You said ", false), relay.Text(m.VoicePrompt+".", true))
			}
		case *relay.DTMF:
			send(relay.Text("You pressed "+m.Digit, true))
		}
	}
}

func (f *fakeHumd) hookList() []hookReq {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]hookReq(nil), f.hooks...)
}

// waitFrames polls until the agent has decoded n frames.
func (f *fakeHumd) waitFrames(t *testing.T, n int) []any {
	t.Helper()
	var got []any
	waitFor(t, 5*time.Second, func() error {
		f.mu.Lock()
		got = append([]any(nil), f.frames...)
		f.mu.Unlock()
		if len(got) < n {
			return fmt.Errorf("agent has %d frames; want %d", len(got), n)
		}
		return nil
	})
	return got
}

func waitFor(t *testing.T, d time.Duration, cond func() error) {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		err := cond()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal(err)
		}
		<-time.After(5 * time.Millisecond)
	}
}
