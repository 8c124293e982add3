// Command humbench drives humd through its HTTP endpoints (package bench) and
// reports throughput, latency, CPU and memory beside two baselines measured
// in the same run.
//
//	humbench -workload all -duration 10s -md bench/RESULTS.md
//	humbench -workload ingest -url http://127.0.0.1:8080 -key hum_live_... -token <sandbox token>
//	humbench -workload ingest -rate 0.5x          # open loop at half the durable-storage baseline
//	humbench -workload debounce -convs 10000      # bursts through debounce and the AI (fake model)
//	humbench -workload calls -calls 200 -turns 5  # simulated voice calls over the relay socket (fake model)
//	humbench -preset huge                         # 1,000,000 distinct conversations, peak RSS
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"runtime/trace"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/humd/humd/app"
	"github.com/humd/humd/bench"
	"github.com/humd/humd/bench/tail"
	"github.com/humd/humd/storage"
)

func main() {
	if bench.ServeCallsPeer() { // this process is the calls workload's fake model and callers
		return
	}
	app.TuneGC() // as humd serve does: the in-process humd shares this process
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "humbench:", err)
		os.Exit(1)
	}
}

type options struct {
	workload                       string
	duration                       time.Duration
	count                          uint64
	conns, workers, apiConns       int
	contacts                       int
	url, publicURL, key, token, to string
	dir, md, micro, cpuprofile     string
	memprofile, trace              string
	asJSON, quiet, noBaselines     bool
	metrics                        bool
	cacheMiB, memtableMiB          int64
	walSync                        time.Duration
	rate, preset                   string
	rateHumd                       float64
	convs, burst, numbers          int
	calls, callsThen, turns        int
	recipients                     int
	window, modelDelay             time.Duration
}

