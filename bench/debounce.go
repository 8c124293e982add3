package bench

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/humd/humd/actors/sender"
	"github.com/humd/humd/app"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/sms"
	"github.com/humd/humd/transport/llm/llmtest"
	"github.com/humd/humd/transport/sandbox"
	"github.com/humd/humd/transport/twilio"
)

// Debounce is the debounce workload's shape.
type Debounce struct {
	// Convs conversations each send Burst texts, one after the other on one
	// connection, so the whole burst lands inside the debounce window.
	Convs, Burst int
	// Window is the flow's debounce_ms; ModelDelay is how long the fake
	// Responses API takes to answer every request.
	Window, ModelDelay time.Duration
	// Numbers is how many humd numbers the conversations are spread over
	// (0: one per 250 conversations). Each sends at most 500 segments/s, so
	// with too few the replies queue behind the number's rate limit.
	Numbers int
}

func (d *Debounce) defaults() error {
	if d.Convs <= 0 {
		d.Convs = 1000
	}
	if d.Burst <= 0 {
		d.Burst = 3
	}
	if d.Window <= 0 {
		d.Window = time.Second
	}
	if d.ModelDelay < 0 {
		d.ModelDelay = 0
	}
	if d.Numbers <= 0 {
		d.Numbers = (d.Convs + 249) / 250
	}
	switch {
	case d.Convs > 1_000_000:
		return fmt.Errorf("bench: debounce convs %d: at most 1,000,000", d.Convs)
	case d.Burst > 64:
		return fmt.Errorf("bench: debounce burst %d: at most 64 texts", d.Burst)
	case d.Window > 30*time.Second || d.Window%time.Millisecond != 0:
		return fmt.Errorf("bench: debounce window %v: whole milliseconds up to 30s", d.Window)
	case d.Numbers > 9000:
		return fmt.Errorf("bench: debounce numbers %d: at most 9000", d.Numbers)
	}
	return nil
}

// DebounceCheck is the debounce workload's correctness verdict and its
// latency beyond what the configuration asks for.
type DebounceCheck struct {
	Convs        int     `json:"convs"`
	Burst        int     `json:"burst"`
	WindowMs     float64 `json:"debounce_ms"`
	ModelDelayMs float64 `json:"model_delay_ms"`
	Numbers      int     `json:"numbers"`
	// FailedBursts had a text that was not answered 200.
	FailedBursts int `json:"failed_bursts"`
	// Spilled bursts took longer than the debounce window from their first
	// send to their last acknowledgement, so humd could rightly answer them
	// in two runs: they are left out of the exactly-one checks (but must
	// still get at least one reply).
	Spilled int `json:"spilled"`
	// ModelRequests the fake received, Replies the carrier took (sends to
	// the bench's contacts), StoredReplies outbound messages by the AI in
	// the store.
	ModelRequests int `json:"model_requests"`
	Replies       int `json:"replies"`
	StoredReplies int `json:"stored_replies"`
	// Violations: conversations (within the window) without exactly one
	// model request, one send at the carrier and one stored AI reply;
	// requests whose input lacks one of its burst's texts; requests that
	// carry no bench text or those of two conversations; conversations never
	// answered at all.
	NotOneRequest   int `json:"not_one_request"`
	IncompleteInput int `json:"incomplete_input"`
	Foreign         int `json:"foreign_requests"`
	NotOneReply     int `json:"not_one_reply"`
	NotOneStored    int `json:"not_one_stored"`
	Unanswered      int `json:"unanswered"`
	// Added latency: when the reply reached the carrier minus (the burst's
	// last acknowledgement + the debounce window + the model's delay), over
	// the conversations answered. It can be slightly negative: humd arms the
	// debounce timer before it acknowledges the text.
	AddedP50Ms float64 `json:"added_p50_ms"`
	AddedP90Ms float64 `json:"added_p90_ms"`
	AddedP99Ms float64 `json:"added_p99_ms"`
	AddedMaxMs float64 `json:"added_max_ms"`
	// The added latency split at the model request: ToModel is the request's
	// arrival at the fake minus (last acknowledgement + debounce window);
	// FromModel is the reply at the carrier minus (that arrival + the
	// model's delay).
	ToModelP50Ms   float64 `json:"to_model_p50_ms"`
	ToModelP99Ms   float64 `json:"to_model_p99_ms"`
	FromModelP50Ms float64 `json:"from_model_p50_ms"`
	FromModelP99Ms float64 `json:"from_model_p99_ms"`
	// ReplySpreadMs is how long after the first reply the last one came.
	ReplySpreadMs float64 `json:"reply_spread_ms"`
}

