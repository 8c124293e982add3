package sender

import "github.com/prometheus/client_golang/prometheus"

// queueDepth is how many texts wait at each number's sender for their turn
// under the number's rate: the backlog a campaign or a burst builds.
var queueDepth = prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "humd_sender_queue_messages",
	Help: "Texts waiting at a number's sender for the number's rate, by number id."}, []string{"number"})

// Collectors are this package's metrics.
func Collectors() []prometheus.Collector { return []prometheus.Collector{queueDepth} }
