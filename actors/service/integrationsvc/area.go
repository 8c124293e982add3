package integrationsvc

import (
	"time"

	"github.com/humd/humd/actors/service/svcbase"
	"github.com/humd/humd/storage/tenancy"
)

// Integrations is the integrations area: webhooks, CRM connectors, MCP
// integrations, tool-call approvals, triggers and the event log.
// actors/service.Service embeds it, so its operations are the front door's.
type Integrations struct {
	d svcbase.Deps
}

// New builds the area over d.
func New(d svcbase.Deps) *Integrations { return &Integrations{d: d} }

func (s *Integrations) now() time.Time { return s.d.Clock.Now() }

func need(p *tenancy.Principal, min tenancy.Role) error { return svcbase.Need(p, min) }
