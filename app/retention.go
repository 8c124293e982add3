package app

import (
	"github.com/humd/humd/actors/enrich"
	"github.com/humd/humd/actors/retention"
)

// wireRetention starts the retention actor (HUMD_RETENTION_*). The event
// log's consumers are the webhook endpoints, the CRM connectors and, when
// a lookup provider runs, enrichment: none of them loses an unread event.
func (a *App) wireRetention(en *enrich.Service) (*retention.Service, error) {
	cfg := retention.Config{Store: a.Store, Clock: a.Clock, Logger: a.log,
		Keep: retention.Keep{Events: a.cfg.RetentionEvents, Deliveries: a.cfg.RetentionDeliveries, Runs: a.cfg.RetentionRuns,
			Sandbox: a.cfg.RetentionSandbox},
		Every: a.cfg.RetentionEvery, Batch: a.cfg.RetentionBatch,
		Consumers: []retention.Consumer{retention.Webhooks, retention.CRM}}
	if en != nil && en.Enabled() {
		cfg.Consumers = append(cfg.Consumers, retention.Enrich)
	}
	if a.Sandbox != nil {
		cfg.Sandbox = a.Sandbox
	}
	return retention.Start(a.System.Root, cfg)
}