func parse(args []string, stderr io.Writer) (*options, error) {
	o := &options{}
	fs := flag.NewFlagSet("humbench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.workload, "workload", "all", "ingest (baselines + humd ingest), api (humd ingest with api reads beside it), "+
		"debounce (bursts through debounce and the AI, own in-process humd), calls (simulated voice calls over the relay socket, "+
		"own in-process humd), campaign (one 50,000-recipient campaign on fake time, own in-process humd) or all")
	fs.StringVar(&o.rate, "rate", "", "humd ingest open loop: requests/s (2000), or a fraction of the durable-storage baseline's rate (0.5x); "+
		"-workload all runs 0.5x after the closed loop unless \"off\"")
	fs.Float64Var(&o.rateHumd, "rate-humd", -1, "humd ingest open loop at this fraction of humd's own closed-loop rate, after it "+
		"(-workload all: 0.5 unless 0)")
	fs.StringVar(&o.preset, "preset", "", "huge: ingest 1,000,000 distinct conversations, one text each, humd alone "+
		"(= -workload ingest -no-baselines -contacts 1000000 -count <contacts> -duration 1h; explicit flags win)")
	fs.IntVar(&o.convs, "convs", 1000, "debounce: conversations bursting")
	fs.IntVar(&o.burst, "burst", 3, "debounce: texts per burst, sent back to back")
	fs.DurationVar(&o.window, "debounce", time.Second, "debounce: the SMS flow's debounce_ms")
	fs.DurationVar(&o.modelDelay, "model-delay", 100*time.Millisecond, "debounce and calls: the fake model's delay before every answer")
	fs.IntVar(&o.numbers, "numbers", 0, "debounce: humd numbers the conversations spread over (0: one per 250, each sends at most 500/s)")
	fs.IntVar(&o.calls, "calls", 100, "calls: simulated calls at once")
	fs.IntVar(&o.callsThen, "calls-then", 0, "calls: then run the calls workload again with this many calls at once (make bench: 1000)")
	fs.IntVar(&o.turns, "turns", 5, "calls: caller lines per call, each waiting for the agent's answer")
	fs.IntVar(&o.recipients, "recipients", 50_000, "campaign: recipients of the campaign (1% opted out before launch)")
	fs.DurationVar(&o.duration, "duration", 10*time.Second, "length of each phase")
	fs.Uint64Var(&o.count, "count", 0, "stop each phase after this many requests (0: duration only)")
	fs.IntVar(&o.conns, "conns", 64, "connections of the ingest client")
	fs.IntVar(&o.workers, "workers", 0, "ingest requests in flight (0: -conns)")
	fs.IntVar(&o.apiConns, "api-conns", 2, "connections (and requests in flight) of the api workload")
	fs.IntVar(&o.contacts, "contacts", 10_000, "distinct senders of the ingest workload")
	fs.StringVar(&o.url, "url", "", "a running humd (http://host:port); empty starts one in-process")
	fs.StringVar(&o.publicURL, "public-url", "", "the running humd's HUMD_PUBLIC_URL (default -url)")
	fs.StringVar(&o.key, "key", "", "admin API key of the running humd")
	fs.StringVar(&o.token, "token", "", "webhook auth token of the running humd: its TWILIO_AUTH_TOKEN (a sandbox humd does not expose its token yet)")
	fs.StringVar(&o.to, "number", bench.DefaultNumber, "humd number the texts go to")
	fs.StringVar(&o.dir, "dir", "", "data directory of the in-process humd and baseline (default: a temp dir, removed)")
	fs.BoolVar(&o.asJSON, "json", false, "print the report as JSON instead of a markdown table")
	fs.StringVar(&o.md, "md", "", "write the report to this markdown file (keeps its \"## Findings\" section)")
	fs.StringVar(&o.micro, "micro", "", "go test -bench output to include in the -md file")
	fs.StringVar(&o.cpuprofile, "cpuprofile", "", "write a CPU profile of the whole run (client and in-process humd)")
	fs.StringVar(&o.trace, "trace", "", "write a runtime execution trace of the whole run and print what ran while requests were slow (the file opens with go tool trace)")
	fs.StringVar(&o.memprofile, "memprofile", "", "write a heap profile at the end of the run, before humd closes (in-use and allocated)")
	fs.BoolVar(&o.quiet, "q", false, "no progress lines")
	fs.Int64Var(&o.cacheMiB, "cache-mib", 0, "in-process humd's Pebble block cache in MiB (0: humd's default)")
	fs.Int64Var(&o.memtableMiB, "memtable-mib", 0, "in-process humd's Pebble memtable size in MiB (0: humd's default)")
	fs.DurationVar(&o.walSync, "wal-sync-interval", 0, "in-process humd's spacing of back-to-back WAL fsyncs (0: humd's default, negative: none)")
	fs.BoolVar(&o.metrics, "pebble-metrics", false, "print the in-process humd's Pebble metrics on stderr at the end")
	fs.BoolVar(&o.noBaselines, "no-baselines", false, "skip the baselines (profile humd alone)")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	switch o.preset {
	case "":
	case "huge":
		if !set["workload"] {
			o.workload = "ingest"
		}
		if !set["no-baselines"] {
			o.noBaselines = true
		}
		if !set["contacts"] {
			o.contacts = 1_000_000
		}
		if !set["count"] {
			o.count = uint64(o.contacts)
		}
		if !set["duration"] {
			o.duration = time.Hour
		}
	default:
		return nil, fmt.Errorf("preset %q: want huge", o.preset)
	}
	return o, nil
}

// ownRate is -rate-humd with its default: half of humd's own rate when
// running everything, nothing otherwise.
func (o *options) ownRate() float64 {
	switch {
	case o.rateHumd >= 0:
		return o.rateHumd
	case o.workload == "all":
		return 0.5
	}
	return 0
}

