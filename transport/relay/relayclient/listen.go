package relayclient

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/humd/humd/transport/relay"
)

// Heard is one thing the caller perceives of the agent on the socket; one
// field is set.
type Heard struct {
	// Speech is a whole utterance: text tokens up to the one with
	// last=true (or cut by the end of the socket).
	Speech string
	// Play is the URL of audio the agent plays; Digits the keys it presses.
	Play, Digits string
	Language     *relay.LanguageFrame
	// End is the agent ending the session (its handoff data, if any).
	End *relay.EndFrame
	// BadFrame is a frame that did not decode; reading goes on.
	BadFrame error
	// Closed is why the socket closed under the caller (not by HangUp).
	Closed error
}

// Listener reads what the agent sends on a call's socket, as it arrives,
// for a caller that types or clicks at its own pace ("humd sandbox call",
// the console's sandbox phone): each utterance, play, key press or end is
// handed to its callback from the listener's goroutine, and Turns marks the
// end of each utterance.
type Listener struct {
	conn      *Conn
	on        func(Heard)
	turns     chan struct{}
	ended     chan struct{}
	end       *relay.EndFrame // set before ended closes
	hangingUp atomic.Bool     // we closed the socket: its error is no news
}

// Listen starts reading conn; on (which must not block long) gets what the
// agent does, one at a time.
func Listen(conn *Conn, on func(Heard)) *Listener {
	l := &Listener{conn: conn, on: on, turns: make(chan struct{}, 1), ended: make(chan struct{})}
	go l.run()
	return l
}

// Ended is closed once the socket is done, whoever closed it.
func (l *Listener) Ended() <-chan struct{} { return l.ended }

// End is the agent's end frame, nil when the caller hung up or the socket
// broke; read it after Ended.
func (l *Listener) End() *relay.EndFrame {
	select {
	case <-l.ended:
		return l.end
	default:
		return nil
	}
}

// Say speaks one turn of the caller and waits up to wait for the agent's
// next utterance, the end of the call, or ctx. It reports whether the agent
// answered in time (an ended call counts as answered: there is nothing
// more to wait for).
func (l *Listener) Say(ctx context.Context, text string, wait time.Duration) (bool, error) {
	select {
	case <-l.turns: // a stale turn from unsolicited speech
	default:
	}
	if err := l.conn.Prompt(text); err != nil {
		return false, err
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-l.turns:
		return true, nil
	case <-l.ended:
		return true, nil
	case <-ctx.Done():
		return false, ctx.Err()
	case <-t.C:
		return false, nil
	}
}

// HangUp closes the socket as the caller hanging up, and waits for the
// listener to finish. It is safe to call more than once.
func (l *Listener) HangUp() {
	l.hangingUp.Store(true)
	l.conn.Close()
	<-l.ended
}

func (l *Listener) run() {
	defer close(l.ended)
	var b strings.Builder
	turn := func() {
		if b.Len() > 0 {
			l.on(Heard{Speech: b.String()})
			b.Reset()
		}
		select {
		case l.turns <- struct{}{}:
		default:
		}
	}
	for {
		f, err := l.conn.ReadFrame(context.Background())
		switch {
		case errors.Is(err, relay.ErrBadFrame):
			l.on(Heard{BadFrame: err})
			continue
		case err != nil:
			turn()
			if !l.hangingUp.Load() {
				l.on(Heard{Closed: err})
			}
			return
		}
		switch f := f.(type) {
		case *relay.TextFrame:
			b.WriteString(f.Token)
			if f.Last {
				turn()
			}
		case *relay.PlayFrame:
			l.on(Heard{Play: f.Source})
		case *relay.SendDigitsFrame:
			l.on(Heard{Digits: f.Digits})
		case *relay.LanguageFrame:
			l.on(Heard{Language: f})
		case *relay.EndFrame:
			turn()
			l.end = f
			l.on(Heard{End: f})
			return
		}
	}
}

// Finish ends the call from Twilio's side once its socket is done: when the
// agent ended the session (end, from Listener.End) Twilio posts the
// <Connect action> and runs the TwiML it answers (next); then, whoever hung
// up, the completed status callback. The action's failure does not stop
// the status; both are in err.
func (c *Call) Finish(ctx context.Context, end *relay.EndFrame) (next *Response, err error) {
	var actionErr error
	if end != nil && c.TwiML != nil && c.TwiML.Action != "" {
		if next, actionErr = c.PostAction(ctx, end.HandoffData, nil); actionErr != nil {
			actionErr = fmt.Errorf("action: %w", actionErr)
		}
	}
	if err := c.Hangup(ctx); err != nil {
		return next, errors.Join(actionErr, fmt.Errorf("status: %w", err))
	}
	return next, actionErr
}

// Decline ends a call whose TwiML does not connect an agent, with the final
// status Twilio posts for it (busy or no-answer for a <Reject>, by its
// reason; completed otherwise), which it answers.
func (c *Call) Decline(ctx context.Context) (string, error) {
	status := "completed"
	if c.TwiML != nil && c.TwiML.Kind == KindReject {
		status = "no-answer"
		if c.TwiML.RejectReason == "busy" {
			status = "busy"
		}
	}
	return status, c.Status(ctx, status, nil)
}

// Describe says what Twilio does with r, one line each, as a caller would
// hear and see it: every <Say>, then the verb that decides the call.
func (r *Response) Describe() []string {
	var out []string
	for _, s := range r.Say {
		out = append(out, "humd says: "+s)
	}
	switch r.Kind {
	case KindReject:
		reason := r.RejectReason
		if reason == "" {
			reason = "rejected"
		}
		out = append(out, fmt.Sprintf("humd rejected the call (reason %q)", reason))
	case KindRecord:
		out = append(out, "humd takes a voicemail (nothing is recorded here; hanging up)")
	case KindDial:
		out = append(out, "humd forwards the call to "+r.Dial)
	case KindConnect:
		out = append(out, "humd connects the call to an agent again at "+r.RelayURL)
	default:
		out = append(out, "humd hangs up")
	}
	return out
}
