package voicesvc

import (
	"time"

	"github.com/humd/humd/actors/service/svcbase"
	"github.com/humd/humd/storage/tenancy"
)

// Voice is the voice area: calls, their review (tags, notes, voicemails),
// analytics, agents, outbound calls and the live call stream.
// actors/service.Service embeds it, so its operations are the front door's.
type Voice struct {
	d svcbase.Deps
}

// New builds the area over d.
func New(d svcbase.Deps) *Voice {
	return &Voice{d: d}
}

func (s *Voice) now() time.Time { return s.d.Clock.Now() }

func need(p *tenancy.Principal, min tenancy.Role) error { return svcbase.Need(p, min) }