// rates turns -rate into Config.Rate or Config.RateOfPebble.
func (o *options) rates() (fixed, ofPebble float64, err error) {
	r := o.rate
	if r == "" && o.workload == "all" {
		r = "0.5x"
	}
	if r == "" || r == "off" {
		return 0, 0, nil
	}
	if f, ok := strings.CutSuffix(r, "x"); ok {
		ofPebble, err = strconv.ParseFloat(f, 64)
	} else {
		fixed, err = strconv.ParseFloat(r, 64)
	}
	if err != nil || fixed < 0 || ofPebble < 0 {
		return 0, 0, fmt.Errorf("-rate %q: want requests/s, a fraction of the Pebble baseline like 0.5x, or off", o.rate)
	}
	return fixed, ofPebble, nil
}

func run(args []string, stdout, stderr io.Writer) error {
	o, err := parse(args, stderr)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	dir := o.dir
	if dir == "" {
		if dir, err = os.MkdirTemp("", "humbench-"); err != nil {
			return err
		}
		defer os.RemoveAll(dir)
	}
	rate, ofPebble, err := o.rates()
	if err != nil {
		return err
	}
	storeOpts := storage.Options{CacheBytes: o.cacheMiB << 20, MemTableBytes: uint64(o.memtableMiB) << 20, WALMinSyncInterval: o.walSync}
	var h *bench.Humd
	switch {
	case bench.OwnHumd(o.workload) && o.url != "":
		return fmt.Errorf("-workload %s starts its own humd: it cannot use -url", o.workload)
	case bench.OwnHumd(o.workload):
		// They start their own humd.
	case o.url == "":
		h, err = bench.StartHumd(filepath.Join(dir, "humd"), o.to, storeOpts)
	default:
		h, err = bench.Remote(o.url, o.publicURL, o.key, o.token, o.to)
	}
	if err != nil {
		return err
	}
	if h != nil {
		defer h.Close()
	}

	stopProfile, err := record(o.cpuprofile, pprof.StartCPUProfile, pprof.StopCPUProfile)
	if err != nil {
		return err
	}
	defer stopProfile()
	stopTrace, err := record(o.trace, trace.Start, trace.Stop)
	if err != nil {
		return err
	}
	defer stopTrace()
	if o.memprofile != "" {
		defer func() {
			// Deferred before h.Close runs (defers are LIFO), so the in-process
			// humd's live actors and Pebble memory are still in the profile.
			f, err := os.Create(o.memprofile)
			if err == nil {
				runtime.GC()
				_ = pprof.WriteHeapProfile(f)
				_ = f.Close()
			}
		}()
	}
	var progress io.Writer = stderr
	if o.quiet {
		progress = nil
	}
	rep := &bench.Report{Machine: bench.ThisMachine(), Date: time.Now(),
		Command: strings.Join(append([]string{"humbench"}, args...), " ")}
	rep.Results, err = bench.Run(ctx, bench.Config{Workload: o.workload, Duration: o.duration, Count: o.count,
		Conns: o.conns, Workers: o.workers, APIConns: o.apiConns, Contacts: o.contacts, Humd: h, TempDir: dir, Progress: progress,
		NoBaselines: o.noBaselines, Rate: rate, RateOfPebble: ofPebble, RateOfHumd: o.ownRate(), StoreOptions: storeOpts,
		Debounce: bench.Debounce{Convs: o.convs, Burst: o.burst, Window: o.window, ModelDelay: o.modelDelay, Numbers: o.numbers},
		Calls:    bench.Calls{Calls: o.calls, Then: o.callsThen, Turns: o.turns, ModelDelay: o.modelDelay},
		Campaign: bench.Campaign{Recipients: o.recipients}})
	if o.trace != "" {
		stopTrace()
		tail, terr := tail.Read(o.trace)
		if terr != nil {
			err = errors.Join(err, terr)
		} else {
			fmt.Fprintf(stderr, "\nThe slow tail in the trace %s:\n\n", o.trace)
			tail.Markdown(stderr)
		}
	}
	if len(rep.Results) > 0 {
		if werr := output(o, rep, stdout); werr != nil {
			err = errors.Join(err, werr)
		}
	}
	if h == nil {
		return err
	}
	if o.metrics && h.Store != nil {
		fmt.Fprintf(stderr, "\nPebble metrics of the in-process humd:\n%s\n", h.Store.DB().Metrics())
	}
	if cerr := h.Close(); cerr != nil {
		err = errors.Join(err, fmt.Errorf("close humd: %w", cerr))
	}
	return err
}