// Err is nil when every burst got exactly one model request holding all of
// its texts and exactly one reply.
func (c *DebounceCheck) Err() error {
	if c.FailedBursts == 0 && c.NotOneRequest == 0 && c.IncompleteInput == 0 && c.Foreign == 0 &&
		c.NotOneReply == 0 && c.NotOneStored == 0 && c.Unanswered == 0 {
		return nil
	}
	return fmt.Errorf("bench: debounce correctness: %d of %d bursts failed to send, %d unanswered, %d without exactly one model "+
		"request, %d requests missing texts of their burst, %d foreign requests, %d without exactly one reply at the carrier, "+
		"%d without exactly one stored AI reply (%d model requests, %d replies)",
		c.FailedBursts, c.Convs, c.Unanswered, c.NotOneRequest, c.IncompleteInput, c.Foreign, c.NotOneReply, c.NotOneStored,
		c.ModelRequests, c.Replies)
}

// bursts tracks one debounce run per conversation. Conversation i is the
// contact +1318 (2,000,000+i); its text j reads "bench <run> c=<i> t=<j>".
type bursts struct {
	run   string
	convs int
	burst int
	full  uint64 // bitmask of all texts of a burst

	firstSend []int64 // unix ns, written by the conversation's sender
	lastAck   []int64
	failed    []bool

	requests  []atomic.Int32 // model requests naming the conversation
	requestAt []atomic.Int64 // unix ns of the first
	complete  []atomic.Int32 // of which held every text of the burst
	foreign   atomic.Int32
	replies   []atomic.Int32 // sends at the carrier to the contact
	replyAt   []atomic.Int64 // unix ns of the first
	answered  atomic.Int64
	allDone   chan struct{}
	closeOnce sync.Once
}

func newBursts(convs, burst int) (*bursts, error) {
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, err
	}
	return &bursts{run: "r" + hex.EncodeToString(b[:]), convs: convs, burst: burst, full: 1<<burst - 1,
		firstSend: make([]int64, convs), lastAck: make([]int64, convs), failed: make([]bool, convs),
		requests: make([]atomic.Int32, convs), requestAt: make([]atomic.Int64, convs), complete: make([]atomic.Int32, convs),
		replies: make([]atomic.Int32, convs), replyAt: make([]atomic.Int64, convs), allDone: make(chan struct{})}, nil
}

const debounceArea = "+1318"

func (b *bursts) contact(i int) string { return debounceArea + strconv.Itoa(2_000_000+i) }

func (b *bursts) conv(e164 string) (int, bool) {
	rest, ok := strings.CutPrefix(e164, debounceArea)
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(rest)
	if err != nil || n < 2_000_000 || n-2_000_000 >= b.convs {
		return 0, false
	}
	return n - 2_000_000, true
}

func (b *bursts) text(i, j int) string { return fmt.Sprintf("bench %s c=%d t=%d", b.run, i, j) }

// request is the fake model's OnRequest: it finds this run's texts in the
// input and credits the one conversation they belong to.
func (b *bursts) request(r *llmtest.Request) {
	conv, mask := -1, uint64(0)
	for _, item := range r.Input {
		if item.Type != "message" || item.Role != "user" {
			continue
		}
		f := strings.Fields(item.Content)
		for k := 0; k+2 < len(f); k++ {
			if f[k] != b.run {
				continue
			}
			c, err1 := strconv.Atoi(strings.TrimPrefix(f[k+1], "c="))
			t, err2 := strconv.Atoi(strings.TrimPrefix(f[k+2], "t="))
			if err1 != nil || err2 != nil || c < 0 || c >= b.convs || t < 0 || t >= b.burst || (conv >= 0 && c != conv) {
				b.foreign.Add(1)
				return
			}
			conv, mask = c, mask|1<<t
		}
	}
	if conv < 0 {
		b.foreign.Add(1)
		return
	}
	if b.requests[conv].Add(1) == 1 {
		b.requestAt[conv].Store(time.Now().UnixNano())
	}
	if mask == b.full {
		b.complete[conv].Add(1)
	}
}

