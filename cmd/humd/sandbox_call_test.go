package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/fasthttp/websocket"

	"github.com/humd/humd/transport/relay"
	"github.com/humd/humd/transport/twilio"
)

func TestParseLine(t *testing.T) {
	tests := []struct {
		in   string
		act  lineAction
		text string
	}{
		{"", lineSkip, ""},
		{"   ", lineSkip, ""},
		{"When are you open?", linePrompt, "When are you open?"},
		{"  hi  ", linePrompt, "hi"},
		{"#5", lineDTMF, "5"},
		{"#12*#", lineDTMF, "12*#"},
		{"##", lineDTMF, "#"},
		{"#", linePrompt, "#"},
		{"#1 is my choice", linePrompt, "#1 is my choice"},
		{"/hangup", lineHangup, ""},
		{" /hangup ", lineHangup, ""},
		{"/hangup now", linePrompt, "/hangup now"},
	}
	for _, tc := range tests {
		act, text := parseLine(tc.in)
		if act != tc.act || text != tc.text {
			t.Errorf("parseLine(%q) = %v, %q; want %v, %q", tc.in, act, text, tc.act, tc.text)
		}
	}
}

// sandboxHumd is a stand-in for humd in sandbox mode, enough for the command:
// POST /api/sandbox/calls, the signed voice webhooks, and a relay socket whose agent
// echoes speech, answers keys, and ends the call with a handoff on "bye".
type sandboxHumd struct {
	srv   *httptest.Server
	twiml string

	mu    sync.Mutex
	hooks []string // "path CallStatus" for each validly signed webhook
	bad   int      // webhooks or upgrades with a bad signature
}

// sandboxToken is the call token the fake hands out for sandboxSID: the
// command must sign that call's webhooks and socket with it.
const (
	sandboxToken = "sandboxtoken0123"
	sandboxSID   = "CA0123456789abcdef0123456789abcdef"
)

func startSandboxHumd(t *testing.T, twiml func(base string) string) *sandboxHumd {
	t.Helper()
	h := &sandboxHumd{}
	h.srv = httptest.NewServer(h)
	t.Cleanup(h.srv.Close)
	h.twiml = twiml(h.srv.URL)
	return h
}

func (h *sandboxHumd) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	sig := r.Header.Get(relay.SignatureHeader)
	switch {
	case r.URL.Path == "/api/sandbox/calls":
		var req struct{ From, To string }
		if r.Method != "POST" || r.Header.Get("Authorization") != "Bearer opkey" || json.NewDecoder(r.Body).Decode(&req) != nil {
			http.Error(w, "no", http.StatusUnauthorized)
			return
		}
		io.WriteString(w, `{"call_sid":"`+sandboxSID+`","call_id":"call_7","from":"`+req.From+`","to":"`+req.To+`","call_token":"`+sandboxToken+`"}`)
	case r.URL.Path == relay.Path:
		if !twilio.ValidateParams(sandboxToken, relay.WSURL(h.srv.URL), nil, sig) {
			h.mu.Lock()
			h.bad++
			h.mu.Unlock()
			http.Error(w, "bad signature", http.StatusForbidden)
			return
		}
		ws, err := (&websocket.Upgrader{}).Upgrade(w, r, nil)
		if err != nil {
			return
		}
		go agent(ws)
	default:
		body, _ := io.ReadAll(r.Body)
		form, _ := url.ParseQuery(string(body))
		h.mu.Lock()
		if twilio.ValidateSignature(sandboxToken, h.srv.URL, r.URL.RequestURI(), body, sig) && form.Get("CallSid") == sandboxSID {
			h.hooks = append(h.hooks, r.URL.Path+" "+form.Get("CallStatus")+form.Get("HandoffData"))
		} else {
			h.bad++
		}
		h.mu.Unlock()
		w.Header().Set("Content-Type", "text/xml")
		if r.URL.Path == "/twilio/voice" {
			io.WriteString(w, h.twiml)
			return
		}
		io.WriteString(w, `<Response><Say>Transferring you now.</Say><Dial>+13175550111</Dial></Response>`)
	}
}

