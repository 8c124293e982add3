package relayclient

import (
	"context"
	"errors"
	"net"
	"reflect"
	"testing"
	"time"

	"github.com/fasthttp/websocket"
	"github.com/valyala/fasthttp/fasthttputil"

	"github.com/humd/humd/transport/relay"
)

// dialInmem starts the fake on an in-memory listener and dials its relay
// socket, signed over the public wss URL as Twilio would sign it (plain ws
// on the wire: the in-memory listener speaks no TLS).
func dialInmem(t *testing.T, authToken string) (*fakeHumd, *Conn, error) {
	t.Helper()
	ln := fasthttputil.NewInmemoryListener()
	f := startFake(t, "", ln)
	c, err := Dial(context.Background(), Options{URL: "ws://humd.example.com" + relay.Path, SignURL: relay.WSURL(public), AuthToken: authToken,
		NetDial: func(string, string) (net.Conn, error) { return ln.Dial() }})
	if c != nil {
		t.Cleanup(func() { c.Close() })
	}
	return f, c, err
}

func TestDialRefusedSignature(t *testing.T) {
	for _, tok := range []string{"", "wrongtoken"} {
		_, _, err := dialInmem(t, tok)
		var se *StatusError
		if !errors.As(err, &se) || se.StatusCode != 403 {
			t.Errorf("Dial with token %q = %v; want a 403 *StatusError", tok, err)
		}
	}
}

func TestConversation(t *testing.T) {
	f, c, err := dialInmem(t, token)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	setup := relay.Setup{AccountSID: "AC1", CallSID: "CA1", From: "+13175550199", To: "+13175550100", Direction: "inbound",
		CallStatus: "RINGING", CustomParameters: relay.Params{"call_id": "call_1"}}
	if err := c.Setup(setup); err != nil {
		t.Fatal(err)
	}
	got := f.waitFrames(t, 1)[0].(*relay.Setup)
	if len(got.SessionID) != 34 || got.SessionID[:2] != "VX" {
		t.Errorf("setup sessionId = %q; want VX and 32 hex", got.SessionID)
	}
	setup.Type, setup.SessionID = relay.TypeSetup, got.SessionID
	if !reflect.DeepEqual(*got, setup) {
		t.Errorf("agent got setup %+v; want %+v", *got, setup)
	}

	if err := c.PartialPrompt("When are"); err != nil {
		t.Fatal(err)
	}
	if err := c.Prompt("When are you open"); err != nil {
		t.Fatal(err)
	}
	text, frames, err := c.Reply(ctx)
	if err != nil || text != "You said When are you open." || len(frames) != 0 {
		t.Errorf("Reply = %q, %v, %v; want the echo", text, frames, err)
	}

	// A read that times out leaves the socket usable.
	short, cancelShort := context.WithTimeout(ctx, 20*time.Millisecond)
	if v, err := c.ReadFrame(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("ReadFrame with nothing to read = %v, %v; want DeadlineExceeded", v, err)
	}
	cancelShort()

	if err := c.DTMF("5"); err != nil {
		t.Fatal(err)
	}
	if text, _, err := c.Reply(ctx); err != nil || text != "You pressed 5" {
		t.Errorf("Reply after DTMF = %q, %v", text, err)
	}
	if err := c.Interrupt("You pressed", 460); err != nil {
		t.Fatal(err)
	}
	if err := c.SendError("64107"); err != nil {
		t.Fatal(err)
	}
	if err := c.SendRaw([]byte(`{"type":"bogus"}`)); err != nil {
		t.Fatal(err)
	}
	all := f.waitFrames(t, 7)
	want := []any{
		&relay.Prompt{Type: "prompt", VoicePrompt: "When are", Lang: "en-US"},
		&relay.Prompt{Type: "prompt", VoicePrompt: "When are you open", Lang: "en-US", Last: true},
		&relay.DTMF{Type: "dtmf", Digit: "5"},
		&relay.Interrupt{Type: "interrupt", UtteranceUntilInterrupt: "You pressed", DurationUntilInterruptMs: 460},
		&relay.ErrorFrame{Type: "error", Description: "64107"},
	}
	if !reflect.DeepEqual(all[1:6], want) {
		t.Errorf("agent got %#v; want %#v", all[1:6], want)
	}
	if err, ok := all[6].(error); !ok || !errors.Is(err, relay.ErrBadFrame) {
		t.Errorf("agent decoded a bogus frame as %#v", all[6])
	}

	if err := c.Prompt("transfer"); err != nil {
		t.Fatal(err)
	}
	text, frames, err = c.Reply(ctx)
	if err != nil || text != "" || len(frames) != 2 {
		t.Fatalf("Reply to transfer = %q, %#v, %v; want play and end", text, frames, err)
	}
	if p, ok := frames[0].(*relay.PlayFrame); !ok || p.Source != "https://example.com/hold.mp3" {
		t.Errorf("frames[0] = %#v; want the play", frames[0])
	}
	if e, ok := frames[1].(*relay.EndFrame); !ok || e.HandoffData != `{"reason":"transfer"}` {
		t.Errorf("frames[1] = %#v; want the end with its handoff", frames[1])
	}
	_, err = c.ReadFrame(ctx)
	var ce *websocket.CloseError
	if !errors.Is(err, ErrClosed) || !errors.As(err, &ce) || ce.Code != websocket.CloseNormalClosure {
		t.Errorf("ReadFrame after the agent closed = %v; want ErrClosed with a normal close", err)
	}
	if err := c.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if err := c.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

// Close from our side ends a pending ReadFrame and the agent sees the socket
// go.
func TestCloseEndsRead(t *testing.T) {
	_, c, err := dialInmem(t, token)
	if err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	go func() {
		_, err := c.ReadFrame(context.Background())
		errc <- err
	}()
	c.Close()
	select {
	case err := <-errc:
		if !errors.Is(err, ErrClosed) {
			t.Errorf("ReadFrame during Close = %v; want ErrClosed", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("ReadFrame still blocked after Close")
	}
	if err := c.Prompt("anyone?"); err == nil {
		t.Error("Prompt after Close succeeded")
	}
}

// Writers on several goroutines never interleave frames.
func TestConcurrentWrites(t *testing.T) {
	f, c, err := dialInmem(t, token)
	if err != nil {
		t.Fatal(err)
	}
	const n = 50
	errc := make(chan error, 2*n)
	for i := range n {
		go func() { errc <- c.DTMF(string(rune('0' + i%10))) }()
		go func() { errc <- c.Interrupt("x", i) }()
	}
	for range 2 * n {
		if err := <-errc; err != nil {
			t.Fatal(err)
		}
	}
	for _, v := range f.waitFrames(t, 2*n) {
		if err, ok := v.(error); ok {
			t.Fatalf("agent got a garbled frame: %v", err)
		}
	}
}
