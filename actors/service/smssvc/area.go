package smssvc

import (
	"time"

	"github.com/humd/humd/actors/service/svcbase"
	"github.com/humd/humd/storage/tenancy"
)

// SMS is the SMS area: threads and their texts, AI runs, scheduled sends,
// contacts, opt-outs, the blocklist, lookups and numbers.
// actors/service.Service embeds it, so its operations are the front door's.
type SMS struct {
	d svcbase.Deps
}

// New builds the area over d.
func New(d svcbase.Deps) *SMS { return &SMS{d: d} }

func (s *SMS) now() time.Time { return s.d.Clock.Now() }

func need(p *tenancy.Principal, min tenancy.Role) error { return svcbase.Need(p, min) }
