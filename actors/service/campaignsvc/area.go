package campaignsvc

import (
	"time"

	"github.com/humd/humd/actors/service/svcbase"
	"github.com/humd/humd/storage/tenancy"
)

// Campaigns is the campaigns area. actors/service.Service embeds it, so its
// operations are the front door's.
type Campaigns struct {
	d svcbase.Deps
}

// New builds the area over d.
func New(d svcbase.Deps) *Campaigns { return &Campaigns{d: d} }

func (s *Campaigns) now() time.Time { return s.d.Clock.Now() }

func need(p *tenancy.Principal, min tenancy.Role) error { return svcbase.Need(p, min) }