// sent records a send at the carrier.
func (b *bursts) sent(to string, at time.Time) {
	i, ok := b.conv(to)
	if !ok {
		return
	}
	if b.replies[i].Add(1) == 1 {
		b.replyAt[i].Store(at.UnixNano())
		if b.answered.Add(1) == int64(b.convs) {
			b.closeOnce.Do(func() { close(b.allDone) })
		}
	}
}

// timedCarrier notes when each send reached the carrier, then hands it to
// the sandbox carrier.
type timedCarrier struct {
	inner *sandbox.Carrier
	b     *bursts
}

func (c *timedCarrier) Send(ctx context.Context, m *sender.Outbound) (*sender.Accepted, error) {
	c.b.sent(m.To, time.Now())
	return c.inner.Send(ctx, m)
}

// debounceNumber is the i-th humd number of the debounce workload.
func debounceNumber(i int) string { return "+1212555" + fmt.Sprintf("%04d", 1000+i) }

// runDebounce starts its own humd (fresh store, openai-go pointed at a fake
// Responses API on loopback), creates an SMS flow through the REST API,
// sends the bursts and checks what came back.
func runDebounce(ctx context.Context, cfg *Config) (Result, error) {
	d := cfg.Debounce
	if err := d.defaults(); err != nil {
		return Result{}, err
	}
	b, err := newBursts(d.Convs, d.Burst)
	if err != nil {
		return Result{}, err
	}
	fake := llmtest.New(llmtest.Delay(d.ModelDelay), llmtest.OnRequest(b.request))
	defer fake.Close()

	relay := &statusRelay{}
	sb := sandbox.New(sandbox.Config{Keep: 256, OnStatus: relay.apply})
	numbers := make([]string, d.Numbers)
	for i := range numbers {
		numbers[i] = debounceNumber(i)
	}
	h, a, ids, err := launchHumd(app.Config{DataDir: filepath.Join(cfg.TempDir, "debounce-"+b.run), OpenAIKey: "sk-bench",
		OpenAIBaseURL: fake.BaseURL(), Model: "gpt-bench"},
		app.Options{StoreOptions: cfg.StoreOptions, Carrier: &timedCarrier{inner: sb, b: b}}, numbers...)
	if err != nil {
		return Result{}, err
	}
	relay.set(a)
	defer func() {
		relay.set(nil)
		_ = h.Close()
	}()
	if err := assignFlow(h, ids, d.Window); err != nil {
		return Result{}, err
	}

	before := ReadUsage()
	st, err := sendBursts(ctx, cfg, h, b, numbers)
	if err != nil {
		return Result{}, err
	}
	// Wait for every reply, then as long again as a second run would take,
	// so duplicates have their chance to show.
	wait := time.NewTimer(time.Minute + time.Duration(d.Convs)*time.Millisecond)
	select {
	case <-b.allDone:
	case <-wait.C:
	case <-ctx.Done():
		wait.Stop()
		return Result{}, ctx.Err()
	}
	wait.Stop()
	grace := time.NewTimer(d.Window + d.ModelDelay + 500*time.Millisecond)
	select {
	case <-grace.C:
	case <-ctx.Done():
		grace.Stop()
		return Result{}, ctx.Err()
	}
	after := ReadUsage()
	check, err := b.verify(h, &d)
	if err != nil {
		return Result{}, err
	}
	r := cfg.result("debounce", "humd", st, before, after)
	r.Contacts, r.Mix = d.Convs, fmt.Sprintf("%d×%d texts", d.Convs, d.Burst)
	r.Live = a.Threads.Live()
	r.Debounce = check
	return r, nil
}

