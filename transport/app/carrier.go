package app

import (
	"errors"

	"github.com/humd/humd/actors/conversation"
	"github.com/humd/humd/actors/sender"
	"github.com/humd/humd/storage/hours"
	"github.com/humd/humd/storage/tenancy"
	"github.com/humd/humd/transport/httpapi"
	"github.com/humd/humd/transport/sandbox"
)

// sandboxNumbers lists the sandbox carrier's numbers as a NumberSource.
type sandboxNumbers struct{ c *sandbox.Carrier }

func (s sandboxNumbers) ProviderNumbers() ([]httpapi.ProviderNumber, string, error) {
	var out []httpapi.ProviderNumber
	for _, n := range s.c.Numbers() {
		out = append(out, httpapi.ProviderNumber{SID: "PNsandbox" + n[1:], E164: n, FriendlyName: "Sandbox " + n, Voice: true, SMS: true, MMS: true})
	}
	return out, "sandbox", nil
}

// defaultCarrier is the sandbox without Twilio credentials, else twilio-go.
func (a *App) defaultCarrier() (sender.Carrier, httpapi.NumberSource, error) {
	if a.cfg.Sandbox() {
		sb := sandbox.New(sandbox.Config{Clock: a.Clock, Logger: a.log, OnStatus: func(u sandbox.StatusUpdate) {
			if err := a.HTTP.ApplyStatus(u.MessageSID, u.Status, u.ErrorCode); err != nil {
				a.log.Warn("sandbox status", "sid", u.MessageSID, "err", err)
			}
		}})
		a.Sandbox = sb
		return sb, sandboxNumbers{sb}, nil
	}
	return nil, nil, errors.New("twilio carrier: not wired yet")
}

func (a *App) wireAI(o Options, d *conversation.Deps) {}

// orgHours parses an org's business hours for quiet hours (D-7, D-12).
func orgHours(org *tenancy.Org) (conversation.QuietHours, error) {
	bh, err := hours.Parse(org.BusinessHoursJSON)
	if err != nil || bh == nil {
		return nil, err
	}
	return bh, nil
}
