package app

import (
	"strings"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/humd/humd/actors/call"
	"github.com/humd/humd/actors/retention"
	"github.com/humd/humd/actors/scheduler"
	"github.com/humd/humd/actors/sender"
	"github.com/humd/humd/actors/system"
	"github.com/humd/humd/actors/webhook"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/campaigns"
	"github.com/humd/humd/storage/crm"
	"github.com/humd/humd/storage/events"
	"github.com/humd/humd/storage/webhooks"
	"github.com/humd/humd/transport/llm"
)

// registerMetrics adds what an operator watches (docs/operations.md lists
// them) to reg: the packages' own counters and histograms, and collectors
// that read state at scrape time.
func (a *App) registerMetrics(reg *prometheus.Registry) {
	a.collectors = []prometheus.Collector{a.Store.Collector(), system.RegistryOf(a.System).Collector(), backlog{a.Store}}
	for _, cs := range [][]prometheus.Collector{events.Collectors(), crm.Collectors(), webhook.Collectors(), llm.Collectors(),
		call.Collectors(), sender.Collectors(), scheduler.Collectors(), retention.Collectors()} {
		a.collectors = append(a.collectors, cs...)
	}
	reg.MustRegister(a.collectors...)
}

// MetricNames lists the metric families humd's own collectors declare,
// whether or not they have a sample yet (a labelled family has none until
// first used); the HTTP edge's and the skip counter come on top.
func (a *App) MetricNames() []string {
	ch := make(chan *prometheus.Desc, 16)
	go func() {
		for _, c := range a.collectors {
			c.Describe(ch)
		}
		close(ch)
	}()
	var names []string
	for d := range ch {
		// Desc has no accessor for its name; its String form starts with it.
		s := d.String()
		if i := strings.Index(s, `fqName: "`); i >= 0 {
			rest := s[i+len(`fqName: "`):]
			names = append(names, rest[:strings.IndexByte(rest, '"')])
		}
	}
	return names
}

var (
	webhookBacklogDesc = prometheus.NewDesc("humd_webhook_backlog_events",
		"Events of the org's log an enabled webhook endpoint has not taken yet.", []string{"endpoint"}, nil)
	crmBacklogDesc = prometheus.NewDesc("humd_crm_backlog_events",
		"Events of the org's log an enabled CRM connector has not taken yet.", []string{"connector"}, nil)
	campaignDesc = prometheus.NewDesc("humd_campaign_recipients",
		"Recipients of running campaigns by status.", []string{"campaign", "status"}, nil)
)

// backlog reads consumers' cursors against their org's log, and running
// campaigns' counts, at scrape time: a few point reads per endpoint.
type backlog struct{ st storage.Store }

func (b backlog) Describe(ch chan<- *prometheus.Desc) {
	ch <- webhookBacklogDesc
	ch <- crmBacklogDesc
	ch <- campaignDesc
}

func (b backlog) Collect(ch chan<- prometheus.Metric) {
	behind := func(org string, cursor func() (uint64, error)) (float64, bool) {
		last, err := events.LastSeq(b.st, org)
		if err != nil {
			return 0, false
		}
		cur, err := cursor()
		if err != nil || cur > last {
			return 0, err == nil
		}
		return float64(last - cur), true
	}
	_ = webhooks.All(b.st, func(e *webhooks.Endpoint) {
		if !e.Enabled {
			return
		}
		if n, ok := behind(e.OrgID, func() (uint64, error) { return webhooks.Cursor(b.st, e.OrgID, e.ID) }); ok {
			ch <- prometheus.MustNewConstMetric(webhookBacklogDesc, prometheus.GaugeValue, n, e.ID)
		}
	})
	_ = crm.All(b.st, func(c *crm.Connector) {
		if !c.Enabled {
			return
		}
		if n, ok := behind(c.OrgID, func() (uint64, error) { return crm.Cursor(b.st, c.OrgID, c.ID) }); ok {
			ch <- prometheus.MustNewConstMetric(crmBacklogDesc, prometheus.GaugeValue, n, c.ID)
		}
	})
	// Counting reads a running campaign's rows: one range scan each.
	active, _ := campaigns.ListActive(b.st)
	for _, ref := range active {
		n, err := campaigns.CountOf(b.st, ref.OrgID, ref.ID)
		if err != nil {
			continue
		}
		for status, v := range map[string]int{"pending": n.Pending, "sending": n.Sending, "sent": n.Sent, "delivered": n.Delivered,
			"failed": n.Failed, "opted_out": n.OptedOut, "skipped": n.Skipped, "cancelled": n.Cancelled, "unknown": n.Unknown} {
			ch <- prometheus.MustNewConstMetric(campaignDesc, prometheus.GaugeValue, float64(v), ref.ID, status)
		}
	}
}
