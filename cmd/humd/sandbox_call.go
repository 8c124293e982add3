package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/humd/humd/transport/relay"
	"github.com/humd/humd/transport/relay/relayclient"
)

// sandboxCall places a simulated inbound call to a sandbox number and lets
// you talk to the agent by typing:
//
//	humd sandbox call --to +15005550006
//
// It plays Twilio: it asks humd for the call's own webhook token (POST
// /api/sandbox/calls, or .../calls/{id}/answer for an outbound call; an
// operator key of the number's org), signs the voice webhook with it, reads
// the TwiML, opens the ConversationRelay socket and sends setup. Each line
// of stdin is then one thing the caller says; "#5" presses 5 (any of 0-9 *
// #, several in a row); "/hangup" or end of input hangs up. The agent's
// speech is printed as "agent: ..." as it arrives. A rejected call or
// voicemail is printed and the command exits 0.
func sandboxCall(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("humd sandbox call", flag.ContinueOnError)
	fs.SetOutput(stderr)
	o := sandboxCallFlags(fs)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	return runSandboxCall(ctx, o, stdin, stdout, stderr)
}

// callOpts are humd sandbox call's flags.
type callOpts struct {
	to, from, base, public, key, answer *string
	wait                                *time.Duration
}

func sandboxCallFlags(fs *flag.FlagSet) *callOpts {
	return &callOpts{
		to:     fs.String("to", "", "the sandbox number to call (E.164)"),
		from:   fs.String("from", "+13175550100", "the caller's number (E.164)"),
		base:   fs.String("url", defaultURL(), "humd base URL (HUMD_URL)"),
		public: fs.String("public-url", os.Getenv("HUMD_PUBLIC_URL"), "the public URL humd signs webhooks for (HUMD_PUBLIC_URL; default --url)"),
		key:    fs.String("key", os.Getenv("HUMD_API_KEY"), "an operator or admin API key of the org (HUMD_API_KEY)"),
		wait:   fs.Duration("wait", 30*time.Second, "how long to wait for the agent to answer each line"),
		answer: fs.String("answer", "", "answer an outbound call the sandbox carrier placed: its call id, or \"latest\""),
	}
}

func runSandboxCall(ctx context.Context, o *callOpts, stdin io.Reader, stdout, stderr io.Writer) int {
	to, from, base, public, key, answer, wait := o.to, o.from, o.base, o.public, o.key, o.answer, o.wait
	if *answer == "" && *to == "" || *from == "" || *key == "" {
		fmt.Fprintln(stderr, "humd sandbox call: --to and --key (or HUMD_API_KEY) are required")
		return 2
	}
	humdURL := strings.TrimRight(*base, "/")
	cl := &client{base: humdURL, key: *key, http: &http.Client{Timeout: 15 * time.Second}}
	sc, err := sandboxCallOf(cl, *answer, *from, *to)
	if err != nil {
		fmt.Fprintln(stderr, "humd sandbox call:", err)
		return 1
	}
	dialCtx, cancel := context.WithTimeout(ctx, 15*time.Second)
	var call *relayclient.Call
	if *answer == "" {
		call, err = relayclient.PlaceInbound(dialCtx, relayclient.InboundOptions{HumdURL: humdURL, PublicURL: *public,
			AuthToken: sc.CallToken, CallSid: sc.CallSID, From: sc.From, To: sc.To, HTTPClient: cl.http})
	} else {
		// The sandbox carrier keeps the TwiML of each call humd placed; the
		// callee "picks up" by running it, as Twilio would.
		call, err = relayclient.AnswerOutbound(dialCtx, relayclient.AnswerOptions{HumdURL: humdURL, PublicURL: *public,
			AuthToken: sc.CallToken, TwiML: sc.TwiML, CallSid: sc.CallSID, From: sc.From, To: sc.To,
			StatusCallback: sc.StatusCallback, HTTPClient: cl.http})
	}
	cancel()
	if err != nil {
		fmt.Fprintln(stderr, "humd sandbox call:", err)
		return 1
	}
	out := &syncWriter{w: stdout}
	if call.TwiML.Kind != relayclient.KindConnect {
		return noAgent(call, out, stderr)
	}
	if call.Greeting != "" {
		out.printf("agent: %s\n", call.Greeting)
	}
	end := talk(ctx, call.Conn, stdin, out, *wait)

	// Hang up: Twilio posts the <Connect action> when the agent ended the
	// session, then the final status, whoever hung up.
	done, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	next, err := call.Finish(done, end)
	if next != nil {
		describe(next, out)
	}
	if err != nil {
		fmt.Fprintln(stderr, "humd sandbox call:", err)
		return 1
	}
	out.printf("call %s ended (%s)\n", callID(call), call.SID)
	return 0
}

// sandboxCallInfo is what humd answers for a call to play, with the token
// that signs that call's webhooks and relay socket only.
type sandboxCallInfo struct {
	CallSID        string `json:"call_sid"`
	CallID         string `json:"call_id"`
	From           string `json:"from"`
	To             string `json:"to"`
	TwiML          string `json:"twiml"`
	StatusCallback string `json:"status_callback"`
	CallToken      string `json:"call_token"`
}

