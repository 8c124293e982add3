package adminapi

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/humd/humd/actors/sender"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/sms"
	"github.com/humd/humd/transport/httpapi"
)

// Searching, buying and syncing numbers (SPEC 1.5 searchAvailableNumbers,
// buyNumber).

// Search bounds: Twilio answers at most 50 numbers a page for this resource.
const (
	defaultSearchLimit = 20
	maxSearchLimit     = 50
)

func (a *API) numberRoutes() []*httpapi.Route {
	return []*httpapi.Route{
		{Method: "GET", Path: "/api/numbers/available", OpID: "searchAvailableNumbers", Tag: "Numbers", Auth: httpapi.AdminUp,
			Summary: "Numbers for sale at the carrier (?country=US&area_code=&locality=&region=&capabilities=voice,sms,mms&limit=)",
			Fails:   []int{422, 502}, Responses: httpapi.Answer[httpapi.Items[sms.AvailableNumber]](200), Handle: a.searchNumbers},
		{Method: "POST", Path: "/api/numbers/buy", OpID: "buyNumber", Tag: "Numbers", Auth: httpapi.AdminUp,
			Summary:    "Buy the number the caller chose, register it and assign flows (released again if a later step fails)",
			Idempotent: true, Fails: []int{402, 502}, Request: httpapi.Type[buyRequest](), Responses: httpapi.Answer[sms.Number](201),
			Handle: a.buyNumber},
		{Method: "POST", Path: "/api/numbers/sync", OpID: "syncNumbers", Summary: "Refresh the inventory from the carrier (Twilio IncomingPhoneNumbers, or the sandbox)", Tag: "Numbers", Auth: httpapi.AdminUp,
			Responses: httpapi.Answer[SyncResult](200), Handle: a.syncNumbers},
	}
}

type buyRequest struct {
	E164         string  `json:"e164"`
	FriendlyName string  `json:"friendly_name,omitempty" jsonschema:"minLength=0,maxLength=120"`
	FlowID       *string `json:"flow_id,omitempty" jsonschema:"nullable"`
	SMSFlowID    *string `json:"sms_flow_id,omitempty" jsonschema:"nullable"`
}

// SyncResult answers a sync: what the carrier's inventory added to the
// org and changed, and what it no longer lists.
type SyncResult struct {
	Provider string `json:"provider"`
	*sms.SyncResult
}

func init() {
	httpapi.Component[sms.AvailableNumber]("AvailableNumber", nil)
	httpapi.Component[SyncResult]("SyncResult", nil)
}

func (a *API) searchNumbers(c *httpapi.Call) error {
	q, err := parseNumberSearch(c)
	if err != nil {
		return err
	}
	if a.d.Numbers == nil {
		return storage.Conflict("no_carrier", "no carrier is configured")
	}
	list, err := a.d.Numbers.SearchNumbers(q)
	if err != nil {
		return providerError("search numbers", "number_unavailable", err)
	}
	if list == nil {
		list = []sms.AvailableNumber{}
	}
	return c.JSON(200, &httpapi.Items[sms.AvailableNumber]{Data: list})
}

func (a *API) syncNumbers(c *httpapi.Call) error {
	if a.d.Numbers == nil {
		return storage.Conflict("no_carrier", "no carrier is configured")
	}
	list, provider, err := a.d.Numbers.ProviderNumbers()
	if err != nil {
		return err
	}
	res, err := sms.SyncNumbers(a.d.Store, c.Principal.OrgID, provider, list, a.now())
	if err != nil {
		return err
	}
	return c.JSON(200, &SyncResult{Provider: provider, SyncResult: res})
}

// parseNumberSearch reads the search's query filters; anything malformed is
// a 422 rather than a silently wider search.
func parseNumberSearch(c *httpapi.Call) (sms.NumberSearch, error) {
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
func (a *API) buyNumber(c *httpapi.Call) error {
	var req buyRequest
	if err := storage.DecodeStrict(c.Body(), &req); err != nil {
		return err
	}
	org := c.Principal.OrgID
	maxNumbers, err := NumberCap(a.d.Store, a.d.Billing.MaxNumbers, org)
	if err != nil {
		return err
	}
	nn := sms.NewNumber{E164: req.E164, FriendlyName: req.FriendlyName, Provider: a.providerName(),
		Channel: sms.FlowChannelFunc(a.d.FlowChannel), MaxNumbers: maxNumbers,
		// The carrier's capabilities are known after the purchase; the
		// pre-check assumes the number can text.
		Capabilities: sms.Capabilities{Voice: true, SMS: true, MMS: true}}
	if req.FlowID != nil {
		nn.FlowID = *req.FlowID
	}
	if req.SMSFlowID != nil {
		nn.SMSFlowID = *req.SMSFlowID
	}
	if err := sms.CheckNewNumber(a.d.Store, org, nn); err != nil {
		return err
	}
	if a.d.Numbers == nil {
		return storage.Conflict("no_carrier", "no carrier is configured")
	}
	p, err := a.d.Numbers.BuyNumber(req.E164)
	if err != nil {
		if p != nil {
			// Twilio answered the purchase without a sid or number: it may
			// have sold it, and humd cannot release what it cannot name.
			c.Logger().Error("buy number: the carrier's answer named no number; check the account and release it by hand",
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
		err = fmt.Errorf("adminapi: the carrier sold %s, not %s", p.E164, req.E164)
	} else {
		n, err = sms.AddNumber(a.d.Store, org, nn, a.now())
	}
	if err != nil {
		if rerr := a.d.Numbers.ReleaseNumber(p.SID); rerr != nil {
			// The org is paying for a number humd does not know: say so loudly.
			c.Logger().Error("buy number: release after a failed registration failed; release it by hand",
				"org", org, "e164", p.E164, "sid", p.SID, "err", rerr)
			return fmt.Errorf("adminapi: buy %s: %w (releasing %s failed too: %v)", req.E164, err, p.SID, rerr)
		}
		return fmt.Errorf("adminapi: buy %s: released again: %w", req.E164, err)
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
		return &httpapi.StatusError{Status: 502, Code: "provider_error", Message: fmt.Sprintf("the carrier failed to %s: %v", what, err)}
	}
	if se.Status >= 400 && se.Status < 500 && se.Status != 401 && se.Status != 403 {
		return &httpapi.StatusError{Status: 409, Code: refused, Message: fmt.Sprintf("the carrier refused: %s (%d)", se.Message, se.Code)}
	}
	return &httpapi.StatusError{Status: 502, Code: "provider_error", Message: fmt.Sprintf("the carrier failed to %s: %s", what, se.Message)}
}
