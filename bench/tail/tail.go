package tail

import (
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"golang.org/x/exp/trace"
)

// SlowMark is the latency from which a request counts as slow: the issue's
// p99 target. The load generator logs every such request into a running
// execution trace (category "slow", message its latency), so Read can
// line the slow windows up with what the process was doing.
const SlowMark = 10 * time.Millisecond

// Report attributes a run's slow requests to what ran while they waited, from
// an execution trace taken with humbench -trace.
type Report struct {
	Run          time.Duration
	SlowRequests int
	// Windows are the merged spans from a slow request's due time to its
	// answer; Slow is their total length.
	Windows int
	Slow    time.Duration
	// Conditions splits the run by whether the collector was marking and
	// whether Pebble's background work (flush or compaction) held at least
	// half a core, and says how much of each part lay inside slow windows.
	Conditions []Condition
	// Busy is cores busy by kind of goroutine over the whole run and inside
	// the slow windows.
	Busy []Busy
	// Scheduling delay (runnable to running) of goroutines that got a core
	// inside and outside the slow windows: p50, p90, p99.
	DelayInSlow, DelayElsewhere [3]time.Duration
}

// Condition is one part of the run.
type Condition struct {
	GCMark, Pebble bool
	Run, InSlow    time.Duration
}

// Busy is the average number of cores a kind of goroutine held.
type Busy struct {
	Kind        string
	Run, InSlow float64
}

// span is a half-open interval of trace time in nanoseconds.
type span struct{ a, b int64 }

// Read reads the execution trace at path.
func Read(path string) (*Report, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r, err := trace.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("bench/tail: trace %s: %w", path, err)
	}
	var (
		first, last  int64 = -1, 0
		running            = map[trace.GoID]int64{}
		runnable           = map[trace.GoID]int64{}
		delays       []span
		ranges       = map[string]int64{}
		marks, slows []span
		kinds        = map[string][]span{}
	)
	for {
		ev, err := r.ReadEvent()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("bench/tail: trace %s: %w", path, err)
		}
		t := int64(ev.Time())
		if first < 0 {
			first = t
		}
		last = t
		switch ev.Kind() {
		case trace.EventLog:
			if l := ev.Log(); l.Category == "slow" {
				if d, err := time.ParseDuration(l.Message); err == nil {
					slows = append(slows, span{t - int64(d), t})
				}
			}
		case trace.EventRangeBegin:
			rg := ev.Range()
			ranges[rg.Name+rg.Scope.String()] = t
		case trace.EventRangeEnd:
			rg := ev.Range()
			if a, ok := ranges[rg.Name+rg.Scope.String()]; ok && strings.Contains(rg.Name, "GC concurrent mark") {
				marks = append(marks, span{a, t})
			}
		case trace.EventStateTransition:
			st := ev.StateTransition()
			if st.Resource.Kind != trace.ResourceGoroutine {
				continue
			}
			g := st.Resource.Goroutine()
			from, to := st.Goroutine()
			if to == trace.GoRunnable {
				runnable[g] = t
			}
			switch {
			case to == trace.GoRunning:
				running[g] = t
				if a, ok := runnable[g]; ok {
					delays = append(delays, span{a, t})
					delete(runnable, g)
				}
			case from == trace.GoRunning:
				if a, ok := running[g]; ok {
					k := goroutineKind(ev.Stack())
					kinds[k] = append(kinds[k], span{a, t})
					delete(running, g)
				}
			}
		}
	}
	if first < 0 || last <= first {
		return nil, fmt.Errorf("bench/tail: trace %s: no events", path)
	}
	tl := &Report{Run: time.Duration(last - first), SlowRequests: len(slows)}
	for i := range slows {
		slows[i].a = max(slows[i].a, first) // due before the trace started
	}
	wins := merge(slows)
	tl.Windows = len(wins)
	for _, w := range wins {
		tl.Slow += time.Duration(w.b - w.a)
	}
	tl.Conditions = conditions(first, last, merge(marks), kinds[kindPebble], wins)
	for k, ss := range kinds {
		var run, in int64
		for _, s := range ss {
			run += s.b - s.a
			in += overlap(s, wins)
		}
		tb := Busy{Kind: k, Run: float64(run) / float64(last-first)}
		if tl.Slow > 0 {
			tb.InSlow = float64(in) / float64(tl.Slow)
		}
		tl.Busy = append(tl.Busy, tb)
	}
	slices.SortFunc(tl.Busy, func(x, y Busy) int { return strings.Compare(x.Kind, y.Kind) })
	var in, out []time.Duration
	for _, d := range delays {
		if overlap(span{d.b - 1, d.b}, wins) > 0 {
			in = append(in, time.Duration(d.b-d.a))
		} else {
			out = append(out, time.Duration(d.b-d.a))
		}
	}
	tl.DelayInSlow, tl.DelayElsewhere = quantiles(in), quantiles(out)
	return tl, nil
}

func quantiles(ds []time.Duration) (q [3]time.Duration) {
	if len(ds) == 0 {
		return q
	}
	slices.Sort(ds)
	for i, p := range []float64{0.5, 0.9, 0.99} {
		q[i] = ds[int(float64(len(ds)-1)*p)]
	}
	return q
}

