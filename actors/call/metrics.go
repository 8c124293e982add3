package call

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Turn latency as a caller hears it: from the caller's prompt to the
// agent's first token, and to its last.
var (
	firstToken = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "humd_call_turn_first_token_seconds",
		Help:    "Time from a caller's prompt to the agent's first token on the relay.",
		Buckets: prometheus.ExponentialBuckets(0.005, 2, 12)})
	turnSeconds = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "humd_call_turn_seconds",
		Help:    "Time from a caller's prompt to the agent's last token.",
		Buckets: prometheus.ExponentialBuckets(0.01, 2, 12)})
)

// Collectors are this package's metrics (live calls are
// humd_actors_live{kind="call"}).
func Collectors() []prometheus.Collector { return []prometheus.Collector{firstToken, turnSeconds} }

func observeSince(h prometheus.Histogram, start, now time.Time) {
	if !start.IsZero() {
		h.Observe(now.Sub(start).Seconds())
	}
}
