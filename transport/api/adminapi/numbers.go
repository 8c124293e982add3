package adminapi

import (
	"strconv"
	"strings"

	"github.com/humd/humd/actors/service/adminsvc"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/sms"
	"github.com/humd/humd/transport/httpapi"
	"github.com/humd/humd/transport/wire"
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
			Idempotent: true, Fails: []int{402, 502}, Request: httpapi.Type[adminsvc.BuyNumberInput](), Responses: httpapi.Answer[sms.Number](201),
			Handle: a.buyNumber},
		{Method: "POST", Path: "/api/numbers/sync", OpID: "syncNumbers", Summary: "Refresh the inventory from the carrier (Twilio IncomingPhoneNumbers, or the sandbox)", Tag: "Numbers", Auth: httpapi.AdminUp,
			Responses: httpapi.Answer[SyncResult](200), Handle: a.syncNumbers},
	}
}

// SyncResult answers a sync (actors/service admin_carrier.go).
type SyncResult = adminsvc.SyncResult

func init() {
	httpapi.Component[sms.AvailableNumber]("AvailableNumber", nil)
	httpapi.Component[SyncResult]("SyncResult", nil)
}

func (a *API) searchNumbers(c *httpapi.Call) error {
	q, err := parseNumberSearch(c)
	if err != nil {
		return err
	}
	list, err := a.d.Svc.SearchAvailableNumbers(c.Ctx, c.Principal, q)
	if err != nil {
		return err
	}
	return c.JSON(200, &httpapi.Items[sms.AvailableNumber]{Data: list})
}

func (a *API) syncNumbers(c *httpapi.Call) error {
	res, err := a.d.Svc.SyncNumbers(c.Ctx, c.Principal)
	if err != nil {
		return err
	}
	return c.JSON(200, res)
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

func (a *API) buyNumber(c *httpapi.Call) error {
	var in adminsvc.BuyNumberInput
	if err := wire.DecodeStrict(c.Body(), &in); err != nil {
		return err
	}
	n, err := a.d.Svc.BuyNumber(c.Ctx, c.Principal, in)
	if err != nil {
		return err
	}
	return c.JSON(201, n)
}

// ParseNumberSearch reads a number search from the query as
// searchAvailableNumbers does (the console's search form shares it).
func ParseNumberSearch(c *httpapi.Call) (sms.NumberSearch, error) { return parseNumberSearch(c) }
