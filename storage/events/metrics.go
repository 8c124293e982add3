package events

import (
	"sync"

	"github.com/prometheus/client_golang/prometheus"
)

// Every change humd reports goes through Append, so the event log is where
// texts and everything else are counted: once, when the batch that records
// them commits.
var (
	eventsTotal = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "humd_events_total",
		Help: "Events committed to the org event logs, by type."}, []string{"type"})
	textsTotal = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "humd_texts_total",
		Help: "Texts by direction (in, out) and the status they reached (received, sent, delivered, failed)."},
		[]string{"direction", "status"})
	counters sync.Map // type -> func() incrementing its counters
)

// Collectors are the event log's metrics, for the process's registry.
// They are process-wide: several stores in one process (tests) add up.
func Collectors() []prometheus.Collector { return []prometheus.Collector{eventsTotal, textsTotal} }

var textStatus = map[string][2]string{
	SMSReceived:  {"in", "received"},
	SMSSent:      {"out", "sent"},
	SMSDelivered: {"out", "delivered"},
	SMSFailed:    {"out", "failed"},
}

// counted answers the function that counts one committed event of typ.
func counted(typ string) func() {
	if f, ok := counters.Load(typ); ok {
		return f.(func())
	}
	ev := eventsTotal.WithLabelValues(typ)
	f := ev.Inc
	if ds, ok := textStatus[typ]; ok {
		tx := textsTotal.WithLabelValues(ds[0], ds[1])
		f = func() { ev.Inc(); tx.Inc() }
	}
	got, _ := counters.LoadOrStore(typ, f)
	return got.(func())
}
