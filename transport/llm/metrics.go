package llm

import (
	"context"
	"time"

	"github.com/humd/humd/actors/ai"
	"github.com/prometheus/client_golang/prometheus"
)

var (
	runsTotal = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "humd_ai_runs_total",
		Help: "Model runs by channel (sms, voice) and result (ok, error)."}, []string{"channel", "result"})
	runSeconds = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "humd_ai_run_seconds",
		Help: "Duration of a model run (tool calls included), by channel.", Buckets: prometheus.ExponentialBuckets(0.05, 2, 10)},
		[]string{"channel"})
	tokensTotal = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "humd_ai_tokens_total",
		Help: "Model tokens by channel and kind (input, output)."}, []string{"channel", "kind"})
)

// Collectors are this package's metrics.
func Collectors() []prometheus.Collector {
	return []prometheus.Collector{runsTotal, runSeconds, tokensTotal}
}

// Measured wraps a model so every run is counted and timed under channel.
// It runs where the model runs (off the actors' mailboxes) and times with
// the wall clock: latency is the machine's, not the injected clock's, which
// is why it lives here and not in actors/ai.
func Measured(m ai.Model, channel string) ai.Model {
	if m == nil {
		return nil
	}
	return &measured{m: m, ch: channel}
}

type measured struct {
	m  ai.Model
	ch string
}

func (w *measured) Run(ctx context.Context, t *ai.Turn, exec ai.ToolExec) (*ai.Result, error) {
	start := time.Now()
	res, err := w.m.Run(ctx, t, exec)
	runSeconds.WithLabelValues(w.ch).Observe(time.Since(start).Seconds())
	result := "ok"
	if err != nil {
		result = "error"
	}
	runsTotal.WithLabelValues(w.ch, result).Inc()
	if res != nil {
		tokensTotal.WithLabelValues(w.ch, "input").Add(float64(res.Usage.InputTokens))
		tokensTotal.WithLabelValues(w.ch, "output").Add(float64(res.Usage.OutputTokens))
	}
	return res, err
}
