package campaign

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/humd/humd/actors/system"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/campaigns"
)

// ErrTimeout is answered when a campaign actor did not answer in time.
var ErrTimeout = errors.New("campaign: actor did not answer in time")

// Kind is the campaign actors' kind in the system.Directory.
const Kind system.Kind = "campaign"

// Ref is the identity of the org's campaign's actor.
func Ref(org, id string) system.Ref { return system.Ref{Kind: Kind, ID: org + "/" + id} }

// Service is what the HTTP layer calls.
type Service struct {
	Deps *Deps
	dir  system.Directory
	// AskTimeout bounds a request to a campaign actor (default 10s; a cancel
	// of 50,000 rows is one batch).
	AskTimeout time.Duration
}

// NewService fills Deps' defaults and answers the service over them.
func NewService(root *actor.RootContext, d *Deps) *Service {
	d.defaults()
	d.actors = system.RegistryOf(root.ActorSystem())
	d.actors.Register(Kind, func(ref string) *actor.Props {
		org, id, _ := strings.Cut(ref, "/")
		return Props(d, org, id)
	})
	return &Service{Deps: d, dir: d.actors, AskTimeout: 10 * time.Second}
}

func (s *Service) ask(org, id string, msg any) (*campaigns.View, error) {
	if _, err := campaigns.Get(s.Deps.Store, org, id); err != nil {
		return nil, err // never spawn an actor for a campaign that does not exist
	}
	res, err := s.dir.Request(Ref(org, id), msg, s.AskTimeout).Result()
	if errors.Is(err, actor.ErrTimeout) {
		return nil, fmt.Errorf("ask %T: %w", msg, ErrTimeout)
	}
	if err != nil {
		return nil, fmt.Errorf("ask %T: %w", msg, err)
	}
	switch v := res.(type) {
	case error:
		return nil, v
	case *campaigns.Campaign:
		counts, err := campaigns.CountOf(s.Deps.Store, org, id)
		if err != nil {
			return nil, err
		}
		return &campaigns.View{Campaign: v, Counts: counts}, nil
	}
	return nil, fmt.Errorf("ask %T: unexpected reply %T", msg, res)
}

// Create validates and stores a draft campaign.
func (s *Service) Create(org, createdBy string, admin bool, in *campaigns.CreateIn) (*campaigns.View, error) {
	now := s.Deps.Clock.Now().UTC()
	c, rows, err := campaigns.Build(in, org, campaigns.Checks{Store: s.Deps.Store, FlowChannel: s.Deps.FlowChannel, Admin: admin}, now)
	if err != nil {
		return nil, err
	}
	c.CreatedBy = createdBy
	if err := campaigns.Create(s.Deps.Store, c, rows); err != nil {
		return nil, err
	}
	return &campaigns.View{Campaign: c, Counts: campaigns.Counts{Total: len(rows), Pending: len(rows)}}, nil
}

// Get answers a campaign with its counts.
func (s *Service) Get(org, id string) (*campaigns.View, error) {
	return campaigns.ViewOf(s.Deps.Store, org, id)
}

// List pages the org's campaigns.
func (s *Service) List(org string, page storage.PageRequest) ([]*campaigns.View, string, error) {
	return campaigns.List(s.Deps.Store, org, page)
}

// Recipients pages a campaign's rows.
func (s *Service) Recipients(org, id, status string, page storage.PageRequest) ([]*campaigns.Recipient, string, error) {
	return campaigns.ListRecipients(s.Deps.Store, org, id, status, page)
}

// Patch edits a draft or paused campaign.
func (s *Service) Patch(org, id string, admin bool, in *campaigns.PatchIn) (*campaigns.View, error) {
	return s.ask(org, id, &Patch{In: in, Admin: admin})
}

// Launch moves a campaign to queued.
func (s *Service) Launch(org, id string) (*campaigns.View, error) { return s.ask(org, id, &Launch{}) }

// Pause pauses a queued or sending campaign.
func (s *Service) Pause(org, id string) (*campaigns.View, error) { return s.ask(org, id, &Pause{}) }

// Cancel cancels a non-terminal campaign.
func (s *Service) Cancel(org, id string) (*campaigns.View, error) { return s.ask(org, id, &Cancel{}) }

// ResumeAll wakes every queued or sending campaign (at start).
func (s *Service) ResumeAll() error {
	refs, err := campaigns.ListActive(s.Deps.Store)
	if err != nil {
		return err
	}
	for _, r := range refs {
		s.dir.Tell(Ref(r.OrgID, r.ID), &Resume{})
	}
	return nil
}

// Live counts campaigns that have an actor now.
func (s *Service) Live() int { return s.Deps.actors.Live(Kind) }
