package httpapi

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/humd/humd/actors/sender"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/sms"
)

// Searching and buying numbers (SPEC 1.5 searchAvailableNumbers, buyNumber).

func init() {
	componentSchemas["AvailableNumber"] = obj([]string{"e164", "friendly_name", "capabilities"}, map[string]Schema{
		"e164": str(), "friendly_name": str(), "locality": str(), "region": str(), "postal_code": str(), "iso_country": str(),
		"capabilities": obj([]string{"voice", "sms", "mms"}, map[string]Schema{"voice": boolean(), "sms": boolean(), "mms": boolean()})})
}

// Search bounds: Twilio answers at most 50 numbers a page for this resource.
const (
	defaultSearchLimit = 20
	maxSearchLimit     = 50
)

func (s *Server) numberBuyRoutes() []*Route {
	return []*Route{
		{Method: "GET", Path: "/api/numbers/available", OpID: "searchAvailableNumbers", Tag: "Numbers", Auth: AdminUp,
			Summary: "Numbers for sale at the carrier (?country=US&area_code=&locality=&region=&capabilities=voice,sms,mms&limit=)",
			Schemas: map[int]Schema{200: obj([]string{"data"}, map[string]Schema{"data": arr(ref("AvailableNumber"))})},
			Handle: func(c *Call) error {
				q, err := parseNumberSearch(c)
				if err != nil {
					return err
				}
				if s.deps.Numbers == nil {
					return storage.Conflict("no_carrier", "no carrier is configured")
				}
				list, err := s.deps.Numbers.SearchNumbers(q)
				if err != nil {
					return providerError("search numbers", "number_unavailable", err)
				}
				if list == nil {
					list = []sms.AvailableNumber{}
				}
				return c.JSON(200, map[string]any{"data": list})
			}},
		{Method: "POST", Path: "/api/numbers/buy", OpID: "buyNumber", Tag: "Numbers", Auth: AdminUp,
			Summary: "Buy the number the caller chose, register it and assign flows (released again if a later step fails)",
			RequestSchema: strict(obj([]string{"e164"}, map[string]Schema{"e164": str(), "friendly_name": strN(0, 120),
				"flow_id": nullable(str()), "sms_flow_id": nullable(str())})),
			Schemas: map[int]Schema{201: ref("Number")},
			Handle:  s.buyNumber},
	}
}

// parseNumberSearch reads the search's query filters; anything malformed is
// a 422 rather than a silently wider search.
func parseNumberSearch(c *Call) (sms.NumberSearch, error) {
	q := sms.NumberSearch{Country: strings.ToUpper(c.Query("country")), Locality: c.Query("locality"),
		Region: strings.ToUpper(c.Query("region")), Limit: defaultSearchLimit}
	v := &storage.ValidationError{}
	if q.Country == "" {
		q.Country = "US"
	}
	if len(q.Country) != 2 || strings.Trim(q.Country, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
		v.Add("country", "must be an ISO 3166 two-letter country code")
	}
	if ac := c.Query("area_code"); ac != "" {
		n, err := strconv.Atoi(ac)
		if err != nil || len(ac) != 3 || n < 200 {
			v.Add("area_code", "must be a three-digit area code")
		}
		q.AreaCode = n
	}
	for capName := range strings.SplitSeq(c.Query("capabilities"), ",") {
		switch strings.TrimSpace(strings.ToLower(capName)) {
		case "":
		case "voice":
			q.Voice = true
		case "sms":
			q.SMS = true
		case "mms":
			q.MMS = true
		default:
			v.Add("capabilities", "must list voice, sms and/or mms, comma-separated")
		}
	}
	if l := c.Query("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > maxSearchLimit {
			v.Addf("limit", "must be from 1 to %d", maxSearchLimit)
		}
		q.Limit = n
	}
	if len(q.Locality) > 100 || len(q.Region) > 10 {
		v.Add("locality", "locality and region are too long")
	}
	return q, v.Err()
}

