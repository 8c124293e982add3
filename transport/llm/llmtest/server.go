package llmtest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/humd/humd/transport/conntest"
)

// DefaultText is answered when the script is empty.
const DefaultText = "ok"

// Call is one function call a scripted answer makes.
type Call struct {
	Name      string
	Arguments string // JSON
}

// Request is one decoded POST /v1/responses body.
type Request struct {
	Model        string
	Instructions string
	Input        []InputItem
	Tools        []Tool
	// ParallelToolCalls and Store are nil when the client left them out.
	ParallelToolCalls *bool
	Store             *bool
	// ToolChoice is the mode ("none", "auto", "required") or the raw JSON of
	// an object choice; "" when absent.
	ToolChoice string
	// Stream is set when the client asked for server-sent events
	// (Responses.NewStreaming).
	Stream bool
	Raw    []byte
}

// InputItem is one element of the request's input list, flattened.
type InputItem struct {
	Type    string // message | function_call | function_call_output
	Role    string // messages only
	Content string // message text (input_text/output_text parts joined)
	// Function calls and their outputs.
	ID        string
	CallID    string
	Name      string
	Arguments string
	Output    string
}

// Tool is one tool definition the client sent.
type Tool struct {
	Type        string
	Name        string
	Description string
	Strict      *bool
	Parameters  map[string]any
}

type stepKind int

const (
	stepText stepKind = iota
	stepCalls
	stepFail
	stepHang
	stepRaw
)

type step struct {
	kind   stepKind
	text   string
	calls  []Call
	status int
	msg    string
}

// Server is the fake. Its zero value is not usable; call Start or New.
type Server struct {
	// URL is the httptest server's root, e.g. http://127.0.0.1:port.
	URL string

	srv       *httptest.Server
	conns     conntest.Conns
	quit      chan struct{}
	closeOnce sync.Once

	mu         sync.Mutex
	script     []step
	reqs       []Request
	model      string
	seq        int
	delay      time.Duration
	chunkDelay time.Duration
	onRequest  func(*Request)
	usage      Usage
}

// Usage is token counts as the fake reports them.
type Usage struct {
	InputTokens  int64
	OutputTokens int64
}

// Total is input plus output tokens.
func (u Usage) Total() int64 { return u.InputTokens + u.OutputTokens }

// Option configures a Server made by New or Start.
type Option func(*Server)

// Delay makes every answer wait d before it is written, like a model's
// thinking time (hung answers still hang; a closing server or a client that
// gives up cuts the wait short).
func Delay(d time.Duration) Option { return func(s *Server) { s.delay = d } }

// OnRequest calls f with every decoded request as it arrives, on the
// handler's goroutine (concurrently for concurrent requests). With it the
// server keeps no request log, so Requests answers nothing: a load
// generator sending thousands of requests counts them in f instead.
func OnRequest(f func(*Request)) Option { return func(s *Server) { s.onRequest = f } }

// New runs a fake on loopback until Close, for use outside tests (the bench
// harness). Without a script every answer is DefaultText.
func New(opts ...Option) *Server {
	s := &Server{quit: make(chan struct{})}
	for _, o := range opts {
		o(s)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/responses", s.responses)
	s.srv = httptest.NewUnstartedServer(mux)
	s.srv.Config.ConnState = s.conns.State
	s.srv.Start()
	s.URL = s.srv.URL
	return s
}

// Conns is how many connections clients have opened so far.
func (s *Server) Conns() int { return s.conns.N() }

// Start runs a fake on loopback, closed when the test ends.
func Start(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s := New(opts...)
	t.Cleanup(s.Close)
	return s
}

// Close stops the server, releasing hung and delayed handlers first
// (httptest's Close waits for them). It is safe to call more than once.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		close(s.quit)
		s.srv.Close()
	})
}

// SetDelay changes the Delay of answers to requests that arrive from now on.
func (s *Server) SetDelay(d time.Duration) {
	s.mu.Lock()
	s.delay = d
	s.mu.Unlock()
}