// sandboxCallOf asks humd for a new inbound call from -> to, or for the
// org's outbound call answer names ("latest": the org's newest).
func sandboxCallOf(cl *client, answer, from, to string) (*sandboxCallInfo, error) {
	var sc sandboxCallInfo
	if answer == "" {
		return &sc, cl.do("POST", "/api/sandbox/calls", map[string]string{"from": from, "to": to}, &sc)
	}
	if answer == "latest" {
		var state struct {
			Calls []struct {
				CallID string `json:"call_id"`
			} `json:"calls"`
		}
		if err := cl.do("GET", "/api/sandbox", nil, &state); err != nil {
			return nil, err
		}
		if len(state.Calls) == 0 {
			return nil, errors.New("no outbound call in the sandbox carrier's log")
		}
		answer = state.Calls[len(state.Calls)-1].CallID
	}
	return &sc, cl.do("POST", "/api/sandbox/calls/"+url.PathEscape(answer)+"/answer", nil, &sc)
}

// noAgent reports TwiML that does not connect the agent, and posts the final
// status Twilio would.
func noAgent(call *relayclient.Call, out *syncWriter, stderr io.Writer) int {
	describe(call.TwiML, out)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	status, err := call.Decline(ctx)
	if err != nil {
		fmt.Fprintln(stderr, "humd sandbox call: status:", err)
		return 1
	}
	out.printf("call %s ended %s (%s)\n", callID(call), status, call.SID)
	return 0
}

func describe(r *relayclient.Response, out *syncWriter) {
	for _, line := range r.Describe() {
		out.printf("%s\n", line)
	}
}

// callID is humd's id for the call when its TwiML passes one to the socket.
func callID(call *relayclient.Call) string {
	if call.TwiML != nil && call.TwiML.Parameters["call_id"] != "" {
		return call.TwiML.Parameters["call_id"]
	}
	return call.SID
}

// talk runs the conversation until stdin ends, the user hangs up, ctx ends,
// or the agent ends the session, whose end frame it returns. It closes conn.
func talk(ctx context.Context, conn *relayclient.Conn, stdin io.Reader, out *syncWriter, wait time.Duration) *relay.EndFrame {
	l := relayclient.Listen(conn, func(h relayclient.Heard) { printHeard(h, out) })
	lines := make(chan string)
	go func() {
		// This goroutine may outlive talk, blocked on a terminal; the process
		// is about to exit then.
		defer close(lines)
		sc := bufio.NewScanner(stdin)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			case <-l.Ended():
				return
			}
		}
	}()
	defer l.HangUp()
	for {
		// An agent that ended the call wins over a line already typed.
		select {
		case <-l.Ended():
			return l.End()
		default:
		}
		var line string
		var ok bool
		select {
		case <-ctx.Done():
			return nil
		case <-l.Ended():
			return l.End()
		case line, ok = <-lines:
		}
		if !ok {
			return nil
		}
		act, arg := parseLine(line)
		var err error
		switch act {
		case lineSkip:
			continue
		case lineHangup:
			return nil
		case lineDTMF:
			// The agent may or may not answer a key; whatever it says is
			// printed as it comes.
			for _, d := range arg {
				if err = conn.DTMF(string(d)); err != nil {
					break
				}
			}
		case linePrompt:
			var answered bool
			answered, err = l.Say(ctx, arg, wait)
			if err == nil && !answered {
				out.printf("(no reply within %s)\n", wait)
			}
			if ctx.Err() != nil {
				err = nil // the loop's next select returns
			}
		}
		if err != nil {
			out.printf("(call lost: %v)\n", err)
			return nil
		}
	}
}

type lineAction int

const (
	lineSkip lineAction = iota
	linePrompt
	lineDTMF
	lineHangup
)

// parseLine reads one line of the caller: "/hangup" hangs up, "#" followed by
// keys (0-9, *, #) presses them, a blank line is nothing, anything else is
// speech.
func parseLine(line string) (lineAction, string) {
	s := strings.TrimSpace(line)
	switch {
	case s == "":
		return lineSkip, ""
	case s == "/hangup":
		return lineHangup, ""
	case len(s) > 1 && s[0] == '#' && strings.Trim(s[1:], "0123456789*#") == "":
		return lineDTMF, s[1:]
	}
	return linePrompt, s
}

// printHeard prints what the agent does, as it arrives.
func printHeard(h relayclient.Heard, out *syncWriter) {
	switch {
	case h.Speech != "":
		out.printf("agent: %s\n", h.Speech)
	case h.Play != "":
		out.printf("agent plays %s\n", h.Play)
	case h.Digits != "":
		out.printf("agent presses %s\n", h.Digits)
	case h.Language != nil:
		out.printf("agent switches language (speech %q, transcription %q)\n", h.Language.TTSLanguage, h.Language.TranscriptionLanguage)
	case h.End != nil && h.End.HandoffData != "":
		out.printf("agent ended the call, handoff %s\n", h.End.HandoffData)
	case h.End != nil:
		out.printf("agent ended the call\n")
	case h.BadFrame != nil:
		out.printf("(humd sent a bad frame: %v)\n", h.BadFrame)
	case h.Closed != nil:
		out.printf("(humd closed the call: %v)\n", h.Closed)
	}
}

// syncWriter serialises output from the listener and the main loop.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) printf(format string, args ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fmt.Fprintf(s.w, format, args...)
}