func agent(ws *websocket.Conn) {
	defer ws.Close()
	for {
		_, raw, err := ws.ReadMessage()
		if err != nil {
			return
		}
		v, _ := relay.Decode(raw)
		var out [][]byte
		switch m := v.(type) {
		case *relay.Prompt:
			if m.VoicePrompt == "bye" {
				out = append(out, relay.Text("Let me get someone.", true), relay.End(map[string]string{"reason": "human"}))
			} else {
				out = append(out, relay.Text("You said ", false), relay.Text(m.VoicePrompt, true))
			}
		case *relay.DTMF:
			out = append(out, relay.Text("Key "+m.Digit, true))
		}
		for _, o := range out {
			if ws.WriteMessage(websocket.TextMessage, o) != nil {
				return
			}
		}
	}
}

func (h *sandboxHumd) record() ([]string, int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.hooks...), h.bad
}

func connectTwiML(base string) string {
	ws := relay.WSURL(base)
	return `<Response><Connect action="` + base + `/twilio/voice/action"><ConversationRelay url="` + ws +
		`" welcomeGreeting="Hi, Acme here."><Parameter name="call_id" value="call_7"/></ConversationRelay></Connect></Response>`
}

func runCall(t *testing.T, h *sandboxHumd, stdin io.Reader) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := sandboxCall(context.Background(), []string{"--to", "+15005550006", "--url", h.srv.URL, "--key", "opkey", "--wait", "10s"},
		stdin, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestSandboxCallTalk(t *testing.T) {
	h := startSandboxHumd(t, connectTwiML)
	code, out, errOut := runCall(t, h, strings.NewReader("hello there\n\n/hangup\nnot sent\n"))
	want := "agent: Hi, Acme here.\nagent: You said hello there\ncall call_7 ended ("
	if code != 0 || !strings.HasPrefix(out, want) || errOut != "" {
		t.Errorf("sandbox call = %d\nstdout %q\nstderr %q\nwant stdout starting %q", code, out, errOut, want)
	}
	hooks, bad := h.record()
	if strings.Join(hooks, ",") != "/twilio/voice ringing,/twilio/voice/status completed" || bad != 0 {
		t.Errorf("humd got %v (%d badly signed)", hooks, bad)
	}
}

func TestSandboxCallAgentEnds(t *testing.T) {
	h := startSandboxHumd(t, connectTwiML)
	// The caller's input stays open: at its end the command hangs up, which
	// could beat the agent's end frame already on the way.
	typing, typed := io.Pipe()
	t.Cleanup(func() { typed.Close() })
	go io.WriteString(typed, "#5\nbye\nnever read\n")
	code, out, errOut := runCall(t, h, typing)
	for _, want := range []string{"agent: Key 5\n", "agent: Let me get someone.\n", `agent ended the call, handoff {"reason":"human"}` + "\n",
		"humd says: Transferring you now.\nhumd forwards the call to +13175550111\ncall call_7 ended ("} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout %q lacks %q", out, want)
		}
	}
	if code != 0 || errOut != "" {
		t.Errorf("sandbox call = %d, stderr %q", code, errOut)
	}
	hooks, bad := h.record()
	if strings.Join(hooks, ",") != `/twilio/voice ringing,/twilio/voice/action in-progress{"reason":"human"},/twilio/voice/status completed` || bad != 0 {
		t.Errorf("humd got %v (%d badly signed)", hooks, bad)
	}
}

func TestSandboxCallRejected(t *testing.T) {
	h := startSandboxHumd(t, func(string) string { return `<Response><Reject reason="busy"/></Response>` })
	code, out, errOut := runCall(t, h, strings.NewReader(""))
	if code != 0 || !strings.Contains(out, `humd rejected the call (reason "busy")`) || errOut != "" {
		t.Errorf("sandbox call = %d\nstdout %q\nstderr %q", code, out, errOut)
	}
	if hooks, _ := h.record(); strings.Join(hooks, ",") != "/twilio/voice ringing,/twilio/voice/status busy" {
		t.Errorf("humd got %v", hooks)
	}
}

func TestSandboxCallUsage(t *testing.T) {
	var stderr bytes.Buffer
	if code := sandboxCall(context.Background(), nil, strings.NewReader(""), io.Discard, &stderr); code != 2 {
		t.Errorf("sandbox call without flags = %d; want 2", code)
	}
}
