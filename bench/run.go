package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"sync"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/humd/humd/bench/baseline"
	"github.com/humd/humd/storage"
)

// Config says what Run measures.
type Config struct {
	// Workload is ingest (the baselines, then humd ingest: closed loop, or
	// open loop at Rate), api (humd ingest with api reads beside it),
	// debounce (its own in-process humd with the AI, see Debounce) or all
	// (each of them; ingest closed loop and then open loop at Rate when set).
	Workload string
	// Duration bounds each phase; Count, when set, caps each phase's requests.
	Duration time.Duration
	Count    uint64
	// Conns is the connection count of the ingest client; Workers the
	// requests in flight (0 means Conns).
	Conns, Workers int
	// APIConns is the api workload's connections (and workers), default 2.
	APIConns int
	// Contacts is the number of distinct senders.
	Contacts int
	// Humd is the server under test.
	Humd *Humd
	// TempDir holds the durable-storage baseline's Pebble store.
	TempDir string
	// NoBaselines skips the two baselines (to profile humd alone).
	NoBaselines bool
	// Rate, when above 0, runs humd ingest open loop at that many requests
	// per second; RateOfPebble instead sets it to that fraction of the
	// durable-storage baseline's rate measured just before (0.5: the issue's
	// "p99 at half the durable-storage baseline rate").
	Rate, RateOfPebble float64
	// RateOfHumd, when above 0, adds an open-loop phase at that fraction of
	// humd's own closed-loop rate just measured: its latency when it is not
	// saturated (the Pebble-relative rate may be more than humd sustains).
	RateOfHumd float64
	// Debounce shapes the debounce workload; Calls the calls workload.
	Debounce Debounce
	Calls    Calls
	Campaign Campaign
	// StoreOptions tune the Pebble store of humds the workloads start
	// themselves (debounce).
	StoreOptions storage.Options
	// Progress gets a line per second per running load (nil: quiet).
	Progress io.Writer
}

func (c *Config) defaults() error {
	if c.Conns <= 0 {
		c.Conns = 64
	}
	if c.Workers <= 0 {
		c.Workers = c.Conns
	}
	if c.APIConns <= 0 {
		c.APIConns = 2
	}
	if c.Contacts <= 0 {
		c.Contacts = 10_000
	}
	if c.Duration <= 0 && c.Count == 0 {
		c.Duration = 10 * time.Second
	}
	switch c.Workload {
	case "ingest", "api", "all", "debounce", "calls", "campaign":
	default:
		return fmt.Errorf("bench: workload %q: want ingest, api, debounce, calls, campaign or all", c.Workload)
	}
	if c.Humd == nil && !OwnHumd(c.Workload) {
		return errors.New("bench: no humd to measure")
	}
	if c.TempDir == "" && c.Workload != "api" {
		return errors.New("bench: the Pebble baseline and the debounce humd need a TempDir")
	}
	if c.RateOfHumd < 0 {
		return errors.New("bench: RateOfHumd must not be negative")
	}
	if c.Rate < 0 || c.RateOfPebble < 0 || (c.Rate > 0 && c.RateOfPebble > 0) {
		return errors.New("bench: set one of Rate and RateOfPebble, above 0")
	}
	if c.RateOfPebble > 0 && c.NoBaselines {
		return errors.New("bench: a rate relative to the Pebble baseline needs the baselines")
	}
	if err := c.Calls.defaults(); err != nil {
		return err
	}
	if err := c.Campaign.defaults(); err != nil {
		return err
	}
	return c.Debounce.defaults()
}

