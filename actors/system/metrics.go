package system

import (
	"sort"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/prometheus/client_golang/prometheus"
)

// mailboxDepth is a kind's mailbox middleware: it counts what is posted and
// received, so the depth of all of a kind's mailboxes is one atomic read.
type mailboxDepth kindDir

var _ actor.MailboxMiddleware = (*mailboxDepth)(nil)

func (m *mailboxDepth) MailboxStarted()     {}
func (m *mailboxDepth) MessagePosted(any)   { m.queued.Add(1) }
func (m *mailboxDepth) MessageReceived(any) { m.queued.Add(-1) }
func (m *mailboxDepth) MailboxEmpty()       {}

var (
	liveDesc  = prometheus.NewDesc("humd_actors_live", "Actors running now, by kind.", []string{"kind"}, nil)
	depthDesc = prometheus.NewDesc("humd_actor_mailbox_messages",
		"Messages waiting in the mailboxes of a kind's actors (posted, not yet received).", []string{"kind"}, nil)
)

// Collector reports live actors and mailbox depth by kind from the
// registry's own counters: a scrape takes no lock an actor holds.
func (r *Registry) Collector() prometheus.Collector { return registryCollector{r} }

type registryCollector struct{ r *Registry }

func (c registryCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- liveDesc
	ch <- depthDesc
}

func (c registryCollector) Collect(ch chan<- prometheus.Metric) {
	kinds := *c.r.kinds.Load()
	names := make([]string, 0, len(kinds))
	for k := range kinds {
		names = append(names, string(k))
	}
	sort.Strings(names)
	for _, k := range names {
		d := kinds[Kind(k)]
		ch <- prometheus.MustNewConstMetric(liveDesc, prometheus.GaugeValue, float64(d.live.Load()), k)
		ch <- prometheus.MustNewConstMetric(depthDesc, prometheus.GaugeValue, float64(max(0, d.queued.Load())), k)
	}
}
