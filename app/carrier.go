package app

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/humd/humd/actors/conversation"
	"github.com/humd/humd/actors/sender"
	"github.com/humd/humd/actors/service"
	"github.com/humd/humd/storage/brands"
	"github.com/humd/humd/storage/hours"
	"github.com/humd/humd/storage/knowledge"
	"github.com/humd/humd/storage/sms"
	"github.com/humd/humd/storage/tenancy"
	"github.com/humd/humd/transport/llm"
	"github.com/humd/humd/transport/sandbox"
	"github.com/humd/humd/transport/twilio"
)

// sandboxNumbers lists the sandbox carrier's numbers as a NumberSource.
type sandboxNumbers struct{ c *sandbox.Carrier }

func (s sandboxNumbers) ProviderNumbers() ([]sms.ProviderNumber, string, error) {
	var out []sms.ProviderNumber
	for _, n := range s.c.Numbers() {
		out = append(out, sms.ProviderNumber{SID: sandbox.SID(n), E164: n, FriendlyName: "Sandbox " + n,
			Capabilities: sms.Capabilities{Voice: true, SMS: true, MMS: true}})
	}
	return out, "sandbox", nil
}

func (s sandboxNumbers) SearchNumbers(q sms.NumberSearch) ([]sms.AvailableNumber, error) {
	return s.c.Available(q), nil
}

func (s sandboxNumbers) BuyNumber(e164 string) (*sms.ProviderNumber, error) { return s.c.Buy(e164) }

func (s sandboxNumbers) ReleaseNumber(sid string) error { return s.c.Release(sid) }

// twilioNumbers is the account's inventory through twilio-go. publicURL
// points a bought number's webhooks at humd.
type twilioNumbers struct {
	c         *twilio.Client
	publicURL string
}

func (t twilioNumbers) ProviderNumbers() ([]sms.ProviderNumber, string, error) {
	list, err := t.c.IncomingNumbers()
	if err != nil {
		return nil, "", err
	}
	out := make([]sms.ProviderNumber, 0, len(list))
	for _, n := range list {
		out = append(out, sms.ProviderNumber{SID: n.SID, E164: n.E164, FriendlyName: n.FriendlyName,
			Capabilities: sms.Capabilities{Voice: n.Voice, SMS: n.SMS, MMS: n.MMS}})
	}
	return out, "twilio", nil
}

func (t twilioNumbers) SearchNumbers(q sms.NumberSearch) ([]sms.AvailableNumber, error) {
	list, err := t.c.AvailableNumbers(twilio.AvailableQuery{Country: q.Country, AreaCode: q.AreaCode, InLocality: q.Locality,
		InRegion: q.Region, Voice: q.Voice, SMS: q.SMS, MMS: q.MMS, Limit: q.Limit})
	if err != nil {
		return nil, err
	}
	out := make([]sms.AvailableNumber, 0, len(list))
	for _, a := range list {
		out = append(out, sms.AvailableNumber{E164: a.E164, FriendlyName: a.FriendlyName, Locality: a.Locality, Region: a.Region,
			PostalCode: a.PostalCode, Country: a.ISOCountry, Capabilities: sms.Capabilities{Voice: a.Voice, SMS: a.SMS, MMS: a.MMS}})
	}
	return out, nil
}

// BuyNumber buys e164 with its SMS and voice webhooks aimed at humd, so the
// number works the moment it is registered.
func (t twilioNumbers) BuyNumber(e164 string) (*sms.ProviderNumber, error) {
	n, err := t.c.BuyNumber(twilio.BuyRequest{E164: e164, SMSURL: t.publicURL + "/twilio/sms",
		VoiceURL: t.publicURL + "/twilio/voice", StatusURL: t.publicURL + "/twilio/voice/status"})
	if err != nil {
		return nil, err
	}
	return &sms.ProviderNumber{SID: n.SID, E164: n.E164, FriendlyName: n.FriendlyName,
		Capabilities: sms.Capabilities{Voice: n.Voice, SMS: n.SMS, MMS: n.MMS}}, nil
}

func (t twilioNumbers) ReleaseNumber(sid string) error { return t.c.ReleaseNumber(sid) }

// defaultCarrier is the sandbox without Twilio credentials, else twilio-go.
func (a *App) defaultCarrier() (sender.Carrier, service.NumberSource, error) {
	if a.cfg.Sandbox() {
		sb := sandbox.New(sandbox.Config{Clock: a.Clock, Logger: a.log, OnStatus: func(u sandbox.StatusUpdate) {
			if err := a.Hooks.ApplyStatus(u.MessageSID, u.Status, u.ErrorCode); err != nil {
				a.log.Warn("sandbox status", "sid", u.MessageSID, "err", err)
			}
		}})
		a.Sandbox = sb
		return sb, sandboxNumbers{sb}, nil
	}
	c, err := twilio.New(twilio.Config{AccountSID: a.cfg.TwilioAccountSID, AuthToken: a.cfg.TwilioAuthToken, APIBase: a.cfg.TwilioAPIBase})
	if err != nil {
		return nil, nil, err
	}
	a.Twilio = c
	return c, twilioNumbers{c: c, publicURL: a.cfg.PublicURL}, nil
}

