package app

import (
	"github.com/humd/humd/storage/tenancy"
	"github.com/humd/humd/transport/api/campaignapi"
	"github.com/humd/humd/transport/api/coreapi"
	"github.com/humd/humd/transport/api/flowapi"
	"github.com/humd/humd/transport/api/integrationapi"
	"github.com/humd/humd/transport/api/smsapi"
	"github.com/humd/humd/transport/api/voiceapi"
	"github.com/humd/humd/transport/httpapi"
)

// areas builds the API areas the HTTP edge serves, each with only the
// services it uses.
func (a *App) areas(ten *tenancy.Repo, d httpapi.Deps) []httpapi.Area {
	return []httpapi.Area{
		coreapi.New(coreapi.Deps{Tenancy: ten}),
		smsapi.New(smsapi.Deps{Store: a.Store, Clock: a.Clock, Threads: d.Threads, Senders: d.Senders, FlowChannel: d.FlowChannel,
			NumberCap: func(org string) (int, error) { return httpapi.NumberCap(a.Store, a.cfg.PlanMaxNumbers, org) },
			Sandbox:   d.Sandbox, Enrich: d.Enrich}),
		voiceapi.New(voiceapi.Deps{Store: a.Store, Clock: a.Clock, Tenancy: ten, Flows: d.Flows, Calls: d.Calls}),
		campaignapi.New(campaignapi.Deps{Campaigns: d.Campaigns}),
		flowapi.New(flowapi.Deps{Store: a.Store, Clock: a.Clock, Flows: d.Flows, HTTPTools: d.HTTPTools}),
		integrationapi.New(integrationapi.Deps{Store: a.Store, Clock: a.Clock, Flows: d.Flows, PublicURL: a.cfg.PublicURL,
			Webhooks: d.Webhooks, CRM: d.CRM, MCPTools: d.MCPTools, Calls: d.Calls, Threads: d.Threads, OutboundNumber: voiceapi.OutboundNumber}),
	}
}
