package stripeapi

import (
	"bytes"
	"fmt"
	"html/template"
	"net/url"

	"github.com/valyala/fasthttp"

	storebilling "github.com/humd/humd/storage/billing"
	"github.com/humd/humd/transport/httpapi"
)

// HTML is a text/html answer (the sandbox's pages).
type HTML string

// ContentType implements httpapi.ContentTyper.
func (HTML) ContentType() string { return "text/html; charset=utf-8" }

var errBadLink = &httpapi.StatusError{Status: 400, Code: "invalid_link", Message: "this sandbox billing link is not one humd signed"}

var pages = template.Must(template.New("checkout").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sandbox checkout · humd</title></head>
<body><main>
<h1>Sandbox checkout</h1>
<p>Plan <strong>{{.Get "plan_name"}}</strong> ({{.Get "plan"}}). Nothing is charged: this is humd's billing sandbox.</p>
<form method="post" action="/billing/sandbox/checkout">
{{range $k, $v := .}}<input type="hidden" name="{{$k}}" value="{{index $v 0}}">
{{end}}<button type="submit" name="action" value="complete">Subscribe</button>
<button type="submit" name="action" value="cancel">Cancel</button>
</form>
</main></body></html>
`))

var portalPage = template.Must(template.New("portal").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sandbox billing portal · humd</title></head>
<body><main>
<h1>Sandbox billing portal</h1>
{{if .State}}<p>Plan <strong>{{.State.PlanID}}</strong>, status <strong>{{.State.Status}}</strong>.</p>{{else}}<p>No subscription yet.</p>{{end}}
<form method="post" action="/billing/sandbox/portal">
{{range $k, $v := .Link}}<input type="hidden" name="{{$k}}" value="{{index $v 0}}">
{{end}}<button type="submit" name="action" value="payment_failed">Simulate a failed payment</button>
<button type="submit" name="action" value="paid">Pay the open invoice</button>
<button type="submit" name="action" value="cancel">Cancel the subscription</button>
</form>
<p><a href="{{.Link.Get "return"}}">Back</a></p>
</main></body></html>
`))