// Run measures the configured workloads and answers every result. The
// report is returned even when a correctness check fails; the error then
// says which.
func Run(ctx context.Context, cfg Config) ([]Result, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	var results []Result
	var failed []error
	if cfg.Workload == "ingest" || cfg.Workload == "all" {
		r, err := runIngestPhases(ctx, &cfg)
		results = append(results, r...)
		if err != nil {
			return results, err
		}
	}
	if cfg.Workload == "api" || cfg.Workload == "all" {
		r, err := runIngest(ctx, &cfg, true, 0)
		if err != nil {
			return results, err
		}
		results = append(results, r...)
	}
	// The debounce workload needs a humd of its own, in this process.
	if cfg.Workload == "debounce" || (cfg.Workload == "all" && cfg.Humd.Store != nil) {
		r, err := runDebounce(ctx, &cfg)
		if err != nil {
			return results, err
		}
		results = append(results, r)
	}
	if cfg.Workload == "calls" || (cfg.Workload == "all" && cfg.Humd.Store != nil) {
		r, err := runCalls(ctx, &cfg)
		if err != nil {
			return results, err
		}
		results = append(results, r)
		if cfg.Calls.Then > cfg.Calls.Calls {
			more := cfg
			more.Calls.Calls = cfg.Calls.Then
			r, err := runCalls(ctx, &more)
			if err != nil {
				return results, err
			}
			results = append(results, r)
		}
	}
	if cfg.Workload == "campaign" || (cfg.Workload == "all" && cfg.Humd.Store != nil) {
		r, err := runCampaign(ctx, &cfg)
		if err != nil {
			return results, err
		}
		results = append(results, r)
	}
	for _, r := range results {
		var err error
		switch {
		case r.Check != nil:
			err = r.Check.Err()
		case r.Debounce != nil:
			err = r.Debounce.Err()
		case r.Calls != nil:
			err = r.Calls.Err()
		case r.Campaign != nil:
			err = r.Campaign.Err()
		}
		if err != nil {
			failed = append(failed, fmt.Errorf("%s/%s (%s): %w", r.Workload, r.Target, r.Mix, err))
		}
	}
	return results, errors.Join(failed...)
}

// runIngestPhases runs the baselines (unless NoBaselines) and humd ingest:
// closed loop unless only an open loop was asked for, then open loop when a
// rate is set.
func runIngestPhases(ctx context.Context, cfg *Config) ([]Result, error) {
	var results []Result
	var bare, durable, recs Result
	if !cfg.NoBaselines {
		for _, b := range []struct {
			kind baseline.Kind
			name string
			r    *Result
		}{{baseline.BareHTTP, "baseline-http", &bare}, {baseline.OneBatch, "baseline-pebble", &durable}, {baseline.Records, "baseline-records", &recs}} {
			var err error
			if *b.r, err = runBaseline(ctx, cfg, b.kind, b.name); err != nil {
				return results, err
			}
			results = append(results, *b.r)
		}
	}
	rate := cfg.Rate
	if cfg.RateOfPebble > 0 {
		rate = cfg.RateOfPebble * durable.PerSec
	}
	var closed Result
	if cfg.Workload == "all" || (cfg.Rate == 0 && cfg.RateOfPebble == 0) {
		r, err := runIngest(ctx, cfg, false, 0)
		if err != nil {
			return results, err
		}
		if bare.PerSec > 0 {
			r[0].VsHTTP = r[0].PerSec / bare.PerSec
		}
		if durable.PerSec > 0 {
			r[0].VsPebble = r[0].PerSec / durable.PerSec
		}
		if recs.PerSec > 0 {
			r[0].VsRecords = r[0].PerSec / recs.PerSec
		}
		closed = r[0]
		results = append(results, r...)
	}
	if rate > 0 {
		r, err := runIngest(ctx, cfg, false, rate)
		if err != nil {
			return results, err
		}
		if cfg.RateOfPebble > 0 {
			r[0].RateBasis = fmt.Sprintf("%gx baseline-pebble", cfg.RateOfPebble)
		}
		results = append(results, r...)
	}
	if cfg.RateOfHumd > 0 && closed.PerSec > 0 {
		r, err := runIngest(ctx, cfg, false, cfg.RateOfHumd*closed.PerSec)
		if err != nil {
			return results, err
		}
		r[0].RateBasis = fmt.Sprintf("%gx humd", cfg.RateOfHumd)
		results = append(results, r...)
	}
	return results, nil
}

func (c *Config) client(addr string, conns int) *fasthttp.HostClient {
	return &fasthttp.HostClient{Addr: addr, MaxConns: conns, ReadTimeout: 30 * time.Second, WriteTimeout: 30 * time.Second,
		MaxIdemponentCallAttempts: 1}
}