// wireAI picks the model: Options.Model (tests), openai-go's Responses API
// with OPENAI_API_KEY, else the built-in local model over the knowledge base.
func (a *App) wireAI(o Options, d *conversation.Deps) {
	switch {
	case o.Model != nil:
		d.Model = o.Model
	case a.cfg.LocalModel():
		d.Model = llm.NewLocal()
	default:
		d.Model = llm.NewOpenAI(llm.Config{APIKey: a.cfg.OpenAIKey, BaseURL: a.cfg.OpenAIBaseURL, Model: a.cfg.Model})
	}
	// Each channel's runs are measured apart (humd_ai_*{channel}).
	a.model, d.Model = d.Model, llm.Measured(d.Model, "sms")
	d.Knowledge = func(org, query string, k int) (string, error) { return knowledge.SearchJSON(a.Store, org, query, k) }
}

// orgHours parses an org's business hours for quiet hours (D-7, D-12).
func orgHours(org *tenancy.Org) (conversation.QuietHours, error) {
	bh, err := hours.Parse(org.BusinessHoursJSON)
	if err != nil || bh == nil {
		return nil, err
	}
	return bh, nil
}

// sandboxBrands stands in for Twilio's A2P review: a brand is approved as
// soon as it is registered and a campaign verified as soon as it is, so
// create and one refresh walk the whole flow.
type sandboxBrands struct{}

func (sandboxBrands) RegisterBrand(b *brands.Brand) (*brands.Registration, error) {
	return &brands.Registration{SID: sandboxSID("BN", b.ID), Status: "APPROVED"}, nil
}

func (sandboxBrands) Brand(sid string) (*brands.Registration, error) {
	return &brands.Registration{SID: sid, Status: "APPROVED"}, nil
}

func (sandboxBrands) RegisterCampaign(b *brands.Brand) (*brands.Registration, error) {
	return &brands.Registration{SID: sandboxSID("QE", b.ID), Status: "VERIFIED"}, nil
}

func (sandboxBrands) Campaign(_, sid string) (*brands.Registration, error) {
	return &brands.Registration{SID: sid, Status: "VERIFIED"}, nil
}

func (sandboxBrands) FindCampaign(_, _ string) (*brands.Registration, error) { return nil, nil }

func sandboxSID(prefix, id string) string {
	sum := sha256.Sum256([]byte(prefix + id))
	return prefix + hex.EncodeToString(sum[:16])
}

// twilioBrands registers brands and campaigns with twilio-go's Messaging v1.
type twilioBrands struct{ c *twilio.Client }

func (t twilioBrands) RegisterBrand(b *brands.Brand) (*brands.Registration, error) {
	return registration(t.c.RegisterBrand(twilio.BrandRequest{CustomerProfileBundleSID: b.CustomerProfileBundleSID,
		A2PProfileBundleSID: b.A2PProfileBundleSID, BrandType: b.BrandType}))
}

func (t twilioBrands) Brand(sid string) (*brands.Registration, error) {
	return registration(t.c.Brand(sid))
}

func (t twilioBrands) RegisterCampaign(b *brands.Brand) (*brands.Registration, error) {
	return registration(t.c.RegisterCampaign(twilio.CampaignRequest{MessagingServiceSID: b.MessagingServiceSID, BrandSID: b.BrandSID,
		UseCase: b.UseCase, Description: b.Description, MessageFlow: b.MessageFlow, Samples: b.SampleMessages,
		HasEmbeddedLinks: b.HasEmbeddedLinks, HasEmbeddedPhone: b.HasEmbeddedPhone}))
}

func (t twilioBrands) Campaign(serviceSID, sid string) (*brands.Registration, error) {
	return registration(t.c.Campaign(serviceSID, sid))
}

func (t twilioBrands) FindCampaign(serviceSID, brandSID string) (*brands.Registration, error) {
	r, err := t.c.FindCampaign(serviceSID, brandSID)
	if r == nil || err != nil {
		return nil, err
	}
	return registration(r, nil)
}

// registration converts twilio-go's answer; a 4xx other than bad
// credentials is the carrier refusing the request (brands.ErrRefused).
func registration(r *twilio.Registration, err error) (*brands.Registration, error) {
	var se *sender.Error
	if errors.As(err, &se) && se.Status >= 400 && se.Status < 500 && se.Status != 401 && se.Status != 403 {
		return nil, fmt.Errorf("%w: %w", brands.ErrRefused, err)
	}
	if err != nil {
		return nil, err
	}
	return &brands.Registration{SID: r.SID, Status: r.Status, Failure: r.Failure}, nil
}

// brandPoller asks the carrier, once an hour, how every brand still in
// review is doing (brands take days; nobody should have to keep refreshing).
// A poll still running when the next hour starts is not doubled.
func (a *App) brandPoller(c brands.Carrier) func(time.Time) {
	if c == nil {
		return nil
	}
	var running atomic.Bool
	return func(now time.Time) {
		if !running.CompareAndSwap(false, true) {
			return
		}
		defer running.Store(false)
		if n, err := brands.RefreshOpen(a.Store, c, now.UTC()); err != nil {
			a.log.Warn("brand review poll", "refreshed", n, "err", err)
		}
	}
}
