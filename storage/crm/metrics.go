package crm

import "github.com/prometheus/client_golang/prometheus"

// callsTotal counts CRM calls by connector and result, as their log entries
// commit (every call humd makes to a CRM is logged).
var callsTotal = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "humd_crm_calls_total",
	Help: "Calls to CRM connectors by connector and result (ok, failed)."}, []string{"connector", "result"})

// Collectors are this package's metrics.
func Collectors() []prometheus.Collector { return []prometheus.Collector{callsTotal} }

func countCall(id string, e *LogEntry) func() {
	result := "ok"
	if e.Error != "" || e.Status/100 != 2 {
		result = "failed"
	}
	return callsTotal.WithLabelValues(id, result).Inc
}
