package bench

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/humd/humd/transport/llm/llmtest"
)

// The calls workload's other side (the fake Responses API and the simulated
// callers) runs in a process of its own, so the bench process's CPU time and
// resident memory during the calls are humd's alone. The peer is this same
// executable started with peerEnv set: cmd/humbench and the bench tests
// call ServeCallsPeer first thing. They talk JSON lines: the peer says
// where its fake model listens (peerHello), humd is started against it and
// says where it listens (peerGo), the peer places every call and answers
// what it measured (peerResult), and once humd has checked its records
// (summaries asked after hang-up included) the peer answers what its fake
// model saw (peerTally) and exits.

// peerEnv carries the peer's shape (peerStart as JSON).
const peerEnv = "HUMBENCH_CALLS_PEER"

type peerStart struct {
	Run   string `json:"run"`
	Calls Calls  `json:"calls"`
}

type peerHello struct {
	ModelURL string `json:"model_url"`
}

type peerGo struct {
	URL, PublicURL, Token, Number string
}

type peerResult struct {
	Overheads []time.Duration `json:"overheads"`
	Firsts    []time.Duration `json:"firsts"`
	CallIDs   []string        `json:"call_ids"`
	Failed    int             `json:"failed"`
	FirstErr  string          `json:"first_err"`
	// CPU is the peer's user+system time while the calls ran; PeakRSS its
	// high-water mark.
	CPU     time.Duration `json:"cpu"`
	PeakRSS int64         `json:"peak_rss"`
}

type peerTally struct {
	Requests  map[string]int `json:"requests"`
	Summaries int            `json:"summaries"`
}

// ServeCallsPeer runs this process as the calls workload's other side when
// it was started as one, and then reports true: the caller exits. Otherwise
// it does nothing and reports false.
func ServeCallsPeer() bool {
	raw, ok := os.LookupEnv(peerEnv)
	if !ok {
		return false
	}
	if err := servePeer(raw, os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "humbench calls peer:", err)
		os.Exit(1)
	}
	return true
}

func servePeer(raw string, in io.Reader, out io.Writer) error {
	var st peerStart
	if err := json.Unmarshal([]byte(raw), &st); err != nil {
		return err
	}
	w := st.Calls
	tally := &callTally{run: st.Run, requests: map[string]int{}}
	fake := llmtest.New(llmtest.Delay(w.ModelDelay), llmtest.OnRequest(tally.request))
	defer fake.Close()
	enc, dec := json.NewEncoder(out), json.NewDecoder(in)
	if err := enc.Encode(peerHello{ModelURL: fake.BaseURL()}); err != nil {
		return err
	}
	var g peerGo
	if err := dec.Decode(&g); err != nil {
		return fmt.Errorf("wait for humd: %w", err)
	}
	h := &Humd{URL: g.URL, PublicURL: g.PublicURL, Token: g.Token, Number: g.Number}
	var (
		mu  sync.Mutex
		res peerResult
		wg  sync.WaitGroup
	)
	before := ReadUsage()
	for i := range w.Calls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id, ov, ft, err := benchCall(context.Background(), h, g.Number, st.Run, i, w)
			mu.Lock()
			defer mu.Unlock()
			res.Overheads, res.Firsts = append(res.Overheads, ov...), append(res.Firsts, ft...)
			if err != nil {
				res.Failed++
				if res.FirstErr == "" {
					res.FirstErr = err.Error()
				}
				return
			}
			res.CallIDs = append(res.CallIDs, id)
		}()
	}
	wg.Wait()
	after := ReadUsage()
	res.CPU, res.PeakRSS = after.CPU-before.CPU, after.PeakRSS
	if err := enc.Encode(&res); err != nil {
		return err
	}
	var done struct{}
	if err := dec.Decode(&done); err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	tally.mu.Lock()
	t := peerTally{Requests: tally.requests, Summaries: tally.summaries}
	tally.mu.Unlock()
	return enc.Encode(&t)
}

// peer is the parent's handle on a running peer.
type peer struct {
	cmd *exec.Cmd
	in  io.WriteCloser
	enc *json.Encoder
	dec *json.Decoder
}

func startPeer(ctx context.Context, run string, w Calls) (*peer, string, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, "", err
	}
	st, _ := json.Marshal(peerStart{Run: run, Calls: w})
	cmd := exec.CommandContext(ctx, exe)
	cmd.Env = append(os.Environ(), peerEnv+"="+string(st))
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, "", err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, "", err
	}
	if err := cmd.Start(); err != nil {
		return nil, "", fmt.Errorf("bench: start the calls peer: %w", err)
	}
	p := &peer{cmd: cmd, in: in, enc: json.NewEncoder(in), dec: json.NewDecoder(bufio.NewReader(out))}
	var hello peerHello
	if err := p.dec.Decode(&hello); err != nil {
		p.close()
		return nil, "", fmt.Errorf("bench: the calls peer did not start (does main call bench.ServeCallsPeer?): %w", err)
	}
	return p, hello.ModelURL, nil
}

func (p *peer) close() {
	_ = p.in.Close()
	_ = p.cmd.Wait()
}

// rssSampler keeps the highest resident set of this process seen every
// 20 ms: the bench process's own peak (getrusage) is a high-water mark of
// the whole run, earlier workloads included.
type rssSampler struct {
	peak atomic.Int64
	stop chan struct{}
	done chan struct{}
}

func sampleRSS() *rssSampler {
	debug.FreeOSMemory() // what earlier workloads left behind does not count
	s := &rssSampler{stop: make(chan struct{}), done: make(chan struct{})}
	s.peak.Store(currentRSS())
	go func() {
		defer close(s.done)
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-s.stop:
				return
			case <-t.C:
				if r := currentRSS(); r > s.peak.Load() {
					s.peak.Store(r)
				}
			}
		}
	}()
	return s
}

// Peak stops sampling and answers the highest resident set seen, in bytes.
func (s *rssSampler) Peak() int64 {
	close(s.stop)
	<-s.done
	if r := currentRSS(); r > s.peak.Load() {
		s.peak.Store(r)
	}
	return s.peak.Load()
}

// currentRSS reads this process's resident set from /proc (0 elsewhere).
func currentRSS() int64 {
	raw, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(raw))
	if len(f) < 2 {
		return 0
	}
	pages, _ := strconv.ParseInt(f[1], 10, 64)
	return pages * int64(os.Getpagesize())
}
