package console

import (
	"encoding/json"
	"errors"
	"strings"

	"github.com/humd/humd/actors/service/adminsvc"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/billing"
	"github.com/humd/humd/storage/tenancy"
	"github.com/humd/humd/transport/httpapi"
)

// The org's settings (/settings: name, time zone, business hours, the
// HELP, STOP and START replies) and billing (/billing: plan, usage this
// month, checkout and portal when a provider is configured). Everyone
// reads the settings; only admins may change them, which the service
// enforces (a viewer's post is 403 and changes nothing), the page merely
// showing the form read-only.

// days are business hours' days, in the order the editor shows them.
var days = []struct{ Key, Label string }{
	{"mon", "Monday"}, {"tue", "Tuesday"}, {"wed", "Wednesday"}, {"thu", "Thursday"}, {"fri", "Friday"}, {"sat", "Saturday"}, {"sun", "Sunday"},
}

type settingsView struct {
	formState
	Admin       bool
	Org         *tenancy.Org
	AlwaysOpen  bool
	Days        []dayHours
	ClosedDates string
}

// dayHours is one day of the hours editor: its windows as typed,
// "08:00-12:00, 13:00-17:00" (empty: closed).
type dayHours struct{ Key, Label, Ranges string }

func (a *API) settings(c *httpapi.Call, s *session) error {
	return a.showSettings(c, s, &settingsView{})
}

func (a *API) showSettings(c *httpapi.Call, s *session, v *settingsView) error {
	o, err := a.d.Svc.GetOrg(c.Ctx, s.P)
	if err != nil {
		return err
	}
	v.Org, v.Admin = o, s.can(tenancy.Admin)
	if v.Days == nil {
		v.fillHours(o.BusinessHoursJSON)
	}
	return a.render(c, v.status(), s, "settings", "Settings", "settings", v)
}

// fillHours shows stored hours in the editor.
func (v *settingsView) fillHours(raw json.RawMessage) {
	var w *hoursWire
	if len(raw) > 0 {
		_ = json.Unmarshal(raw, &w)
	}
	v.AlwaysOpen = w == nil
	for _, d := range days {
		dh := dayHours{Key: d.Key, Label: d.Label}
		if w != nil {
			var parts []string
			for _, win := range w.Weekly[d.Key] {
				parts = append(parts, strings.Join(win, "-"))
			}
			dh.Ranges = strings.Join(parts, ", ")
		}
		v.Days = append(v.Days, dh)
	}
	if w != nil {
		v.ClosedDates = strings.Join(w.ClosedDates, "\n")
	}
}

// hoursFromForm builds business_hours_json from the editor: null when
// always open; else each day's "open-close" pairs, closed dates, and the
// org's time zone. Pairs that are not "HH:MM-HH:MM" are passed on as typed
// so the service names them.
func hoursFromForm(c *httpapi.Call, tz string) json.RawMessage {
	if checked(c, "always_open") {
		return json.RawMessage("null")
	}
	w := hoursWire{Timezone: tz, Weekly: map[string][][]string{}, ClosedDates: splitList(c.Form("closed_dates"))}
	for _, d := range days {
		for _, r := range splitList(c.Form("hours_" + d.Key)) {
			open, close, _ := strings.Cut(r, "-")
			w.Weekly[d.Key] = append(w.Weekly[d.Key], []string{strings.TrimSpace(open), strings.TrimSpace(close)})
		}
	}
	raw, _ := json.Marshal(w)
	return raw
}

// saveSettings patches the org with the form.
func (a *API) saveSettings(c *httpapi.Call, s *session) error {
	name, tz, help, stop, start := form(c, "name"), form(c, "timezone"), form(c, "help_text"), form(c, "stop_text"), form(c, "start_text")
	in := tenancy.OrgPatch{Name: &name, Timezone: &tz, HelpText: &help, StopText: &stop, StartText: &start,
		BusinessHoursJSON: storage.Some(hoursFromForm(c, tz))}
	v := &settingsView{}
	if _, err := a.d.Svc.UpdateOrg(c.Ctx, s.P, in); err != nil {
		if !v.invalid(c, "settings", err, "name", "timezone", "help_text", "stop_text", "start_text", "closed_dates") {
			return err
		}
		v.AlwaysOpen = checked(c, "always_open")
		v.ClosedDates = c.Form("closed_dates")
		for _, d := range days {
			v.Days = append(v.Days, dayHours{Key: d.Key, Label: d.Label, Ranges: c.Form("hours_" + d.Key)})
		}
		return a.showSettings(c, s, v)
	}
	v.Notice = "Settings saved."
	return a.showSettings(c, s, v)
}

// Field answers the posted value after an error, else the org's.
func (v *settingsView) Field(name string) string {
	if len(v.Errors) > 0 {
		return v.Values["settings."+name]
	}
	switch name {
	case "name":
		return v.Org.Name
	case "timezone":
		return v.Org.Timezone
	case "help_text":
		return v.Org.HelpText
	case "stop_text":
		return v.Org.StopText
	case "start_text":
		return v.Org.StartText
	}
	return ""
}

type billingView struct {
	formState
	Billing *adminsvc.Billing
	Plans   billing.Catalog
}

// billingPage shows the plan, this month's usage and the limits as used;
// with a provider, a checkout button per plan and the customer portal.
func (a *API) billingPage(c *httpapi.Call, s *session) error {
	b, err := a.d.Svc.GetBilling(c.Ctx, s.P)
	if err != nil {
		return err
	}
	plans, err := a.d.Svc.BillingPlans(c.Ctx, s.P)
	if err != nil {
		return err
	}
	return a.render(c, 200, s, "billing", "Billing", "billing", &billingView{Billing: b, Plans: plans})
}

// checkout sends the browser to the provider's hosted checkout (htmx
// follows HX-Redirect, which form-action does not restrict).
func (a *API) checkout(c *httpapi.Call, s *session) error {
	u, err := a.d.Svc.BillingCheckout(c.Ctx, s.P, adminsvc.CheckoutInput{PlanID: form(c, "plan_id")})
	if err != nil {
		return noProvider(err)
	}
	return redirect(c, u.URL)
}

// portal sends the browser to the provider's customer portal.
func (a *API) portal(c *httpapi.Call, s *session) error {
	u, err := a.d.Svc.BillingPortal(c.Ctx, s.P)
	if err != nil {
		return noProvider(err)
	}
	return redirect(c, u.URL)
}

// noProvider answers billing without a provider as a page's conflict (the
// REST API's 501 is for API clients; a page shows why there is nothing to
// buy).
func noProvider(err error) error {
	if errors.Is(err, adminsvc.ErrBillingNotConfigured) {
		return storage.Conflict("billing_not_configured", "This server has no billing provider: there is no checkout or portal, and its limits are set in its configuration.")
	}
	return err
}
