package adminsvc

import (
	"time"

	"github.com/humd/humd/actors/service/svcbase"
	"github.com/humd/humd/storage/tenancy"
)

// Admin is the admin area: billing, the dashboard and the carrier's numbers
// (search, buy, sync, release). actors/service.Service embeds it, so its
// operations are the front door's.
type Admin struct {
	d svcbase.Deps
}

// New builds the area over d.
func New(d svcbase.Deps) *Admin {
	return &Admin{d: d}
}

func (s *Admin) now() time.Time { return s.d.Clock.Now() }

func need(p *tenancy.Principal, min tenancy.Role) error { return svcbase.Need(p, min) }