// SetChunkDelay makes streamed answers to requests that arrive from now on
// wait d before each delta event, so a test can interrupt a turn mid-answer
// (a client that goes away or a closing server cuts the wait short). The
// default is 0.
func (s *Server) SetChunkDelay(d time.Duration) {
	s.mu.Lock()
	s.chunkDelay = d
	s.mu.Unlock()
}

// BaseURL is what to hand openai-go (option.WithBaseURL): the client joins
// "responses" onto it, so requests land on /v1/responses.
func (s *Server) BaseURL() string { return s.URL + "/v1/" }

// ReplyText queues a completed answer whose output is one assistant message.
// Streamed, the text arrives as one output_text delta per word.
func (s *Server) ReplyText(text string) { s.push(step{kind: stepText, text: text}) }

// ReplyToolCall queues an answer that is one function call.
func (s *Server) ReplyToolCall(name, argsJSON string) {
	s.ReplyToolCalls(Call{Name: name, Arguments: argsJSON})
}

// ReplyToolCalls queues one answer holding several function calls, in order.
func (s *Server) ReplyToolCalls(calls ...Call) {
	s.push(step{kind: stepCalls, calls: append([]Call(nil), calls...)})
}

// FailNext queues an API error answer with status and message. It carries
// retry-after-ms: 0, so openai-go retries at once instead of backing off.
func (s *Server) FailNext(status int, msg string) {
	s.push(step{kind: stepFail, status: status, msg: msg})
}

// Hang queues an answer that never comes: the handler waits until the client
// gives up or the server closes. A stream request gets response.created
// first, then nothing.
func (s *Server) Hang() { s.push(step{kind: stepHang}) }

// ReportModel makes answers report model instead of echoing the request's.
func (s *Server) ReportModel(model string) {
	s.mu.Lock()
	s.model = model
	s.mu.Unlock()
}

// Usage answers the tokens of every completed answer written so far (failed
// and hung answers bill nothing), so a test can check that what humd
// recorded sums exactly what the "provider" reported.
func (s *Server) Usage() Usage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.usage
}

func (s *Server) bill(u Usage) {
	s.mu.Lock()
	s.usage.InputTokens += u.InputTokens
	s.usage.OutputTokens += u.OutputTokens
	s.mu.Unlock()
}

// Requests answers a copy of every request received so far, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.reqs...)
}

func (s *Server) push(st step) {
	s.mu.Lock()
	s.script = append(s.script, st)
	s.mu.Unlock()
}

// ReplyRaw answers the next request with 200 and body as given: malformed
// output (cut JSON, a wrong shape) for error-path tests. A stream request
// gets the body as text/event-stream, so it can hold hand-written events
// (response.failed, error, a stream cut short).
func (s *Server) ReplyRaw(body string) { s.push(step{kind: stepRaw, msg: body}) }

func (s *Server) responses(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		writeError(w, http.StatusBadRequest, "unreadable body")
		return
	}
	req, err := decodeRequest(body)
	if err != nil {
		writeError(w, http.StatusBadRequest, "invalid JSON body: "+err.Error())
		return
	}

	s.mu.Lock()
	if s.onRequest == nil {
		s.reqs = append(s.reqs, req)
	}
	st := step{kind: stepText, text: DefaultText}
	if len(s.script) > 0 {
		st, s.script = s.script[0], s.script[1:]
	}
	s.seq++
	seq := s.seq
	model, delay, chunkDelay, onRequest := s.model, s.delay, s.chunkDelay, s.onRequest
	s.mu.Unlock()
	if model == "" {
		model = req.Model
	}
	if onRequest != nil {
		onRequest(&req)
	}
	if delay > 0 && st.kind != stepHang {
		t := time.NewTimer(delay)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		case <-s.quit:
			t.Stop()
			return
		}
	}

	switch st.kind {
	case stepFail:
		w.Header().Set("Retry-After-Ms", "0")
		writeError(w, st.status, st.msg)
		return
	case stepRaw:
		if req.Stream {
			w.Header().Set("Content-Type", "text/event-stream")
		} else {
			w.Header().Set("Content-Type", "application/json")
		}
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte(st.msg))
		return
	case stepHang:
		if req.Stream {
			ev := s.newEvents(w, r, 0)
			_ = ev.send("response.created", map[string]any{"response": inProgress(responseObject(seq, model, &req, nil))})
		}
		select {
		case <-r.Context().Done():
		case <-s.quit:
		}
		return
	}

	var output []any
	if st.kind == stepText {
		output = append(output, map[string]any{
			"type": "message", "id": fmt.Sprintf("msg_%03d", seq), "status": "completed", "role": "assistant",
			"content": []any{map[string]any{"type": "output_text", "text": st.text, "annotations": []any{}}},
		})
	}
	for i, c := range st.calls {
		output = append(output, map[string]any{
			"type": "function_call", "id": fmt.Sprintf("fc_%03d_%d", seq, i), "call_id": CallID(seq, i),
			"name": c.Name, "arguments": c.Arguments, "status": "completed",
		})
	}
	resp := responseObject(seq, model, &req, output)
	if req.Stream {
		s.stream(w, r, chunkDelay, resp, usageOf(&req, output))
		return
	}
	s.bill(usageOf(&req, output))
	writeJSON(w, http.StatusOK, resp)
}

