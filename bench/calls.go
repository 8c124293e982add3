package bench

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/humd/humd/app"
	"github.com/humd/humd/storage/calls"
	"github.com/humd/humd/transport/llm/llmtest"
	"github.com/humd/humd/transport/relay"
	"github.com/humd/humd/transport/relay/relayclient"
)

// Calls is the calls workload's shape: Calls simulated calls at once over
// the real ConversationRelay websocket, each saying Turns lines and waiting
// for every answer, against the fake Responses API answering after
// ModelDelay.
type Calls struct {
	Calls, Turns int
	ModelDelay   time.Duration
	// Then, when above Calls, runs the workload a second time with that many
	// calls at once (same turns and delay), on a humd and peer of its own:
	// `make bench` runs 100 and then 1,000.
	Then int
}

func (c *Calls) defaults() error {
	if c.Calls <= 0 {
		c.Calls = 100
	}
	if c.Turns <= 0 {
		c.Turns = 5
	}
	if c.Calls > 5000 || c.Then > 5000 || c.Turns > 100 {
		return fmt.Errorf("bench: calls %d × %d turns: at most 5000 calls of 100 turns", c.Calls, c.Turns)
	}
	return nil
}

// CallsCheck is the calls workload's verdict and its turn overhead: the time
// from a caller's final prompt to the agent's last token, minus the model's
// delay.
type CallsCheck struct {
	Calls        int     `json:"calls"`
	Turns        int     `json:"turns"`
	ModelDelayMs float64 `json:"model_delay_ms"`
	// FailedCalls could not be placed or lost a turn; ModelRequests are the
	// turn requests the fake received (summaries apart); NotOneRequest are
	// turns without exactly one; BadTranscripts are calls whose stored
	// transcript lacks a line; Unended calls never closed.
	FailedCalls    int     `json:"failed_calls"`
	ModelRequests  int     `json:"model_requests"`
	Summaries      int     `json:"summary_requests"`
	NotOneRequest  int     `json:"not_one_request"`
	BadTranscripts int     `json:"bad_transcripts"`
	Unended        int     `json:"unended"`
	OverheadP50Ms  float64 `json:"overhead_p50_ms"`
	OverheadP90Ms  float64 `json:"overhead_p90_ms"`
	OverheadP99Ms  float64 `json:"overhead_p99_ms"`
	OverheadMaxMs  float64 `json:"overhead_max_ms"`
	FirstTokenP50  float64 `json:"first_token_p50_ms"`
	FirstTokenP99  float64 `json:"first_token_p99_ms"`
	// HumdCPUPerTurnUs is the bench process's CPU time per turn while the
	// calls ran: humd's alone, since the fake model and the callers run in
	// a peer process, whose CPU per turn is PeerCPUPerTurnUs. HumdRSSMiB is
	// the bench process's highest resident set sampled during the calls,
	// PeerRSSMiB the peer's peak.
	HumdCPUPerTurnUs float64 `json:"humd_cpu_us_per_turn"`
	PeerCPUPerTurnUs float64 `json:"peer_cpu_us_per_turn"`
	HumdRSSMiB       float64 `json:"humd_rss_mib"`
	PeerRSSMiB       float64 `json:"peer_rss_mib"`
	FirstErr         string  `json:"first_error,omitempty"`
}

// Err is nil when every turn got exactly one model request and every call
// was stored whole.
func (c *CallsCheck) Err() error {
	if c.FailedCalls+c.NotOneRequest+c.BadTranscripts+c.Unended > 0 {
		return fmt.Errorf("calls: %d failed, %d turns without one request, %d bad transcripts, %d unended (%s)",
			c.FailedCalls, c.NotOneRequest, c.BadTranscripts, c.Unended, c.FirstErr)
	}
	return nil
}

func (c *CallsCheck) verdict() string {
	v := "ok"
	if c.Err() != nil {
		v = "FAILED"
	}
	return fmt.Sprintf("%s (%d calls × %d turns, %d requests)", v, c.Calls, c.Turns, c.ModelRequests)
}

// CallsRow is the calls verdict of r as one table row ("" without one).
func (r *Result) CallsRow() string {
	c := r.Calls
	if c == nil {
		return ""
	}
	return fmt.Sprintf("| %d × %d | %.0f | %d | %.2f | %.2f | %.2f | %.2f | %.2f / %.2f | %.0f / %.0f | %.0f / %.0f | %s |\n",
		c.Calls, c.Turns, c.ModelDelayMs, c.ModelRequests, c.OverheadP50Ms, c.OverheadP90Ms, c.OverheadP99Ms, c.OverheadMaxMs,
		c.FirstTokenP50, c.FirstTokenP99, c.HumdCPUPerTurnUs, c.PeerCPUPerTurnUs, c.HumdRSSMiB, c.PeerRSSMiB, c.verdict())
}