var donePage = template.Must(template.New("done").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Billing · humd</title></head>
<body><main><h1>{{.}}</h1><p>You can close this page; GET /api/billing shows the subscription.</p></main></body></html>
`))

func render(c *httpapi.Call, t *template.Template, v any) error {
	var buf bytes.Buffer
	if err := t.Execute(&buf, v); err != nil {
		return fmt.Errorf("stripeapi: render: %w", err)
	}
	return httpapi.Text(c, 200, HTML(buf.String()))
}

func (a *API) sandboxRoutes() []*httpapi.Route {
	page := httpapi.Answer[HTML](200)
	return []*httpapi.Route{
		{Method: "GET", Path: "/billing/sandbox/checkout", OpID: "sandboxCheckoutPage", Summary: "Sandbox checkout page (HTML; signed link)", Tag: "Billing",
			Auth: httpapi.Public, Fails: []int{400}, Responses: page, Handle: a.checkoutPage},
		{Method: "POST", Path: "/billing/sandbox/checkout", OpID: "sandboxCheckout", Summary: "Complete or cancel a sandbox checkout (form); 303 back", Tag: "Billing",
			Auth: httpapi.Public, Fails: []int{400}, Responses: httpapi.NoBody(303), Handle: a.checkoutAction},
		{Method: "GET", Path: "/billing/sandbox/portal", OpID: "sandboxPortalPage", Summary: "Sandbox billing portal (HTML; signed link)", Tag: "Billing",
			Auth: httpapi.Public, Fails: []int{400}, Responses: page, Handle: a.portalPage},
		{Method: "POST", Path: "/billing/sandbox/portal", OpID: "sandboxPortal", Summary: "Simulate a payment failure, a payment or a cancellation (form); 303 back", Tag: "Billing",
			Auth: httpapi.Public, Fails: []int{400}, Responses: httpapi.NoBody(303), Handle: a.portalAction},
	}
}

func (a *API) done(c *httpapi.Call) error {
	msg := "Billing"
	switch c.Query("checkout") {
	case "complete":
		msg = "Checkout complete"
	case "canceled":
		msg = "Checkout canceled"
	}
	return render(c, donePage, msg)
}

func queryValues(c *httpapi.Call) url.Values {
	v, _ := url.ParseQuery(string(c.Ctx.QueryArgs().QueryString()))
	return v
}

func formValues(c *httpapi.Call) url.Values {
	v := url.Values{}
	c.Ctx.PostArgs().VisitAll(func(k, val []byte) { v.Add(string(k), string(val)) })
	return v
}

func (a *API) checkoutPage(c *httpapi.Call) error {
	v, ok := a.d.Sandbox.verify(queryValues(c))
	if !ok {
		return errBadLink
	}
	v.Set("sig", a.d.Sandbox.mac(v.Encode()))
	return render(c, pages, v)
}

// checkoutAction completes a checkout as Stripe would: the session
// completes, the subscription is created active and its first invoice is
// paid, each a signed event through the webhook's code.
func (a *API) checkoutAction(c *httpapi.Call) error {
	form := formValues(c)
	action := form.Get("action")
	form.Del("action")
	v, ok := a.d.Sandbox.verify(form)
	if !ok {
		return errBadLink
	}
	if action != "complete" {
		return redirect(c, v.Get("cancel"))
	}
	sb := a.d.Sandbox
	now := sb.Now().UTC()
	sub, org, cus := sandboxID("sub_sbx_"), v.Get("org"), v.Get("customer")
	meta := map[string]string{"org_id": org, "plan_id": v.Get("plan")}
	evs := []struct {
		typ string
		obj map[string]any
	}{
		{storebilling.EvCheckoutCompleted, map[string]any{"id": v.Get("session"), "object": "checkout.session", "mode": "subscription",
			"client_reference_id": org, "customer": cus, "subscription": sub, "payment_status": "paid", "status": "complete", "metadata": meta}},
		{storebilling.EvSubCreated, subscription(sub, org, cus, v.Get("plan"), v.Get("price"), storebilling.StatusActive, now, now.AddDate(0, 1, 0))},
		{storebilling.EvInvoicePaid, invoice(sub, cus, meta, "paid")},
	}
	for _, e := range evs {
		if err := a.sendSelf(e.typ, e.obj); err != nil {
			return err
		}
	}
	return redirect(c, v.Get("success"))
}

func (a *API) sendSelf(typ string, obj map[string]any) error {
	payload, sig, err := a.d.Sandbox.event(typ, obj, a.d.Sandbox.Now())
	if err != nil {
		return err
	}
	_, err = a.receive(payload, sig)
	return err
}

func invoice(sub, cus string, meta map[string]string, status string) map[string]any {
	return map[string]any{"id": sandboxID("in_sbx_"), "object": "invoice", "customer": cus, "status": status,
		"parent": map[string]any{"type": "subscription_details", "subscription_details": map[string]any{"subscription": sub, "metadata": meta}}}
}

type portalView struct {
	Link  url.Values
	State *storebilling.State
}

func (a *API) portalPage(c *httpapi.Call) error {
	v, ok := a.d.Sandbox.verify(queryValues(c))
	if !ok {
		return errBadLink
	}
	st, err := a.d.Svc.SandboxBillingState(v.Get("org"))
	if err != nil {
		return err
	}
	v.Set("sig", a.d.Sandbox.mac(v.Encode()))
	return render(c, portalPage, portalView{Link: v, State: st})
}

// portalAction sends what Stripe would on a failed payment, a paid invoice
// or a cancellation of the org's subscription.
func (a *API) portalAction(c *httpapi.Call) error {
	form := formValues(c)
	action := form.Get("action")
	form.Del("action")
	v, ok := a.d.Sandbox.verify(form)
	if !ok {
		return errBadLink
	}
	org := v.Get("org")
	st, err := a.d.Svc.SandboxBillingState(org)
	if err != nil {
		return err
	}
	if st == nil || st.SubscriptionID == "" {
		return redirect(c, v.Get("return"))
	}
	meta := map[string]string{"org_id": org, "plan_id": st.PlanID}
	switch action {
	case "payment_failed":
		err = a.sendSelf(storebilling.EvInvoiceFailed, invoice(st.SubscriptionID, st.CustomerID, meta, "open"))
	case "paid":
		err = a.sendSelf(storebilling.EvInvoicePaid, invoice(st.SubscriptionID, st.CustomerID, meta, "paid"))
	case "cancel":
		start, end := a.d.Sandbox.Now(), a.d.Sandbox.Now()
		if st.PeriodStart != nil && st.PeriodEnd != nil {
			start, end = *st.PeriodStart, *st.PeriodEnd
		}
		err = a.sendSelf(storebilling.EvSubDeleted, subscription(st.SubscriptionID, org, st.CustomerID, st.PlanID, st.PriceID,
			storebilling.StatusCanceled, start, end))
	}
	if err != nil {
		return err
	}
	return redirect(c, v.Get("return"))
}

// redirect answers 303 to a location humd signed into the link.
func redirect(c *httpapi.Call, location string) error {
	c.Ctx.Response.Header.Set("Location", location)
	c.Ctx.Response.Header.Set("Cache-Control", "no-store")
	c.Ctx.SetStatusCode(fasthttp.StatusSeeOther)
	c.Ctx.Response.ResetBody()
	return nil
}
