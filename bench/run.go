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
)

// Config says what Run measures.
type Config struct {
	// Workload is ingest (the baselines, then humd ingest), api (humd ingest
	// with api reads beside it) or all (both).
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
	case "ingest", "api", "all":
	default:
		return fmt.Errorf("bench: workload %q: want ingest, api or all", c.Workload)
	}
	if c.Humd == nil {
		return errors.New("bench: no humd to measure")
	}
	if c.TempDir == "" && c.Workload != "api" {
		return errors.New("bench: the Pebble baseline needs a TempDir")
	}
	return nil
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
	if cfg.Workload != "api" && cfg.NoBaselines {
		r, err := runIngest(ctx, &cfg, false)
		if err != nil {
			return results, err
		}
		results = append(results, r...)
	} else if cfg.Workload != "api" {
		bare, err := runBaseline(ctx, &cfg, "baseline-http", "")
		if err != nil {
			return results, err
		}
		durable, err := runBaseline(ctx, &cfg, "baseline-pebble", filepath.Join(cfg.TempDir, "baseline-pebble"))
		if err != nil {
			return append(results, bare), err
		}
		results = append(results, bare, durable)
		r, err := runIngest(ctx, &cfg, false)
		if err != nil {
			return results, err
		}
		if bare.PerSec > 0 {
			r[0].VsHTTP = r[0].PerSec / bare.PerSec
		}
		if durable.PerSec > 0 {
			r[0].VsPebble = r[0].PerSec / durable.PerSec
		}
		results = append(results, r...)
	}
	if cfg.Workload != "ingest" {
		r, err := runIngest(ctx, &cfg, true)
		if err != nil {
			return results, err
		}
		results = append(results, r...)
	}
	for _, r := range results {
		if r.Check != nil {
			if err := r.Check.Err(); err != nil {
				failed = append(failed, fmt.Errorf("%s/%s (%s): %w", r.Workload, r.Target, r.Mix, err))
			}
		}
	}
	return results, errors.Join(failed...)
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
func runBaseline(ctx context.Context, cfg *Config, target, dir string) (Result, error) {
	b, err := StartBaseline(dir)
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
// them when withAPI, and checks what was stored.
func runIngest(ctx context.Context, cfg *Config, withAPI bool) ([]Result, error) {
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
	before := ReadUsage()
	if !withAPI {
		st, err := load.Run(ctx)
		return finishIngest(cfg, in, st, err, nil, nil, before, mix)
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
