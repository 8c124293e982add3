package call

import (
	"context"
	"crypto/sha256"
	"encoding/base32"
	"errors"
	"log/slog"
	"strings"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/humd/humd/actors/ai"
	"github.com/humd/humd/actors/call/live"
	"github.com/humd/humd/actors/clock"
	"github.com/humd/humd/actors/system"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/calls"
	"github.com/humd/humd/storage/flows"
	"github.com/humd/humd/storage/hours"
	"github.com/humd/humd/storage/sms"
	"github.com/humd/humd/storage/tenancy"
)

// PreCallHook adds caller context before the agent's first turn (the CRM
// lookup, HTTP tool hooks). It runs on a worker with the call's budget in
// ctx and answers a line or two of text ("" for nothing).
type PreCallHook func(ctx context.Context, c *calls.Call) (string, error)

// Dialer places outbound calls (twilio-go, or the sandbox carrier).
type Dialer interface {
	PlaceCall(ctx context.Context, p *Dial) (sid string, err error)
}

// Dial is one outbound call for a Dialer: TwiML is what Twilio runs when the
// callee answers (the same ConversationRelay connect as inbound calls).
type Dial struct {
	From, To, TwiML, StatusCallback string
	// OrgID and CallID name the call for the sandbox carrier, which answers
	// each org only its own calls (twilio-go ignores them).
	OrgID, CallID string
}

// Deps are what every call actor shares; app wires the real ones.
type Deps struct {
	Store  storage.Store
	Clock  clock.Clock
	Logger *slog.Logger
	Model  ai.Model
	// Flow loads a flow of the org (storage.ErrNotFound if none).
	Flow func(orgID, flowID string) (*flows.Flow, error)
	// Org loads an org (business hours when a flow sets none).
	Org func(orgID string) (*tenancy.Org, error)
	// Knowledge answers lookup_knowledge as JSON passages.
	Knowledge func(orgID, query string, k int) (string, error)
	// External adds the flow's MCP tools to turns (nil: built-in tools only).
	External ai.ExternalTools
	// PreCall hooks run concurrently within PreCallBudget (SPEC 2.13).
	PreCall       []PreCallHook
	PreCallBudget time.Duration
	// Dialer places outbound calls; OutboundTwiML renders what Twilio runs
	// once the callee answers (built at the edge with twilio-go's twiml).
	Dialer         Dialer
	OutboundTwiML  func(c *calls.Call, f *flows.Flow) (string, error)
	StatusCallback func(c *calls.Call) string
	// Text sends a text to a caller through the SMS send pipeline without
	// waiting (the send_sms tool; nil leaves the tool out).
	Text func(orgID, numberID, to, body, flowID string)
	// OptedOut hands an opt-out made on a call (with extra for sms.opt_out's
	// data) to the owner of opt-outs, actors/conversation, and answers the
	// future of its reply (an error, or anything else once it is recorded).
	// The owner fires sms.opt_out and has the contact's threads cancel their
	// pending scheduled texts. nil: the opt_out tool answers an error.
	OptedOut func(o *sms.OptOut, extra map[string]any) *actor.Future
	// TurnTimeout bounds one model turn (default 20s); SummaryTimeout the
	// post-call summary (default 60s).
	TurnTimeout    time.Duration
	SummaryTimeout time.Duration
	// DetachGrace is how long a call whose socket closed waits for Twilio's
	// final status before it is closed anyway (default 60s).
	DetachGrace time.Duration
	// IdleAfter passivates an ended call's actor (default 2m).
	IdleAfter time.Duration
	// MaxToolCalls caps tools per turn (default 8).
	MaxToolCalls int
	Hub          *live.Hub
}

