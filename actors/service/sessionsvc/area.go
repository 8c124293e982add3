package sessionsvc

import (
	"time"

	"github.com/humd/humd/actors/service/svcbase"
	"github.com/humd/humd/storage/tenancy"
)

// Sessions is the seed sessions area: agent sessions and address sessions.
// actors/service.Service embeds it, so its operations are the front door's.
type Sessions struct {
	d svcbase.Deps
}

// New builds the area over d.
func New(d svcbase.Deps) *Sessions { return &Sessions{d: d} }

func (s *Sessions) now() time.Time { return s.d.Clock.Now() }

func need(p *tenancy.Principal, min tenancy.Role) error { return svcbase.Need(p, min) }
