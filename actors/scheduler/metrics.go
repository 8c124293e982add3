package scheduler

import "github.com/prometheus/client_golang/prometheus"

// lag is how late due work (scheduled sends, snooze ends) reaches its
// thread: the scheduler ticks each minute, so up to a minute is normal; more
// means it is falling behind.
var lag = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "humd_scheduler_lag_seconds",
	Help:    "Time from when scheduled work fell due to when the scheduler handed it to its thread.",
	Buckets: []float64{1, 5, 15, 30, 60, 90, 120, 300, 900}})

// Collectors are this package's metrics.
func Collectors() []prometheus.Collector { return []prometheus.Collector{lag} }