// CallsHeader heads the calls table.
const CallsHeader = "| calls × turns | model delay ms | turn requests | overhead p50 ms | p90 | p99 | max | first token p50 / p99 ms " +
	"| CPU µs per turn: humd / model+callers | RSS MiB: humd / model+callers | verdict |\n" +
	"|---|---|---|---|---|---|---|---|---|---|---|\n"

// callTally collects what the fake model saw, keyed by "c=<call> t=<turn>".
type callTally struct {
	run       string
	mu        sync.Mutex
	requests  map[string]int
	summaries int
}

func (t *callTally) request(r *llmtest.Request) {
	if strings.HasPrefix(r.Instructions, "You review finished phone calls") {
		t.mu.Lock()
		t.summaries++
		t.mu.Unlock()
		return
	}
	if len(r.Input) == 0 {
		return
	}
	key, ok := strings.CutPrefix(r.Input[len(r.Input)-1].Content, "bench "+t.run+" ")
	if !ok {
		return
	}
	t.mu.Lock()
	t.requests[key]++
	t.mu.Unlock()
}

func runCalls(ctx context.Context, cfg *Config) (Result, error) {
	w := cfg.Calls
	if err := w.defaults(); err != nil {
		return Result{}, err
	}
	var b [4]byte
	_, _ = rand.Read(b[:])
	run := hex.EncodeToString(b[:])
	p, modelURL, err := startPeer(ctx, run, w)
	if err != nil {
		return Result{}, err
	}
	defer p.close()
	number := "+12125559000"
	h, a, ids, err := launchHumd(app.Config{DataDir: filepath.Join(cfg.TempDir, "calls-"+run), OpenAIKey: "sk-bench",
		OpenAIBaseURL: modelURL, Model: "gpt-bench"}, app.Options{StoreOptions: cfg.StoreOptions}, number)
	if err != nil {
		return Result{}, err
	}
	defer h.Close()
	c := &fasthttp.Client{}
	st, body, err := h.call(c, "POST", "/api/flows", `{"name":"Bench voice","channel":"voice","greeting":"Hello from the bench."}`)
	if err != nil || st != 201 {
		return Result{}, fmt.Errorf("bench: create voice flow: %d %s %v", st, body, err)
	}
	flowID := jsonField(body, "id")
	if st, body, err := h.call(c, "PATCH", "/api/numbers/"+ids[0], `{"flow_id":"`+flowID+`"}`); err != nil || st != 200 {
		return Result{}, fmt.Errorf("bench: assign voice flow: %d %s %v", st, body, err)
	}

	check := &CallsCheck{Calls: w.Calls, Turns: w.Turns, ModelDelayMs: ms(w.ModelDelay)}
	rss := sampleRSS()
	before := ReadUsage()
	start := time.Now()
	var res peerResult
	if err := p.enc.Encode(peerGo{URL: h.URL, PublicURL: h.PublicURL, Token: h.Token, Number: number}); err != nil {
		return Result{}, err
	}
	if err := p.dec.Decode(&res); err != nil {
		return Result{}, fmt.Errorf("bench: the calls peer: %w", err)
	}
	elapsed := time.Since(start)
	after := ReadUsage()
	check.HumdRSSMiB = float64(rss.Peak()) / (1 << 20)
	check.PeerRSSMiB = float64(res.PeakRSS) / (1 << 20)
	check.FailedCalls, check.FirstErr = res.Failed, res.FirstErr
	overheads, firsts := res.Overheads, res.Firsts
	if n := len(overheads); n > 0 {
		check.HumdCPUPerTurnUs = float64((after.CPU - before.CPU).Microseconds()) / float64(n)
		check.PeerCPUPerTurnUs = float64(res.CPU.Microseconds()) / float64(n)
	}
	// Every call ends (its final status was posted) and is stored whole.
	deadline := time.Now().Add(time.Minute)
	for _, id := range res.CallIDs {
		for {
			cl, err := calls.Get(h.Store, h.OrgID, id)
			if err == nil && cl.EndedAt != nil {
				turns, err := calls.Turns(h.Store, h.OrgID, id)
				if err != nil || !wholeTranscript(turns, run, w.Turns) {
					check.BadTranscripts++
				}
				break
			}
			if time.Now().After(deadline) {
				check.Unended++
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	if err := p.enc.Encode(struct{}{}); err != nil {
		return Result{}, err
	}
	var tally peerTally
	if err := p.dec.Decode(&tally); err != nil {
		return Result{}, fmt.Errorf("bench: the calls peer's tally: %w", err)
	}
	for i := range w.Calls {
		for j := range w.Turns {
			n := tally.Requests[fmt.Sprintf("c=%d t=%d", i, j)]
			check.ModelRequests += n
			if n != 1 {
				check.NotOneRequest++
			}
		}
	}
	check.Summaries = tally.Summaries
	slices.Sort(overheads)
	slices.Sort(firsts)
	pct := func(d []time.Duration, p float64) float64 { return ms((&Stats{Latencies: d}).Percentile(p)) }
	check.OverheadP50Ms, check.OverheadP90Ms, check.OverheadP99Ms = pct(overheads, 0.5), pct(overheads, 0.9), pct(overheads, 0.99)
	check.FirstTokenP50, check.FirstTokenP99 = pct(firsts, 0.5), pct(firsts, 0.99)
	if n := len(overheads); n > 0 {
		check.OverheadMaxMs = ms(overheads[n-1])
	}
	stats := &Stats{Name: "calls", Requests: uint64(len(overheads)), Elapsed: elapsed, Latencies: overheads,
		Errors: uint64(w.Calls*w.Turns - len(overheads))}
	r := cfg.result("calls", "humd", stats, before, after)
	r.PeakRSSMiB = check.HumdRSSMiB
	r.Conns, r.Workers = w.Calls, w.Calls
	r.Mix, r.Contacts = fmt.Sprintf("%d calls × %d turns", w.Calls, w.Turns), w.Calls
	r.Live = a.Calls.Live()
	r.Calls = check
	return r, nil
}

// wholeTranscript reports whether a call's stored lines are the greeting,
// then each of its turns' caller line and one agent line, in order.
func wholeTranscript(turns []*calls.Turn, run string, n int) bool {
	if len(turns) != 1+2*n || turns[0].Role != "agent" {
		return false
	}
	for j := range n {
		caller, agent := turns[1+2*j], turns[2+2*j]
		if caller.Role != "caller" || !strings.HasPrefix(caller.Text, "bench "+run+" ") ||
			!strings.HasSuffix(caller.Text, fmt.Sprintf(" t=%d", j)) || agent.Role != "agent" || agent.Interrupted {
			return false
		}
	}
	return true
}

// benchCall places one call and says Turns lines, timing each answer: the
// overhead is prompt-to-last-token minus the model's delay; first is
// prompt-to-first-token minus the delay.
func benchCall(ctx context.Context, h *Humd, number, run string, i int, w Calls) (string, []time.Duration, []time.Duration, error) {
	cctx, cancel := context.WithTimeout(ctx, time.Minute+time.Duration(w.Turns)*(w.ModelDelay+5*time.Second))
	defer cancel()
	call, err := relayclient.PlaceInbound(cctx, relayclient.InboundOptions{HumdURL: h.URL, PublicURL: h.PublicURL, AuthToken: h.Token,
		From: fmt.Sprintf("+1646%07d", 1_000_000+i), To: number})
	if err != nil {
		return "", nil, nil, err
	}
	if call.Conn == nil {
		return "", nil, nil, fmt.Errorf("call %d: humd answered %s, not the agent", i, call.TwiML.Kind)
	}
	defer call.Conn.Close()
	var overheads, firsts []time.Duration
	for j := range w.Turns {
		t0 := time.Now()
		if err := call.Conn.Prompt(fmt.Sprintf("bench %s c=%d t=%d", run, i, j)); err != nil {
			return "", overheads, firsts, err
		}
		first := time.Duration(0)
		for {
			f, err := call.Conn.ReadFrame(cctx)
			if err != nil {
				return "", overheads, firsts, fmt.Errorf("call %d turn %d: %w", i, j, err)
			}
			tf, ok := f.(*relay.TextFrame)
			if !ok {
				continue
			}
			if first == 0 {
				first = time.Since(t0) - w.ModelDelay
			}
			if tf.Last {
				break
			}
		}
		overheads = append(overheads, time.Since(t0)-w.ModelDelay)
		firsts = append(firsts, first)
	}
	_ = call.Conn.Close()
	if err := call.Hangup(cctx); err != nil {
		return "", overheads, firsts, err
	}
	return call.TwiML.Parameters["call_id"], overheads, firsts, nil
}

// jsonField answers a top-level string field of a JSON object ("" if none).
func jsonField(raw []byte, name string) string {
	var m map[string]any
	if json.Unmarshal(raw, &m) != nil {
		return ""
	}
	v, _ := m[name].(string)
	return v
}
