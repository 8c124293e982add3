package app

import (
	"context"
	"errors"
	"fmt"

	"github.com/humd/humd/actors/enrich"
	"github.com/humd/humd/actors/sender"
	"github.com/humd/humd/storage/phone"
	"github.com/humd/humd/transport/sandbox"
	"github.com/humd/humd/transport/twilio"
)

// twilioLookup adapts twilio-go's Lookup v2 (transport/twilio) to
// enrich.Lookuper. A refusal retrying cannot fix (a 4xx other than 429, a
// malformed number) is marked enrich.ErrPermanent.
type twilioLookup struct{ c *twilio.Client }

func (t twilioLookup) Lookup(ctx context.Context, e164 string) (*enrich.Result, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	r, err := t.c.Lookup(e164) // bounded by the client's own timeout
	if err != nil {
		var se *sender.Error
		if errors.Is(err, phone.ErrNotE164) || (errors.As(err, &se) && !se.Retryable) {
			return nil, fmt.Errorf("%w: %w", enrich.ErrPermanent, err)
		}
		return nil, err
	}
	return &enrich.Result{Valid: r.Valid, CountryCode: r.CountryCode, Carrier: r.CarrierName, LineType: r.LineType,
		CallerName: r.CallerName, CallerType: r.CallerType}, nil
}

// wireEnrich starts contact enrichment: Twilio Lookup with Twilio
// credentials, the sandbox's deterministic stand-in in sandbox mode, and
// nothing (enrichment off) when Options.Carrier replaced the carrier.
func (a *App) wireEnrich() (*enrich.Service, error) {
	var l enrich.Lookuper
	switch {
	case a.Twilio != nil:
		l = twilioLookup{a.Twilio}
	case a.Sandbox != nil:
		l = sandbox.Lookup{}
	}
	return enrich.New(a.System.Root, enrich.Config{Store: a.Store, Clock: a.Clock, Logger: a.log, Lookuper: l, Skips: a.skips})
}
