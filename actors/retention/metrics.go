package retention

import "github.com/prometheus/client_golang/prometheus"

var (
	deletedTotal = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "humd_retention_deleted_records_total",
		Help: "Records retention deleted, by family (events, webhook_deliveries, ai_runs, sandbox)."}, []string{"family"})
	failuresTotal = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "humd_retention_failures_total",
		Help: "Retention passes that failed on a family, by family."}, []string{"family"})
	lastRun = prometheus.NewGauge(prometheus.GaugeOpts{Name: "humd_retention_last_run_timestamp_seconds",
		Help: "When the last retention pass ended, in seconds since the Unix epoch."})
	duration = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "humd_retention_run_duration_seconds",
		Help: "How long a retention pass took, compactions included.", Buckets: []float64{0.01, 0.1, 1, 5, 15, 60, 300, 900}})
)

// Collectors are this package's metrics.
func Collectors() []prometheus.Collector {
	return []prometheus.Collector{deletedTotal, failuresTotal, lastRun, duration}
}

func record(r *Report) {
	for f, n := range r.Deleted {
		deletedTotal.WithLabelValues(f).Add(float64(n))
	}
	for f := range r.Errors {
		failuresTotal.WithLabelValues(f).Inc()
	}
	lastRun.Set(float64(r.EndedAt.UnixNano()) / 1e9)
	duration.Observe(r.EndedAt.Sub(r.StartedAt).Seconds())
}