// buyNumber checks everything it can before the carrier charges (fields,
// flows, ownership, the plan cap), buys, registers, and releases the number
// at the carrier again if registering fails.
func (s *Server) buyNumber(c *Call) error {
	var req struct {
		E164         string  `json:"e164"`
		FriendlyName string  `json:"friendly_name"`
		FlowID       *string `json:"flow_id"`
		SMSFlowID    *string `json:"sms_flow_id"`
	}
	if err := storage.DecodeStrict(c.Body(), &req); err != nil {
		return err
	}
	org := c.Principal.OrgID
	maxNumbers, err := s.numberCap(org)
	if err != nil {
		return err
	}
	nn := sms.NewNumber{E164: req.E164, FriendlyName: req.FriendlyName, Provider: s.providerName(),
		Channel: sms.FlowChannelFunc(s.deps.FlowChannel), MaxNumbers: maxNumbers,
		// The carrier's capabilities are known after the purchase; the
		// pre-check assumes the number can text.
		Capabilities: sms.Capabilities{Voice: true, SMS: true, MMS: true}}
	if req.FlowID != nil {
		nn.FlowID = *req.FlowID
	}
	if req.SMSFlowID != nil {
		nn.SMSFlowID = *req.SMSFlowID
	}
	if err := sms.CheckNewNumber(s.deps.Store, org, nn); err != nil {
		return err
	}
	if s.deps.Numbers == nil {
		return storage.Conflict("no_carrier", "no carrier is configured")
	}
	p, err := s.deps.Numbers.BuyNumber(req.E164)
	if err != nil {
		if p != nil {
			// Twilio answered the purchase without a sid or number: it may
			// have sold it, and humd cannot release what it cannot name.
			s.cfg.Logger.Error("buy number: the carrier's answer named no number; check the account and release it by hand",
				"org", org, "e164", req.E164, "err", err)
		}
		return providerError("buy "+req.E164, "number_unavailable", err)
	}
	nn.ProviderSID, nn.Capabilities = p.SID, p.Capabilities
	if nn.FriendlyName == "" {
		nn.FriendlyName = p.FriendlyName
	}
	var n *sms.Number
	if p.E164 != req.E164 {
		err = fmt.Errorf("httpapi: the carrier sold %s, not %s", p.E164, req.E164)
	} else {
		n, err = sms.AddNumber(s.deps.Store, org, nn, s.deps.Clock.Now())
	}
	if err != nil {
		if rerr := s.deps.Numbers.ReleaseNumber(p.SID); rerr != nil {
			// The org is paying for a number humd does not know: say so loudly.
			s.cfg.Logger.Error("buy number: release after a failed registration failed; release it by hand",
				"org", org, "e164", p.E164, "sid", p.SID, "err", rerr)
			return fmt.Errorf("httpapi: buy %s: %w (releasing %s failed too: %v)", req.E164, err, p.SID, rerr)
		}
		return fmt.Errorf("httpapi: buy %s: released again: %w", req.E164, err)
	}
	return c.JSON(201, n)
}

// providerError turns a carrier refusal into an answer: a 4xx from Twilio
// (the number was taken meanwhile, say) is the caller's 409 with code
// refused; anything else,
// bad credentials included, is the carrier side's fault (502). The sandbox answers storage errors already.
func providerError(what, refused string, err error) error {
	var se *sender.Error
	if !errors.As(err, &se) {
		if errors.Is(err, storage.ErrConflict) || errors.Is(err, storage.ErrInvalid) || errors.Is(err, storage.ErrNotFound) {
			return err // the sandbox's own answers
		}
		// No answer at all (a network failure, a timeout): the carrier side's, not a 500.
		return &StatusError{502, "provider_error", fmt.Sprintf("the carrier failed to %s: %v", what, err)}
	}
	if se.Status >= 400 && se.Status < 500 && se.Status != 401 && se.Status != 403 {
		return &StatusError{409, refused, fmt.Sprintf("the carrier refused: %s (%d)", se.Message, se.Code)}
	}
	return &StatusError{502, "provider_error", fmt.Sprintf("the carrier failed to %s: %s", what, se.Message)}
}