// usageOf is the fake's token count: about four bytes a token, as OpenAI
// estimates English text, over the request body sent and over the output's
// text and function calls. It is deterministic, grows with the transcript
// the client resends, and is never zero, so sums in tests are meaningful.
func usageOf(req *Request, output []any) Usage {
	n := 0
	for _, it := range output {
		item, _ := it.(map[string]any)
		if name, ok := item["name"].(string); ok {
			args, _ := item["arguments"].(string)
			n += len(name) + len(args)
		}
		if parts, ok := item["content"].([]any); ok {
			for _, p := range parts {
				pm, _ := p.(map[string]any)
				text, _ := pm["text"].(string)
				n += len(text)
			}
		}
	}
	return Usage{InputTokens: int64(len(req.Raw)+3)/4 + 1, OutputTokens: int64(n+3)/4 + 1}
}

// CallID is the call_id of the i-th call (from 0) in the answer to the seq-th
// request (from 1), so tests can predict what the client echoes back.
func CallID(seq, i int) string { return fmt.Sprintf("call_%03d_%d", seq, i) }

// responseObject is shaped like the real Response object, including the
// fields openai-go marks required.
func responseObject(seq int, model string, req *Request, output []any) map[string]any {
	choice := any("auto")
	if req.ToolChoice != "" && json.Valid([]byte(req.ToolChoice)) && req.ToolChoice[0] == '{' {
		choice = json.RawMessage(req.ToolChoice)
	} else if req.ToolChoice != "" {
		choice = req.ToolChoice
	}
	parallel := true
	if req.ParallelToolCalls != nil {
		parallel = *req.ParallelToolCalls
	}
	u := usageOf(req, output)
	var instructions any
	if req.Instructions != "" {
		instructions = req.Instructions
	}
	return map[string]any{
		"id":                  fmt.Sprintf("resp_%03d", seq),
		"object":              "response",
		"created_at":          time.Now().Unix(),
		"status":              "completed",
		"error":               nil,
		"incomplete_details":  nil,
		"instructions":        instructions,
		"metadata":            map[string]any{},
		"model":               model,
		"output":              output,
		"parallel_tool_calls": parallel,
		"temperature":         1.0,
		"top_p":               1.0,
		"tool_choice":         choice,
		"tools":               []any{},
		"usage": map[string]any{
			"input_tokens": u.InputTokens, "input_tokens_details": map[string]any{"cached_tokens": 0},
			"output_tokens": u.OutputTokens, "output_tokens_details": map[string]any{"reasoning_tokens": 0},
			"total_tokens": u.Total(),
		},
	}
}

func writeError(w http.ResponseWriter, status int, msg string) {
	typ := "invalid_request_error"
	if status >= 500 {
		typ = "server_error"
	}
	writeJSON(w, status, map[string]any{"error": map[string]any{"message": msg, "type": typ, "param": nil, "code": nil}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