// record starts writing a profile or trace to path (nothing when it is
// empty) and answers the function that stops it; calling that again does
// nothing.
func record(path string, start func(io.Writer) error, stop func()) (func(), error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := start(f); err != nil {
		_ = f.Close()
		return nil, err
	}
	return sync.OnceFunc(func() { stop(); _ = f.Close() }), nil
}

func output(o *options, rep *bench.Report, stdout io.Writer) error {
	if o.asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return err
		}
	} else if err := rep.WriteMarkdown(stdout); err != nil {
		return err
	}
	if o.md == "" {
		return nil
	}
	return writeResults(o, rep)
}

const findings = "\n## Findings"

// writeResults rewrites the -md file, keeping its hand-written findings.
func writeResults(o *options, rep *bench.Report) error {
	var kept string
	if old, err := os.ReadFile(o.md); err == nil {
		if i := strings.Index(string(old), findings); i >= 0 {
			kept = string(old[i:])
		}
	}
	var b strings.Builder
	b.WriteString("# humd benchmark results\n\n")
	b.WriteString("Written by `make bench` (`go run ./cmd/humbench ... -md bench/RESULTS.md`). Everything above\n")
	b.WriteString("\"Findings\" is regenerated on every run; the findings are written by hand and kept.\n\n")
	b.WriteString("## Macro: humbench\n\n")
	if err := rep.WriteMarkdown(&b); err != nil {
		return err
	}
	b.WriteString(`
Closed loop (mix "alone", "with api"): every connection sends its next request
as soon as the previous one is answered. Open loop (mix "open loop R/s"):
requests are due on a fixed schedule of R per second; one goes to an idle
connection or waits in a queue as long as the connection count, and is dropped
(never sent) when that is full too; its latency counts from when it was due.
req/s counts 200 answers. The baselines receive the same signed webhook
requests as humd: *baseline-http* parses the form and answers 200;
*baseline-pebble* also commits one Pebble batch with Sync per request (the
issue's durable-storage limit); *baseline-records* instead commits the records
humd stores for a text (message, MessageSid ref, thread, its inbox index,
sms.received; a new thread's contact and conversation.started), built by
humd's own storage code, with no signature check, reads or actors: what humd's
data costs on its own ("vs records"). CPU is
user+system time of the whole bench process (load generator and in-process
server together); peak RSS is the process's high-water mark so far.
"contacts / live" is the distinct senders and the conversation actors alive at
the end. "check" says whether every MessageSid acknowledged with 200 was found
stored exactly once.

*debounce* runs its own in-process humd whose AI goes through openai-go to a
fake Responses API on loopback that answers after the model delay; an SMS flow
created through POST /api/flows answers every number. Each conversation sends
its burst back to back on one connection; its row's latencies are those of the
webhook acknowledgements. The check asks for exactly one model request per
burst holding all its texts, one send at the carrier and one stored AI reply
per conversation ("spilled" bursts took longer than the debounce window to
send and are exempt from the exactly-one checks).
`)
	if o.micro != "" {
		raw, err := os.ReadFile(o.micro)
		if err != nil {
			return err
		}
		b.WriteString("\n## Micro benchmarks\n\n```text\n")
		b.Write(raw)
		b.WriteString("```\n")
	}
	b.WriteString(kept)
	return os.WriteFile(o.md, []byte(b.String()), 0o644)
}
