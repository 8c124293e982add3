package flowsvc

import (
	"time"

	"github.com/humd/humd/actors/service/svcbase"
	"github.com/humd/humd/storage/tenancy"
)

// Flows is the flows area: flows, their tools, knowledge and MCP integrations.
// actors/service.Service embeds it, so its operations are the front door's.
type Flows struct {
	d svcbase.Deps
}

// New builds the area over d.
func New(d svcbase.Deps) *Flows { return &Flows{d: d} }

func (s *Flows) now() time.Time { return s.d.Clock.Now() }

func need(p *tenancy.Principal, min tenancy.Role) error { return svcbase.Need(p, min) }