func (d *Deps) defaults() {
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	if d.PreCallBudget == 0 {
		d.PreCallBudget = 1500 * time.Millisecond
	}
	if d.TurnTimeout == 0 {
		d.TurnTimeout = 20 * time.Second
	}
	if d.SummaryTimeout == 0 {
		d.SummaryTimeout = 60 * time.Second
	}
	if d.DetachGrace == 0 {
		d.DetachGrace = time.Minute
	}
	if d.IdleAfter == 0 {
		d.IdleAfter = 2 * time.Minute
	}
	if d.MaxToolCalls == 0 {
		d.MaxToolCalls = 8
	}
	if d.Hub == nil {
		var start time.Time
		if d.Clock != nil {
			start = d.Clock.Now()
		}
		d.Hub = live.NewHub(start)
	}
}

// Kind is the call actors' kind in the system.Directory; a call actor's id
// is the call id.
const Kind system.Kind = "call"

// Ref is the identity of a call's actor.
func Ref(callID string) system.Ref { return system.Ref{Kind: Kind, ID: callID} }

// Service reaches call actors by call id, through the actor system's
// system.Registry.
type Service struct {
	d   *Deps
	dir *system.Registry
}

// New fills Deps' defaults, registers the call kind and answers the service.
func New(root *actor.RootContext, d Deps) *Service {
	d.defaults()
	s := &Service{d: &d, dir: system.RegistryOf(root.ActorSystem())}
	s.dir.Register(Kind, func(id string) *actor.Props {
		return system.Props(func() actor.Actor { return &Actor{d: s.d, svc: s, id: id} })
	})
	return s
}

// Hub is the live event hub of every call.
func (s *Service) Hub() *live.Hub { return s.d.Hub }

// Tell posts msg to the call's actor.
func (s *Service) Tell(callID string, msg any) { s.dir.Tell(Ref(callID), msg) }

// Request posts msg to the call's actor and answers the future of its reply.
func (s *Service) Request(callID string, msg any, timeout time.Duration) *actor.Future {
	return s.dir.Request(Ref(callID), msg, timeout)
}

// ResumeOpen sends Resume to every call not finalized, at start.
func (s *Service) ResumeOpen() error {
	if err := calls.BackfillOpen(s.d.Store); err != nil {
		return err
	}
	ids, err := calls.OpenCalls(s.d.Store)
	for _, id := range ids {
		s.Tell(id, &Resume{})
	}
	return err
}

// Live counts call actors now running.
func (s *Service) Live() int { return s.dir.Live(Kind) }

// IDForSID derives an inbound call's id from its CallSid, so a retried
// webhook reaches the same actor and record without an index read first.
func IDForSID(sid string) string {
	sum := sha256.Sum256([]byte("call|" + sid))
	return "call_" + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(sum[:15]))
}

// Resolve answers the call id for a callback: the hint (a call_id query
// parameter humd put in its own callback URLs) when given, else the CallSid
// index, else the id an inbound call with that SID would have.
func Resolve(st storage.Store, sid, hint string) (string, error) {
	if hint != "" {
		return hint, nil
	}
	c, err := calls.BySID(st, sid)
	switch {
	case err == nil:
		return c.ID, nil
	case errors.Is(err, storage.ErrNotFound):
		return IDForSID(sid), nil
	}
	return "", err
}

// hoursOf answers the business hours that apply to a flow's calls: the
// flow's own, else the org's (nil: always open).
func (d *Deps) hoursOf(f *flows.Flow) (*hours.BusinessHours, error) {
	if f != nil {
		if bh, err := hours.Parse(f.BusinessHoursJSON); err != nil || bh != nil {
			return bh, err
		}
	}
	if d.Org == nil || f == nil {
		return nil, nil
	}
	org, err := d.Org(f.OrgID)
	if err != nil {
		return nil, err
	}
	return hours.Parse(org.BusinessHoursJSON)
}

// HoursOf is hoursOf for the edge (outbound calls honour business hours).
func (s *Service) HoursOf(f *flows.Flow) (*hours.BusinessHours, error) { return s.d.hoursOf(f) }
