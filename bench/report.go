package bench

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Result is one workload against one target.
type Result struct {
	// Workload is ingest, api or debounce; Target is humd, baseline-http,
	// baseline-pebble or baseline-records; Mix says what else ran at the same time, or the open
	// loop's offered rate.
	Workload string `json:"workload"`
	Target   string `json:"target"`
	Mix      string `json:"mix,omitempty"`
	Conns    int    `json:"conns"`
	Workers  int    `json:"workers"`
	Contacts int    `json:"contacts,omitempty"`
	// Live is the number of conversations with an actor at the end
	// (in-process humd only): what passivation has not stopped yet.
	Live int `json:"threads_live,omitempty"`
	// OfferedPerSec and Dropped are set in open loop (Load.Rate): the
	// schedule's rate and the requests never sent because every connection
	// was busy.
	OfferedPerSec float64 `json:"offered_per_sec,omitempty"`
	Dropped       uint64  `json:"dropped,omitempty"`
	// RateBasis says what the offered rate is a fraction of, if anything.
	RateBasis string `json:"rate_basis,omitempty"`

	Requests uint64  `json:"requests"`
	Errors   uint64  `json:"errors"`
	FirstErr string  `json:"first_error,omitempty"`
	Seconds  float64 `json:"seconds"`
	// PerSec counts requests answered 200 per second.
	PerSec float64 `json:"per_sec"`
	P50Ms  float64 `json:"p50_ms"`
	P90Ms  float64 `json:"p90_ms"`
	P99Ms  float64 `json:"p99_ms"`
	MaxMs  float64 `json:"max_ms"`
	// CPUSeconds is user+system time of the bench process during the
	// workload (in-process: server and load generator together).
	CPUSeconds float64 `json:"cpu_seconds"`
	// CPUPerReqUs is CPUSeconds per request, in microseconds (0 when two
	// loads ran at once and shared the CPU time).
	CPUPerReqUs float64 `json:"cpu_us_per_req"`
	// PeakRSSMiB is the bench process's peak resident set so far (a
	// high-water mark over the whole run, not per workload).
	PeakRSSMiB float64 `json:"peak_rss_mib"`
	// VsHTTP, VsPebble and VsRecords are PerSec over the baselines' (humd
	// ingest only).
	VsHTTP    float64 `json:"vs_http_baseline,omitempty"`
	VsPebble  float64 `json:"vs_pebble_baseline,omitempty"`
	VsRecords float64 `json:"vs_records_baseline,omitempty"`
	// Check is the correctness verdict (ingest against humd only).
	Check *Check `json:"check,omitempty"`
	// Debounce is the debounce workload's verdict and added latency; its
	// p50..max above are of the webhook acknowledgements.
	Debounce *DebounceCheck `json:"debounce,omitempty"`
	// Calls is the calls workload's verdict; its p50..max above are the turn
	// overheads.
	Calls *CallsCheck `json:"calls,omitempty"`
	// Campaign is the campaign workload's verdict; its req/s are texts
	// dispatched per wall-clock second.
	Campaign *CampaignCheck `json:"campaign,omitempty"`
}

// Usage is a snapshot of the process's CPU time and peak RSS.
type Usage struct {
	CPU     time.Duration
	PeakRSS int64 // bytes
}

// ReadUsage answers getrusage(RUSAGE_SELF).
func ReadUsage() Usage {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return Usage{}
	}
	cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	return Usage{CPU: cpu, PeakRSS: ru.Maxrss * 1024} // Linux reports KiB
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// NewResult summarises st with the usage before and after it.
func NewResult(workload, target string, st *Stats, before, after Usage) Result {
	r := Result{Workload: workload, Target: target, Requests: st.Requests, Errors: st.Errors, FirstErr: st.FirstErr,
		Dropped: st.Dropped, Seconds: st.Elapsed.Seconds(), P50Ms: ms(st.Percentile(0.50)), P90Ms: ms(st.Percentile(0.90)),
		P99Ms: ms(st.Percentile(0.99)), MaxMs: ms(st.Percentile(1)),
		CPUSeconds: (after.CPU - before.CPU).Seconds(), PeakRSSMiB: float64(after.PeakRSS) / (1 << 20)}
	if r.Seconds > 0 {
		r.PerSec = float64(st.Requests-st.Errors) / r.Seconds
	}
	if st.Requests > 0 {
		r.CPUPerReqUs = r.CPUSeconds * 1e6 / float64(st.Requests)
	}
	return r
}

// Machine describes where the run happened.
type Machine struct {
	CPUs      int    `json:"cpus"`
	OS        string `json:"os"`
	Arch      string `json:"arch"`
	CPUModel  string `json:"cpu_model"`
	GoVersion string `json:"go_version"`
}

// ThisMachine answers the machine this process runs on.
func ThisMachine() Machine {
	m := Machine{CPUs: runtime.NumCPU(), OS: runtime.GOOS, Arch: runtime.GOARCH, GoVersion: runtime.Version(), CPUModel: "unknown"}
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPUModel = strings.TrimSpace(v)
				break
			}
		}
	}
	return m
}

// Report is a whole run.
type Report struct {
	Machine Machine   `json:"machine"`
	Command string    `json:"command"`
	Date    time.Time `json:"date"`
	Results []Result  `json:"results"`
}

// MarkdownHeader is the table header MarkdownRow's rows go under.
const MarkdownHeader = "| workload | target | mix | conns | contacts / live | requests | errors | req/s | p50 ms | p90 ms | p99 ms | max ms | CPU s | CPU µs/req | peak RSS MiB | vs HTTP | vs Pebble | vs records | check |\n" +
	"|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|\n"