// assignFlow creates the bench's SMS flow and makes it answer every number,
// both through the REST API.
func assignFlow(h *Humd, numberIDs []string, window time.Duration) error {
	c := &fasthttp.Client{}
	body := fmt.Sprintf(`{"name":"Bench AI","channel":"sms","trigger_type":"message",`+
		`"sms_config_json":{"debounce_ms":%d,"reply_after_hours":true}}`, window.Milliseconds())
	status, resp, err := h.call(c, "POST", "/api/flows", body)
	if err != nil {
		return err
	}
	var flow struct {
		ID string `json:"id"`
	}
	if status != 201 || json.Unmarshal(resp, &flow) != nil || flow.ID == "" {
		return fmt.Errorf("bench: create flow: status %d %.300s", status, resp)
	}
	for _, id := range numberIDs {
		status, resp, err := h.call(c, "PATCH", "/api/numbers/"+id, fmt.Sprintf(`{"sms_flow_id":%q}`, flow.ID))
		if err != nil {
			return err
		}
		if status != 200 {
			return fmt.Errorf("bench: assign flow to %s: status %d %.300s", id, status, resp)
		}
	}
	return nil
}

// sendBursts sends every conversation's burst: Conns workers each take the
// next conversation and send its texts one after the other.
func sendBursts(ctx context.Context, cfg *Config, h *Humd, b *bursts, numbers []string) (*Stats, error) {
	client := cfg.client(h.Addr(), cfg.Conns)
	var next atomic.Int64
	var done, errs atomic.Uint64
	var firstErr atomic.Pointer[string]
	ws := make([]worker, cfg.Conns)
	var wg sync.WaitGroup
	start := time.Now()
	stop := debounceProgress(cfg.Progress, start, b, &done)
	for i := range ws {
		w := &ws[i]
		wg.Go(func() {
			req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
			defer fasthttp.ReleaseRequest(req)
			defer fasthttp.ReleaseResponse(resp)
			for ctx.Err() == nil {
				c := int(next.Add(1) - 1)
				if c >= b.convs {
					return
				}
				to := numbers[c%len(numbers)]
				b.firstSend[c] = time.Now().UnixNano()
				for j := range b.burst {
					req.Reset()
					resp.Reset()
					b.prepare(h, req, c, j, to)
					t0 := time.Now()
					err := client.DoTimeout(req, resp, 30*time.Second)
					now := time.Now()
					w.lat = append(w.lat, now.Sub(t0))
					if tally(err, resp, &done, &errs, &firstErr) != nil {
						b.failed[c] = true
					}
					b.lastAck[c] = now.UnixNano()
				}
			}
		})
	}
	wg.Wait()
	stop()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	st := &Stats{Name: "humd debounce", Requests: done.Load(), Errors: errs.Load(), Elapsed: time.Since(start)}
	if p := firstErr.Load(); p != nil {
		st.FirstErr = *p
	}
	for _, w := range ws {
		st.Latencies = append(st.Latencies, w.lat...)
	}
	slices.Sort(st.Latencies)
	return st, nil
}

// prepare fills req with text j of conversation c, a signed inbound webhook.
func (b *bursts) prepare(h *Humd, req *fasthttp.Request, c, j int, to string) {
	sid := fmt.Sprintf("SM%s%08x%02x%014x", b.run[1:], c, j, 0)
	form := url.Values{"MessageSid": {sid}, "SmsSid": {sid}, "AccountSid": {"ACbench"}, "From": {b.contact(c)},
		"To": {to}, "Body": {b.text(c, j)}, "NumMedia": {"0"}, "NumSegments": {"1"},
		"SmsStatus": {"received"}, "ApiVersion": {"2010-04-01"}}
	req.Header.SetMethod(fasthttp.MethodPost)
	req.SetRequestURI(h.URL + "/twilio/sms")
	req.Header.SetContentType("application/x-www-form-urlencoded")
	req.Header.Set(twilio.SignatureHeader, twilio.Sign(h.Token, h.PublicURL+"/twilio/sms", form))
	req.SetBodyString(form.Encode())
}

func debounceProgress(w io.Writer, start time.Time, b *bursts, done *atomic.Uint64) func() {
	if w == nil {
		return func() {}
	}
	stop, finished := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case now := <-t.C:
				_, _ = fmt.Fprintf(w, "%-16s %4.0fs  %9d texts acked  %7d/%d conversations answered\n",
					"humd debounce", now.Sub(start).Seconds(), done.Load(), b.answered.Load(), b.convs)
			}
		}
	}()
	return func() { close(stop); <-finished }
}

