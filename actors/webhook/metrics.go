package webhook

import "github.com/prometheus/client_golang/prometheus"

// attemptsTotal counts delivery attempts by endpoint and result, once the
// attempt is recorded.
var attemptsTotal = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "humd_webhook_attempts_total",
	Help: "Webhook delivery attempts by endpoint and result (ok, failed)."}, []string{"endpoint", "result"})

// Collectors are this package's metrics.
func Collectors() []prometheus.Collector { return []prometheus.Collector{attemptsTotal} }

func countAttempt(endpoint string, status int) {
	result := "failed"
	if status >= 200 && status < 300 {
		result = "ok"
	}
	attemptsTotal.WithLabelValues(endpoint, result).Inc()
}