// DebounceHeader is the table header DebounceRow's rows go under.
const DebounceHeader = "| conversations × texts | debounce ms | model delay ms | numbers | model requests | replies | stored replies | spilled | added p50 ms | p90 ms | p99 ms | max ms | to model p50 / p99 ms | from model p50 / p99 ms | reply spread ms | check |\n" +
	"|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|\n"

// MarkdownRow is r as one table row.
func (r *Result) MarkdownRow() string {
	ratio := func(x float64) string {
		if x == 0 {
			return ""
		}
		return fmt.Sprintf("%.2fx", x)
	}
	check := ""
	switch {
	case r.Check != nil:
		check = "ok"
		if err := r.Check.Err(); err != nil {
			check = "FAILED"
		}
		check += fmt.Sprintf(" (%d/%d stored once)", r.Check.Stored, r.Check.Acked)
	case r.Debounce != nil:
		check = r.Debounce.verdict()
	case r.Calls != nil:
		check = r.Calls.verdict()
	case r.Campaign != nil:
		check = r.Campaign.verdict() + fmt.Sprintf(", created in %.0f ms", r.Campaign.CreateMs)
	}
	mix := r.Mix
	if mix == "" {
		mix = "alone"
	}
	if r.OfferedPerSec > 0 {
		mix = fmt.Sprintf("open loop %.0f/s, %d dropped", r.OfferedPerSec, r.Dropped)
		if r.RateBasis != "" {
			mix = fmt.Sprintf("open loop %.0f/s (%s), %d dropped", r.OfferedPerSec, r.RateBasis, r.Dropped)
		}
	}
	perReq := "shared"
	if r.CPUPerReqUs > 0 {
		perReq = fmt.Sprintf("%.0f", r.CPUPerReqUs)
	}
	contacts := ""
	if r.Contacts > 0 {
		contacts = strconv.Itoa(r.Contacts)
		if r.Live > 0 {
			contacts += " / " + strconv.Itoa(r.Live)
		}
	}
	return fmt.Sprintf("| %s | %s | %s | %d | %s | %d | %d | %.0f | %.2f | %.2f | %.2f | %.2f | %.1f | %s | %.0f | %s | %s | %s | %s |\n",
		r.Workload, r.Target, mix, r.Conns, contacts, r.Requests, r.Errors, r.PerSec, r.P50Ms, r.P90Ms, r.P99Ms, r.MaxMs,
		r.CPUSeconds, perReq, r.PeakRSSMiB, ratio(r.VsHTTP), ratio(r.VsPebble), ratio(r.VsRecords), check)
}

func (c *DebounceCheck) verdict() string {
	v := "ok"
	if c.Err() != nil {
		v = "FAILED"
	}
	return fmt.Sprintf("%s (%d/%d one request, %d replies)", v, c.Convs-c.FailedBursts-c.Unanswered-c.NotOneRequest-c.Spilled,
		c.Convs, c.Replies)
}

// DebounceRow is the debounce verdict of r as one table row ("" without one).
func (r *Result) DebounceRow() string {
	c := r.Debounce
	if c == nil {
		return ""
	}
	return fmt.Sprintf("| %d × %d | %.0f | %.0f | %d | %d | %d | %d | %d | %.2f | %.2f | %.2f | %.2f | %.2f / %.2f | %.2f / %.2f | %.0f | %s |\n",
		c.Convs, c.Burst, c.WindowMs, c.ModelDelayMs, c.Numbers, c.ModelRequests, c.Replies, c.StoredReplies, c.Spilled,
		c.AddedP50Ms, c.AddedP90Ms, c.AddedP99Ms, c.AddedMaxMs, c.ToModelP50Ms, c.ToModelP99Ms, c.FromModelP50Ms, c.FromModelP99Ms,
		c.ReplySpreadMs, c.verdict())
}

// WriteMarkdown writes the machine, command, date and the results table.
func (rep *Report) WriteMarkdown(w io.Writer) error {
	m := rep.Machine
	_, err := fmt.Fprintf(w, "- Machine: %d CPUs, %s/%s, %s\n- Go: %s\n- Date: %s\n- Command: `%s`\n\n",
		m.CPUs, m.OS, m.Arch, m.CPUModel, m.GoVersion, rep.Date.UTC().Format(time.RFC3339), rep.Command)
	if err != nil {
		return err
	}
	if _, err := io.WriteString(w, MarkdownHeader); err != nil {
		return err
	}
	debounce, callRows := "", ""
	for i := range rep.Results {
		if _, err := io.WriteString(w, rep.Results[i].MarkdownRow()); err != nil {
			return err
		}
		debounce += rep.Results[i].DebounceRow()
		callRows += rep.Results[i].CallsRow()
	}
	if debounce != "" {
		if _, err := io.WriteString(w, "\nDebounce: added latency is reply at the carrier − (last text of the burst acknowledged + debounce + model delay).\n\n"+
			DebounceHeader+debounce); err != nil {
			return err
		}
	}
	if callRows != "" {
		_, err = io.WriteString(w, "\nCalls: turn overhead is the caller's final prompt to the agent's last token over the relay socket, minus the model's delay. "+
			"The fake model and the callers run in a peer process: CPU per turn is humd's (the bench process's; call set-up, hang-up and "+
			"summaries spread over the turns) and the peer's apart, RSS humd's highest sampled during the calls and the peer's peak. "+
			"In the table above, a calls row's CPU and RSS are humd's alone.\n\n"+
			CallsHeader+callRows)
	}
	return err
}