// verify counts, per conversation, model requests, carrier sends and stored
// AI replies, and measures the added latency.
func (b *bursts) verify(h *Humd, d *Debounce) (*DebounceCheck, error) {
	stored := make([]int, b.convs)
	err := h.Store.Scan(storage.Prefix("msg", h.OrgID), storage.ScanOptions{}, func(_, v []byte) (bool, error) {
		var m struct {
			Direction string     `json:"direction"`
			To        string     `json:"to"`
			Author    sms.Author `json:"author"`
		}
		if err := json.Unmarshal(v, &m); err != nil {
			return false, err
		}
		if i, ok := b.conv(m.To); ok && m.Direction == sms.Outbound && m.Author.Type == "ai" {
			stored[i]++
		}
		return true, nil
	})
	if err != nil {
		return nil, fmt.Errorf("bench: verify debounce: %w", err)
	}
	return b.tally(stored, d), nil
}

// tally judges the run from what the fake model, the carrier and the store
// (stored[i]: AI replies to conversation i) saw.
func (b *bursts) tally(stored []int, d *Debounce) *DebounceCheck {
	c := &DebounceCheck{Convs: b.convs, Burst: b.burst, WindowMs: ms(d.Window), ModelDelayMs: ms(d.ModelDelay),
		Numbers: d.Numbers, Foreign: int(b.foreign.Load())}
	var added, toModel, fromModel []time.Duration
	var first, last int64
	for i := range b.convs {
		reqs, complete, replies := int(b.requests[i].Load()), int(b.complete[i].Load()), int(b.replies[i].Load())
		c.ModelRequests += reqs
		c.Replies += replies
		c.StoredReplies += stored[i]
		if b.failed[i] {
			c.FailedBursts++
			continue
		}
		if replies == 0 {
			c.Unanswered++
			continue
		}
		at := b.replyAt[i].Load()
		if first == 0 || at < first {
			first = at
		}
		last = max(last, at)
		added = append(added, time.Duration(at-b.lastAck[i])-d.Window-d.ModelDelay)
		if req := b.requestAt[i].Load(); req != 0 {
			toModel = append(toModel, time.Duration(req-b.lastAck[i])-d.Window)
			fromModel = append(fromModel, time.Duration(at-req)-d.ModelDelay)
		}
		if time.Duration(b.lastAck[i]-b.firstSend[i]) >= d.Window {
			c.Spilled++
			continue
		}
		if reqs != 1 {
			c.NotOneRequest++
		}
		if complete != reqs {
			c.IncompleteInput += reqs - complete
		}
		if replies != 1 {
			c.NotOneReply++
		}
		if stored[i] != 1 {
			c.NotOneStored++
		}
	}
	slices.Sort(added)
	lat := &Stats{Latencies: added}
	c.AddedP50Ms, c.AddedP90Ms, c.AddedP99Ms, c.AddedMaxMs = ms(lat.Percentile(0.5)), ms(lat.Percentile(0.9)),
		ms(lat.Percentile(0.99)), ms(lat.Percentile(1))
	slices.Sort(toModel)
	slices.Sort(fromModel)
	to, from := &Stats{Latencies: toModel}, &Stats{Latencies: fromModel}
	c.ToModelP50Ms, c.ToModelP99Ms = ms(to.Percentile(0.5)), ms(to.Percentile(0.99))
	c.FromModelP50Ms, c.FromModelP99Ms = ms(from.Percentile(0.5)), ms(from.Percentile(0.99))
	c.ReplySpreadMs = ms(time.Duration(last - first))
	return c
}

// statusRelay plays a bench sandbox carrier's status callbacks (sent,
// delivered) down the same path humd's own sandbox does, until humd is about
// to close: the carrier's timers outlive the app. (Such carriers keep only a
// few records: their status lookup scans them all.)
type statusRelay struct {
	mu   sync.RWMutex
	live *app.App
}

func (r *statusRelay) set(a *app.App) {
	r.mu.Lock()
	r.live = a
	r.mu.Unlock()
}

func (r *statusRelay) apply(u sandbox.StatusUpdate) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if r.live != nil {
		_ = r.live.Hooks.ApplyStatus(u.MessageSID, u.Status, u.ErrorCode)
	}
}
