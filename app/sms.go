package app

import (
	"crypto/rand"
	"encoding/hex"
	"errors"

	billingactor "github.com/humd/humd/actors/billing"

	"github.com/humd/humd/actors/addresssession"
	"github.com/humd/humd/actors/agentsession"
	"github.com/humd/humd/actors/ai"
	"github.com/humd/humd/actors/consent"
	"github.com/humd/humd/actors/conversation"
	"github.com/humd/humd/actors/httptools"
	"github.com/humd/humd/actors/mcptools"
	"github.com/humd/humd/actors/scheduler"
	"github.com/humd/humd/actors/sender"
	"github.com/humd/humd/actors/sidstatus"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/flows"
	"github.com/humd/humd/storage/sms"
	"github.com/humd/humd/storage/tenancy"
	"github.com/humd/humd/transport/llm"
	"github.com/humd/humd/transport/outbound"
)

// sandboxToken is the auth token that signs /twilio/* webhooks in sandbox
// mode: random on first start, kept in Pebble so signed test traffic keeps
// working across restarts, and shown to site admins by GET /api/sandbox (org
// members get per-call tokens derived from it instead).
func sandboxToken(st storage.Store) (string, error) {
	key := storage.Key("meta", "sandbox-token")
	v, err := st.Get(key)
	if err == nil {
		return string(v), nil
	}
	if !errors.Is(err, storage.ErrNotFound) {
		return "", err
	}
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	tok := hex.EncodeToString(b[:])
	batch := st.NewBatch()
	batch.Set(key, []byte(tok))
	return tok, batch.Commit(storage.Sync)
}

// wireSMS builds the SMS platform: carrier, sender and conversation actor
// directories, the scheduler, and the HTTP dependencies they serve.
func (a *App) wireSMS(o Options, ten *tenancy.Repo) (services, error) {
	fl := &flows.Repo{Store: a.Store, Now: a.Clock.Now, Referenced: flowReferenced(a.Store)}
	deps := services{Tenancy: ten, Flows: fl, Sandbox: a.cfg.Sandbox(), TwilioAuthToken: a.cfg.TwilioAuthToken}
	if deps.Sandbox {
		tok, err := sandboxToken(a.Store)
		if err != nil {
			return deps, err
		}
		a.SandboxToken, deps.TwilioAuthToken = tok, tok
	}
	carrier := o.Carrier
	if carrier == nil {
		c, numbers, err := a.defaultCarrier()
		if err != nil {
			return deps, err
		}
		carrier, deps.Numbers = c, numbers
	}
	switch {
	case a.Sandbox != nil:
		deps.Brands = sandboxBrands{}
	case a.Twilio != nil:
		deps.Brands = twilioBrands{a.Twilio}
	}
	deps.SandboxCarrier = a.Sandbox
	a.Senders = sender.NewDirectory(a.System.Root, sender.Config{Carrier: carrier, Clock: a.Clock, Store: a.Store, Logger: a.log})
	cd := &conversation.Deps{Store: a.Store, Clock: a.Clock, Logger: a.log, Org: ten.Org, Hours: orgHours, Senders: a.Senders,
		StatusCallbackURL: a.cfg.PublicURL + "/twilio/sms/status",
		// Set below, before any thread commits a SID.
		SIDKnown:  func(sid string) { a.SIDStatus.Known(sid) },
		OwnNumber: func(e164 string) bool { ok, _ := a.Store.Has(sms.KeyNumberE164(e164)); return ok }}
	cd.Flow = aiFlow(fl)
	cd.MayRunAI = func(org string) error { return a.billing.Allow(org, billingactor.WorkAI) }
	deps.FlowChannel = func(org, id string) (string, error) {
		f, err := fl.Get(org, id)
		if err != nil {
			return "", err
		}
		return f.Channel, nil
	}
	a.wireAI(o, cd)
	// The tools' outbound HTTP is transport/outbound's; the services only
	// decide what to send.
	deps.MCPTools = mcptools.New(mcptools.Config{Store: a.Store, Clock: a.Clock, Logger: a.log,
		Policy: a.cfg.Egress(), Remote: outbound.MCPRemote(a.cfg.Egress(), Version, nil)})
	deps.HTTPTools = httptools.New(httptools.Config{Store: a.Store, Clock: a.Clock, Logger: a.log,
		Policy: a.cfg.Egress(), Send: outbound.HTTPToolSender(a.cfg.Egress())})
	cd.External = ai.Chain(deps.MCPTools, deps.HTTPTools)
	deps.Address = addresssession.New(addresssession.Config{System: a.System, Store: a.Store, Clock: a.Clock, Logger: a.log})
	deps.Agents = agentsession.New(agentsession.Config{System: a.System, Store: a.Store, Clock: a.Clock, Logger: a.log,
		IdleLimit: a.cfg.AgentSessionIdle, Model: llm.Measured(a.model, "agent"), Agent: agentOf(fl), Chat: chatOf(fl), Knowledge: cd.Knowledge})
	a.Threads = conversation.NewDirectory(a.System.Root, cd)
	a.SIDStatus, a.Consent = sidstatus.NewDirectory(a.Threads), consent.NewDirectory(a.Threads)
	deps.Threads, deps.Senders, deps.SIDStatus, deps.Consent = a.Threads, a.Senders, a.SIDStatus, a.Consent
	scheduler.Start(a.System.Root, scheduler.Config{Store: a.Store, Clock: a.Clock, Threads: a.Actors, Logger: a.log,
		Hourly: a.brandPoller(deps.Brands)})
	var err error
	deps.Campaigns, err = a.wireCampaigns(ten, deps.FlowChannel)
	deps.Calls = a.wireVoice(o, ten, fl, cd, deps.HTTPTools.PreCallHook)
	return deps, err
}