// Kinds of goroutine, told apart by the functions on their stacks.
const (
	kindGC     = "collector"
	kindPebble = "pebble flush/compaction"
	kindWAL    = "pebble WAL"
	KindLoad   = "load generator"
	kindActor  = "actors"
	KindHTTP   = "http server and handlers"
	kindOther  = "other"
)

// goroutineKind looks at the outermost frames, where a goroutine started: a
// webhook handler blocked on its thread actor has the actor's code on top.
func goroutineKind(st trace.Stack) string {
	var fns []string
	for f := range st.Frames() {
		fns = append(fns, f.Func)
	}
	all := strings.Join(fns[max(0, len(fns)-4):], " ")
	for _, k := range []struct{ kind, needle string }{
		{kindGC, "runtime.gcBgMarkWorker"},
		{kindPebble, "pebble/v2.(*DB).compact"},
		{kindPebble, "pebble/v2.(*DB).flush"},
		{kindWAL, "pebble/v2/record.(*LogWriter)"},
		{KindLoad, "bench.(*Load)"},
		{KindHTTP, "valyala/fasthttp"},
		{kindActor, "protoactor-go/actor"},
		{kindActor, "humd/actors/"},
	} {
		if strings.Contains(all, k.needle) {
			return k.kind
		}
	}
	return kindOther
}

// merge sorts spans and joins the ones that overlap.
func merge(ss []span) []span {
	slices.SortFunc(ss, func(x, y span) int { return int(x.a - y.a) })
	var out []span
	for _, s := range ss {
		if n := len(out); n > 0 && s.a <= out[n-1].b {
			out[n-1].b = max(out[n-1].b, s.b)
			continue
		}
		out = append(out, s)
	}
	return out
}

// overlap is how much of s lies inside the sorted, disjoint wins.
func overlap(s span, wins []span) int64 {
	i, _ := slices.BinarySearchFunc(wins, s.a, func(w span, t int64) int { return int(w.b - t) })
	var n int64
	for ; i < len(wins) && wins[i].a < s.b; i++ {
		n += max(0, min(s.b, wins[i].b)-max(s.a, wins[i].a))
	}
	return n
}

// conditions walks the run a millisecond at a time.
func conditions(first, last int64, marks, pebble, wins []span) []Condition {
	const ms = int64(time.Millisecond)
	n := int((last-first)/ms) + 1
	mark := make([]bool, n)
	busy := make([]int64, n) // Pebble background ns per millisecond
	slow := make([]bool, n)
	fill := func(ss []span, f func(i int, s span)) {
		for _, s := range ss {
			for i := int((s.a - first) / ms); i < n && first+int64(i)*ms < s.b; i++ {
				if i >= 0 {
					f(i, s)
				}
			}
		}
	}
	fill(marks, func(i int, _ span) { mark[i] = true })
	fill(wins, func(i int, _ span) { slow[i] = true })
	fill(pebble, func(i int, s span) {
		a, b := first+int64(i)*ms, first+int64(i+1)*ms
		busy[i] += max(0, min(b, s.b)-max(a, s.a))
	})
	out := make([]Condition, 4)
	for i := range out {
		out[i].GCMark, out[i].Pebble = i&2 != 0, i&1 != 0
	}
	for i := range n {
		c := &out[boolIndex(mark[i])*2+boolIndex(busy[i] >= ms/2)]
		c.Run += time.Millisecond
		if slow[i] {
			c.InSlow += time.Millisecond
		}
	}
	return out
}

func boolIndex(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Markdown writes the report as two tables.
func (t *Report) Markdown(w io.Writer) {
	fmt.Fprintf(w, "Requests slower than %v: %d, in %d windows covering %v of a %v run.\n\n",
		SlowMark, t.SlowRequests, t.Windows, t.Slow.Round(time.Millisecond), t.Run.Round(time.Millisecond))
	fmt.Fprintln(w, "| collector marking | Pebble flush/compaction ≥ ½ core | ms of run | ms inside slow windows | share |")
	fmt.Fprintln(w, "|---|---|--:|--:|--:|")
	yes := map[bool]string{true: "yes", false: "no"}
	for _, c := range t.Conditions {
		share := 0.0
		if c.Run > 0 {
			share = 100 * float64(c.InSlow) / float64(c.Run)
		}
		fmt.Fprintf(w, "| %s | %s | %d | %d | %.0f%% |\n", yes[c.GCMark], yes[c.Pebble], c.Run.Milliseconds(), c.InSlow.Milliseconds(), share)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| goroutines | cores busy, whole run | cores busy, inside slow windows |")
	fmt.Fprintln(w, "|---|--:|--:|")
	for _, b := range t.Busy {
		fmt.Fprintf(w, "| %s | %.2f | %.2f |\n", b.Kind, b.Run, b.InSlow)
	}
	ms := func(q [3]time.Duration) string {
		return fmt.Sprintf("%.2f / %.2f / %.2f ms", q[0].Seconds()*1e3, q[1].Seconds()*1e3, q[2].Seconds()*1e3)
	}
	fmt.Fprintf(w, "\nWait for a core (runnable to running) p50 / p90 / p99: %s inside slow windows, %s elsewhere.\n",
		ms(t.DelayInSlow), ms(t.DelayElsewhere))
}

// ms is d in milliseconds, as the reports print it.
func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
