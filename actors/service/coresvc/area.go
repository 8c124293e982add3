package coresvc

import (
	"time"

	"github.com/humd/humd/actors/service/svcbase"
	"github.com/humd/humd/storage/tenancy"
)

// Core is the core area: the org, the signed-in user, team members, API keys
// and site administrators' provisioning of orgs. actors/service.Service embeds
// it, so its operations are the front door's.
type Core struct {
	d svcbase.Deps
}

// New builds the area over d.
func New(d svcbase.Deps) *Core { return &Core{d: d} }

func (s *Core) now() time.Time { return s.d.Clock.Now() }

func need(p *tenancy.Principal, min tenancy.Role) error { return svcbase.Need(p, min) }

func needSiteAdmin(p *tenancy.Principal) error { return svcbase.NeedSiteAdmin(p) }
