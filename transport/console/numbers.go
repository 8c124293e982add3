package console

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/humd/humd/actors/service/adminsvc"
	"github.com/humd/humd/actors/service/flowsvc"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/flows"
	"github.com/humd/humd/storage/sms"
	"github.com/humd/humd/storage/tenancy"
	"github.com/humd/humd/transport/api/adminapi"
	"github.com/humd/humd/transport/httpapi"
)

// The numbers page: the org's numbers with the flows that answer them,
// their send rate, a sync from the carrier, and search and buy.

type numbersView struct {
	Numbers   []*sms.Number
	Voice     []*flows.Flow
	Texts     []*flows.Flow
	Admin     bool
	Notice    string
	Alert     string
	ErrorsFor string            // the number whose save failed
	Errors    map[string]string // its fields' errors
	Form      map[string]string // its form as typed

	Searched bool
	Search   map[string]string
	Found    []sms.AvailableNumber
	SearchEr map[string]string
}

// Err is the error of a field of the number whose save failed.
func (v *numbersView) Err(id, field string) string {
	if id != v.ErrorsFor {
		return ""
	}
	return v.Errors[field]
}

// FlowName names a flow id ("" for none).
func (v *numbersView) FlowName(id *string) string {
	if id == nil || *id == "" {
		return ""
	}
	for _, f := range append(append([]*flows.Flow(nil), v.Voice...), v.Texts...) {
		if f.ID == *id {
			return f.Name
		}
	}
	return *id
}

func (a *API) numbers(c *httpapi.Call, s *session) error {
	v := &numbersView{}
	v.Notice = doneNotice(c, numberNotices)
	if c.Query("search") != "" && s.can(tenancy.Admin) {
		v.Searched = true
		v.Search = map[string]string{"country": c.Query("country"), "area_code": c.Query("area_code"), "region": c.Query("region"),
			"locality": c.Query("locality"), "capabilities": c.Query("capabilities")}
		q, err := adminapi.ParseNumberSearch(c)
		if err == nil {
			v.Found, err = a.d.Svc.SearchAvailableNumbers(c.Ctx, s.P, q)
		}
		if fe := fieldErrors(err); fe != nil {
			v.SearchEr = fe
		} else if err != nil {
			return err
		}
	}
	return a.showNumbers(c, s, 200, v)
}

func (a *API) showNumbers(c *httpapi.Call, s *session, status int, v *numbersView) error {
	var err error
	if v.Numbers, err = a.allNumbers(c, s); err != nil {
		return err
	}
	if v.Voice, _, err = a.d.Svc.ListFlows(c.Ctx, s.P, flowsvc.ListFlowsQuery{Channel: "voice", Page: storage.PageRequest{Limit: 200}}); err != nil {
		return err
	}
	if v.Texts, _, err = a.d.Svc.ListFlows(c.Ctx, s.P, flowsvc.ListFlowsQuery{Channel: "sms", Page: storage.PageRequest{Limit: 200}}); err != nil {
		return err
	}
	v.Admin = s.can(tenancy.Admin)
	return a.render(c, status, s, "numbers", "Numbers", "numbers", v)
}

// saveNumber names a number, assigns its flows, turns texting on or off
// and sets its send rate.
func (a *API) saveNumber(c *httpapi.Call, s *session) error {
	id := c.Param("id")
	f := map[string]string{"friendly_name": form(c, "friendly_name"), "flow_id": form(c, "flow_id"),
		"sms_flow_id": form(c, "sms_flow_id"), "mps": form(c, "mps"), "sms_enabled": form(c, "sms_enabled")}
	in := sms.NumberPatch{FlowID: storage.Some(f["flow_id"]), SMSFlowID: storage.Some(f["sms_flow_id"])}
	if f["friendly_name"] != "" {
		in.FriendlyName = storage.Some(f["friendly_name"])
	}
	on := storage.Bool(f["sms_enabled"] != "")
	in.SMSEnabled = &on
	var err error
	if f["mps"] != "" {
		mps, perr := strconv.ParseFloat(f["mps"], 64)
		if perr != nil {
			err = storage.Invalid("mps", "must be a number of message segments per second, such as 1 or 0.5")
		}
		in.MPS = storage.Some(mps)
	}
	if err == nil {
		_, err = a.d.Svc.UpdateNumber(c.Ctx, s.P, id, in)
	}
	if fe := fieldErrors(err); fe != nil {
		return a.showNumbers(c, s, 422, &numbersView{ErrorsFor: id, Errors: fe, Form: f})
	}
	if err != nil {
		return err
	}
	return redirect(c, "/numbers?done=saved")
}

// syncNumbers pulls the carrier's inventory and says what changed.
func (a *API) syncNumbers(c *httpapi.Call, s *session) error {
	res, err := a.d.Svc.SyncNumbers(c.Ctx, s.P)
	if err != nil {
		return err
	}
	msg := fmt.Sprintf("Synced from %s: %d added, %d updated, %d unchanged.", res.Provider, len(res.Added), len(res.Updated), res.Unchanged)
	if len(res.Missing) > 0 {
		msg += " No longer listed by the carrier (kept, it may be mid-port): " + strings.Join(res.Missing, ", ") + "."
	}
	if len(res.Elsewhere) > 0 {
		msg += " Held by another org: " + strings.Join(res.Elsewhere, ", ") + "."
	}
	return a.showNumbers(c, s, 200, &numbersView{Notice: msg})
}

// buyNumber buys the exact number the admin chose (humd never picks one).
func (a *API) buyNumber(c *httpapi.Call, s *session) error {
	in := adminsvc.BuyNumberInput{E164: form(c, "e164")}
	if id := form(c, "sms_flow_id"); id != "" {
		in.SMSFlowID = &id
	}
	if id := form(c, "flow_id"); id != "" {
		in.FlowID = &id
	}
	if _, err := a.d.Svc.BuyNumber(c.Ctx, s.P, in); err != nil {
		pe := httpapi.ClassifyPage(err)
		if pe.Status != 409 && pe.Status != 422 {
			return err
		}
		msg := pe.Message
		for k, m := range pe.Fields {
			msg += " " + k + ": " + m + "."
		}
		return a.showNumbers(c, s, pe.Status, &numbersView{Alert: "Not bought: " + msg})
	}
	return redirect(c, "/numbers?done=bought")
}

// releaseNumber gives a number back to the carrier once the admin typed
// it again; the service's refusal (a campaign still sends from it, the
// carrier said no) is shown on the page.
func (a *API) releaseNumber(c *httpapi.Call, s *session) error {
	id := c.Param("id")
	n, err := a.d.Svc.GetNumber(c.Ctx, s.P, id)
	if err != nil {
		return err
	}
	if form(c, "confirm") != n.E164 {
		return a.showNumbers(c, s, 422, &numbersView{ErrorsFor: id, Errors: map[string]string{"confirm": "type " + n.E164 + " exactly to release it"}})
	}
	if _, err := a.d.Svc.ReleaseNumber(c.Ctx, s.P, id); err != nil {
		var ce *storage.ConflictError
		if errors.As(err, &ce) {
			return a.showNumbers(c, s, 409, &numbersView{Alert: "Not released: " + ce.Message + "."})
		}
		return err
	}
	return redirect(c, "/numbers?done=released")
}

// numberNotices are what the numbers page says after a change sent it back (?done=).
var numberNotices = map[string]string{
	"saved":    "Number saved.",
	"bought":   "Number bought and added to this org.",
	"released": "Number released to the carrier and removed from this org.",
}
