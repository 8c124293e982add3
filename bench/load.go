package bench

import (
	"context"
	"fmt"
	"io"
	"runtime/trace"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/humd/humd/bench/tail"
)

// Load is one workload. Closed loop (Rate 0): Workers goroutines each send a
// request, wait for the answer and send the next, until Duration has passed
// or Count requests were sent. Open loop (Rate > 0): request n is due at
// start + n/Rate whatever happened to the others; see Rate.
type Load struct {
	// Name labels progress lines and results.
	Name string
	// Client carries the requests (Addr set, MaxConns = connections).
	Client *fasthttp.HostClient
	// Workers is the number of requests in flight; 0 means Client.MaxConns.
	Workers int
	// Duration bounds the run; Count, when set, stops after that many requests
	// (whichever comes first). With neither, the load runs until ctx ends.
	Duration time.Duration
	Count    uint64
	// Timeout bounds one request; 0 means 10s.
	Timeout time.Duration
	// Prepare fills req for request n (0, 1, 2, ... across all workers).
	Prepare func(n uint64, req *fasthttp.Request)
	// KeepOK records the n of every request answered 200 in Stats.OK.
	KeepOK bool
	// Progress, when set, gets one line per second.
	Progress io.Writer
	// Rate, when above 0, offers that many requests per second on a fixed
	// schedule. A due request goes to an idle worker, or waits in a queue as
	// long as the worker count; when that queue is full too it is dropped
	// (counted in Stats.Dropped, never sent). Latency is measured from the
	// time the request was due, not when it was sent, so a server that stalls
	// pays for every request it delayed (no coordinated omission).
	Rate float64
}

// Stats is what one Load measured.
type Stats struct {
	Name      string
	Requests  uint64 // answered or failed
	Errors    uint64 // transport errors and non-200 answers
	FirstErr  string
	Elapsed   time.Duration
	Latencies []time.Duration // of every request, sorted
	OK        []uint64        // with KeepOK: the n of each 200
	// Open loop only: Offered requests were due, Dropped of them were never
	// sent because every worker was busy and the queue full.
	Offered, Dropped uint64
}

// Percentile answers the p-quantile latency (0 < p <= 1).
func (s *Stats) Percentile(p float64) time.Duration {
	if len(s.Latencies) == 0 {
		return 0
	}
	i := int(float64(len(s.Latencies))*p+0.999999) - 1
	return s.Latencies[min(max(i, 0), len(s.Latencies)-1)]
}

type worker struct {
	lat []time.Duration
	ok  []uint64
}

// Run drives the load and answers once every worker has stopped.
func (l *Load) Run(ctx context.Context) (*Stats, error) {
	workers := l.Workers
	if workers <= 0 {
		workers = max(l.Client.MaxConns, 1)
	}
	timeout := l.Timeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	if l.Duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, l.Duration)
		defer cancel()
	}
	var next, done, errs atomic.Uint64
	var firstErr atomic.Pointer[string]
	ws := make([]worker, workers)
	var wg sync.WaitGroup
	start := time.Now()
	stopProgress := l.progress(start, &done, &errs)
	// send makes request n, its latency counted from due.
	send := func(w *worker, req *fasthttp.Request, resp *fasthttp.Response, n uint64, due time.Time) {
		req.Reset()
		resp.Reset()
		l.Prepare(n, req)
		if due.IsZero() {
			due = time.Now()
		}
		err := l.Client.DoTimeout(req, resp, timeout)
		lat := time.Since(due)
		w.lat = append(w.lat, lat)
		if lat >= tail.SlowMark && trace.IsEnabled() {
			trace.Log(context.Background(), "slow", lat.String())
		}
		if err = tally(err, resp, &done, &errs, &firstErr); err != nil {
			return
		}
		if l.KeepOK {
			w.ok = append(w.ok, n)
		}
	}
	var offered, dropped uint64
	if l.Rate > 0 {
		type job struct {
			n   uint64
			due time.Time
		}
		jobs := make(chan job, workers)
		for i := range ws {
			w := &ws[i]
			wg.Go(func() {
				req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
				defer fasthttp.ReleaseRequest(req)
				defer fasthttp.ReleaseResponse(resp)
				for j := range jobs {
					send(w, req, resp, j.n, j.due)
				}
			})
		}
		// The dispatcher wakes at least every 100µs and hands out every
		// request due by then, each stamped with its own due time.
		interval := float64(time.Second) / l.Rate
		for ctx.Err() == nil && (l.Count == 0 || offered < l.Count) {
			due := start.Add(time.Duration(float64(offered) * interval))
			if wait := time.Until(due); wait > 0 {
				time.Sleep(max(wait, 100*time.Microsecond))
				continue
			}
			select {
			case jobs <- job{n: offered, due: due}:
			default:
				dropped++
			}
			offered++
		}
		close(jobs)
	} else {
		for i := range ws {
			w := &ws[i]
			wg.Go(func() {
				req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
				defer fasthttp.ReleaseRequest(req)
				defer fasthttp.ReleaseResponse(resp)
				for ctx.Err() == nil {
					n := next.Add(1) - 1
					if l.Count > 0 && n >= l.Count {
						return
					}
					send(w, req, resp, n, time.Time{})
				}
			})
		}
	}
	wg.Wait()
	st := &Stats{Name: l.Name, Requests: done.Load(), Errors: errs.Load(), Elapsed: time.Since(start),
		Offered: offered, Dropped: dropped}
	stopProgress()
	if p := firstErr.Load(); p != nil {
		st.FirstErr = *p
	}
	for _, w := range ws {
		st.Latencies = append(st.Latencies, w.lat...)
		st.OK = append(st.OK, w.ok...)
	}
	slices.Sort(st.Latencies)
	slices.Sort(st.OK)
	return st, nil
}

// progress prints a line per second until the func it answers is called.
func (l *Load) progress(start time.Time, done, errs *atomic.Uint64) func() {
	if l.Progress == nil {
		return func() {}
	}
	stop := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(time.Second)
		defer t.Stop()
		var last uint64
		for {
			select {
			case <-stop:
				return
			case now := <-t.C:
				d := done.Load()
				total := ""
				if l.Duration > 0 {
					total = "/" + l.Duration.String()
				}
				_, _ = fmt.Fprintf(l.Progress, "%-16s %4.0fs%s  %9d req  %7d/s  %d errors\n",
					l.Name, now.Sub(start).Seconds(), total, d, d-last, errs.Load())
				last = d
			}
		}
	}()
	return func() { close(stop); <-finished }
}

// tally counts one answer: any non-200 is an error, and the first error's
// text is kept for the report. It answers the error.
func tally(err error, resp *fasthttp.Response, done, errs *atomic.Uint64, firstErr *atomic.Pointer[string]) error {
	if err == nil && resp.StatusCode() != fasthttp.StatusOK {
		err = fmt.Errorf("status %d: %.200s", resp.StatusCode(), resp.Body())
	}
	done.Add(1)
	if err != nil {
		errs.Add(1)
		msg := err.Error()
		firstErr.CompareAndSwap(nil, &msg)
	}
	return err
}
