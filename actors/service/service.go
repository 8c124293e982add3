package service

import (
	"time"

	"github.com/humd/humd/actors/service/adminsvc"
	"github.com/humd/humd/actors/service/campaignsvc"
	"github.com/humd/humd/actors/service/coresvc"
	"github.com/humd/humd/actors/service/flowsvc"
	"github.com/humd/humd/actors/service/integrationsvc"
	"github.com/humd/humd/actors/service/sessionsvc"
	"github.com/humd/humd/actors/service/smssvc"
	"github.com/humd/humd/actors/service/svcbase"
	"github.com/humd/humd/actors/service/voicesvc"
	"github.com/humd/humd/storage/tenancy"
)

// Deps are the repositories, actor doors and settings app builds
// (svcbase.Deps; the alias keeps app's service.New(service.Deps{...})).
type Deps = svcbase.Deps

// NumberSource is the carrier's number inventory (svcbase.NumberSource).
type NumberSource = svcbase.NumberSource

// Service is the front door: every area's operations, promoted from the
// embedded areas, so a front end calls Svc.SendMessage(...) whatever the
// area. It is safe for concurrent use: it keeps no state of its own beyond
// Deps; writes go to their owners (actors or storage repositories,
// actors/doc.go).
type Service struct {
	*coresvc.Core
	*smssvc.SMS
	*voicesvc.Voice
	*campaignsvc.Campaigns
	*flowsvc.Flows
	*integrationsvc.Integrations
	*adminsvc.Admin
	*sessionsvc.Sessions

	d Deps
}

// New builds the service: each area over the same d.
func New(d Deps) *Service {
	return &Service{
		Core:         coresvc.New(d),
		SMS:          smssvc.New(d),
		Voice:        voicesvc.New(d),
		Campaigns:    campaignsvc.New(d),
		Flows:        flowsvc.New(d),
		Integrations: integrationsvc.New(d),
		Admin:        adminsvc.New(d),
		Sessions:     sessionsvc.New(d),
		d:            d,
	}
}

// Deps returns what the service was built from, for the front ends that
// still reach a door directly while their operations move here.
func (s *Service) Deps() Deps { return s.d }

// now, need and needSiteAdmin serve operations written in this package
// until they move to their area's package.
func (s *Service) now() time.Time { return s.d.Clock.Now() }

func need(p *tenancy.Principal, min tenancy.Role) error { return svcbase.Need(p, min) }

func needSiteAdmin(p *tenancy.Principal) error { return svcbase.NeedSiteAdmin(p) }