func (c *Config) ingestLoad(name, addr string, in *Ingest) *Load {
	return &Load{Name: name, Client: c.client(addr, c.Conns), Workers: c.Workers, Duration: c.Duration, Count: c.Count,
		Prepare: in.Prepare, KeepOK: true, Progress: c.Progress}
}

func (c *Config) result(workload, target string, st *Stats, before, after Usage) Result {
	r := NewResult(workload, target, st, before, after)
	r.Conns, r.Workers, r.Contacts = c.Conns, c.Workers, c.Contacts
	return r
}

// runBaseline drives the ingest requests at a baseline server.
func runBaseline(ctx context.Context, cfg *Config, kind baseline.Kind, target string) (Result, error) {
	b, err := baseline.Start(kind, filepath.Join(cfg.TempDir, target))
	if err != nil {
		return Result{}, err
	}
	in, err := NewIngest(&Humd{URL: b.URL, PublicURL: b.URL, Token: "baseline", Number: cfg.Humd.Number}, cfg.Contacts)
	if err != nil {
		_ = b.Close()
		return Result{}, err
	}
	before := ReadUsage()
	st, err := cfg.ingestLoad(target, b.Addr(), in).Run(ctx)
	after := ReadUsage()
	if cerr := b.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return Result{}, err
	}
	return cfg.result("ingest", target, st, before, after), nil
}

// runIngest drives humd with signed inbound webhooks, with api reads beside
// them when withAPI, open loop at rate when above 0, and checks what was
// stored.
func runIngest(ctx context.Context, cfg *Config, withAPI bool, rate float64) ([]Result, error) {
	h := cfg.Humd
	in, err := NewIngest(h, cfg.Contacts)
	if err != nil {
		return nil, err
	}
	name, mix := "humd ingest", ""
	if withAPI {
		name, mix = "humd ingest+api", "with api"
	}
	load := cfg.ingestLoad(name, h.Addr(), in)
	if rate > 0 {
		load.Name, load.Rate = fmt.Sprintf("humd ingest@%.0f", rate), rate
	}
	before := ReadUsage()
	if !withAPI {
		st, err := load.Run(ctx)
		r, err := finishIngest(cfg, in, st, err, nil, nil, before, mix)
		if err == nil && rate > 0 {
			r[0].OfferedPerSec = rate
		}
		return r, err
	}
	// The reads run until the ingest load is done.
	actx, cancel := context.WithCancel(ctx)
	defer cancel()
	reads := &Reads{URL: h.URL, Key: h.Key}
	api := &Load{Name: "humd api", Client: cfg.client(h.Addr(), cfg.APIConns), Workers: cfg.APIConns,
		Prepare: reads.Prepare, Progress: cfg.Progress}
	var apiStats *Stats
	var apiErr error
	var wg sync.WaitGroup
	wg.Go(func() { apiStats, apiErr = api.Run(actx) })
	st, err := load.Run(ctx)
	cancel()
	wg.Wait()
	return finishIngest(cfg, in, st, err, apiStats, apiErr, before, mix)
}

func finishIngest(cfg *Config, in *Ingest, st *Stats, err error, apiStats *Stats, apiErr error, before Usage, mix string) ([]Result, error) {
	after := ReadUsage()
	if err != nil {
		return nil, err
	}
	if apiErr != nil {
		return nil, apiErr
	}
	r := cfg.result("ingest", "humd", st, before, after)
	r.Mix = mix
	if cfg.Humd.Live != nil {
		r.Live = cfg.Humd.Live()
	}
	check, err := in.Verify(cfg.Humd, st.OK)
	if err != nil {
		return nil, fmt.Errorf("bench: verify: %w", err)
	}
	r.Check = check
	out := []Result{r}
	if apiStats != nil {
		a := cfg.result("api", "humd", apiStats, before, after)
		a.Conns, a.Workers, a.Mix = cfg.APIConns, cfg.APIConns, "with ingest"
		// The CPU time is shared by both loads: no per-request figure.
		r.CPUPerReqUs, a.CPUPerReqUs = 0, 0
		out = []Result{r, a}
	}
	return out, nil
}

// OwnHumd reports whether a workload starts its own in-process humd.
func OwnHumd(workload string) bool {
	return workload == "debounce" || workload == "calls" || workload == "campaign"
}
