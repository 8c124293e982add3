package smsapi

import (
	"context"
	"errors"
	"net/url"

	"github.com/humd/humd/actors/enrich"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/phone"
	"github.com/humd/humd/storage/sms"
	"github.com/humd/humd/transport/httpapi"
)

type (
	// contactFields are what sms.CreateContact and sms.PatchContact read.
	contactFields struct {
		Name      string   `json:"name,omitempty" jsonschema:"minLength=0,maxLength=200"`
		FirstName string   `json:"first_name,omitempty" jsonschema:"minLength=0,maxLength=100"`
		LastName  string   `json:"last_name,omitempty" jsonschema:"minLength=0,maxLength=100"`
		Email     string   `json:"email,omitempty" jsonschema:"minLength=0,maxLength=254"`
		Notes     string   `json:"notes,omitempty" jsonschema:"minLength=0,maxLength=5000"`
		Tags      []string `json:"tags,omitempty" jsonschema:"items.minLength=1,items.maxLength=50"`
	}
	createContactRequest struct {
		E164 string `json:"e164"`
		contactFields
	}
	// listEntryRequest blocks or opts out a number.
	listEntryRequest struct {
		E164   string `json:"e164"`
		Reason string `json:"reason,omitempty" jsonschema:"minLength=0,maxLength=500"`
	}
	backfillRequest struct {
		PerSecond float64 `json:"per_second,omitempty"`
	}
)

func (a *API) contactRoutes() []*httpapi.Route {
	contact := httpapi.Answer[sms.Contact](200)
	return []*httpapi.Route{
		{Method: "GET", Path: "/api/contacts", OpID: "listContacts", Summary: "Search contacts by name or phone, filter by tag", Tag: "Contacts", Auth: httpapi.ViewerUp,
			Responses: httpapi.Answer[httpapi.Page[*sms.Contact]](200), Handle: a.listContacts},
		{Method: "POST", Path: "/api/contacts", OpID: "createContact", Summary: "Add a contact (one per phone number)", Tag: "Contacts", Auth: httpapi.OperatorUp,
			Request: httpapi.Type[createContactRequest](), Responses: httpapi.Answer[sms.Contact](201), Handle: a.createContact},
		{Method: "GET", Path: "/api/contacts/{id}", OpID: "getContact", Summary: "One contact", Tag: "Contacts", Auth: httpapi.ViewerUp,
			Responses: contact, Handle: a.getContact},
		{Method: "PATCH", Path: "/api/contacts/{id}", OpID: "updateContact", Summary: "Edit a contact; edited identity fields override enrichment", Tag: "Contacts", Auth: httpapi.OperatorUp,
			Request: httpapi.Type[contactFields](), Responses: contact, Handle: a.updateContact},
		{Method: "DELETE", Path: "/api/contacts/{id}", OpID: "deleteContact", Summary: "Delete a contact", Tag: "Contacts", Auth: httpapi.OperatorUp,
			Responses: httpapi.NoBody(204), Handle: a.deleteContact},
		{Method: "GET", Path: "/api/blocklist", OpID: "listBlocklist", Summary: "Blocked numbers", Tag: "Contacts", Auth: httpapi.ViewerUp,
			Responses: httpapi.Answer[httpapi.Page[*sms.Block]](200), Handle: a.listBlocklist},
		{Method: "POST", Path: "/api/blocklist", OpID: "blockNumber", Summary: "Block a number (409 if already blocked)", Tag: "Contacts", Auth: httpapi.OperatorUp,
			Request: httpapi.Type[listEntryRequest](), Responses: httpapi.Answer[sms.Block](201), Handle: a.blockNumber},
		{Method: "DELETE", Path: "/api/blocklist/{e164}", OpID: "unblockNumber", Summary: "Unblock a number (+ URL-encoded as %2B)", Tag: "Contacts", Auth: httpapi.OperatorUp,
			Fails: []int{422}, Responses: httpapi.NoBody(204), Handle: a.unblockNumber},
		{Method: "GET", Path: "/api/sms/opt-outs", OpID: "listOptOuts", Summary: "Numbers that texted STOP or were opted out", Tag: "SMS", Auth: httpapi.ViewerUp,
			Responses: httpapi.Answer[httpapi.Page[*sms.OptOut]](200), Handle: a.listOptOuts},
		{Method: "POST", Path: "/api/sms/opt-outs", OpID: "addOptOut", Summary: "Opt a number out (idempotent; fires sms.opt_out once)", Tag: "SMS", Auth: httpapi.OperatorUp,
			Request: httpapi.Type[listEntryRequest](), Responses: httpapi.Answer[sms.OptOut](200, 201), Handle: a.addOptOut},
		{Method: "DELETE", Path: "/api/sms/opt-outs/{e164}", OpID: "removeOptOut", Summary: "Opt a number back in (fires sms.opt_in; 404 if not opted out)", Tag: "SMS", Auth: httpapi.OperatorUp,
			Fails: []int{422}, Responses: httpapi.NoBody(204), Handle: a.removeOptOut},
		// Contact enrichment (SPEC 1.8, 1.16): a backfill job over the org's
		// contacts, and a re-lookup of one contact.
		{Method: "POST", Path: "/api/contacts/backfill-lookup", OpID: "backfillContactLookup", Tag: "Contacts", Auth: httpapi.AdminUp,
			Summary: "Look up every contact without lookup data (carrier, line type, caller name) as a rate-limited job",
			Request: httpapi.Type[backfillRequest](), Responses: httpapi.Answer[BackfillStarted](202), Handle: a.backfillLookup},
		{Method: "GET", Path: "/api/lookup-jobs/{id}", OpID: "getContactLookupBackfill", Tag: "Contacts", Auth: httpapi.ViewerUp,
			Summary: "Progress of a lookup backfill job", Responses: httpapi.Answer[LookupJob](200), Handle: a.getLookupJob},
		{Method: "POST", Path: "/api/contacts/{id}/lookup", OpID: "lookupContact", Tag: "Contacts", Auth: httpapi.OperatorUp,
			Summary: "Re-run enrichment for one contact now (a person's edits are kept)", Fails: []int{502},
			Responses: contact, Handle: a.lookupContact},
	}
}

// e164Param reads a {e164} path segment; clients send the + as %2B, and a
// literal + must not turn into a space.
func e164Param(c *httpapi.Call) (string, error) {
	raw := c.Param("e164")
	if u, err := url.PathUnescape(raw); err == nil {
		raw = u
	}
	if !phone.Valid(raw) {
		return "", storage.Invalid("e164", "must be an E.164 number with the + URL-encoded as %2B")
	}
	return raw, nil
}

func (a *API) listContacts(c *httpapi.Call) error {
	page, err := c.Page()
	if err != nil {
		return err
	}
	items, next, err := sms.ListContacts(a.d.Store, c.Principal.OrgID,
		sms.ContactFilter{Q: c.Query("q"), Phone: c.Query("phone"), Tag: c.Query("tag")}, page)
	if err != nil {
		return err
	}
	return httpapi.List(c, items, next)
}

func (a *API) createContact(c *httpapi.Call) error {
	ct, err := sms.CreateContact(a.d.Store, c.Principal.OrgID, c.Body(), a.now())
	if err != nil {
		return err
	}
	return c.JSON(201, ct)
}

func (a *API) getContact(c *httpapi.Call) error {
	ct, err := sms.GetContact(a.d.Store, c.Principal.OrgID, c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(200, ct)
}

func (a *API) updateContact(c *httpapi.Call) error {
	ct, err := sms.PatchContact(a.d.Store, c.Principal.OrgID, c.Param("id"), c.Body(), a.now())
	if err != nil {
		return err
	}
	return c.JSON(200, ct)
}

func (a *API) deleteContact(c *httpapi.Call) error {
	if err := sms.DeleteContact(a.d.Store, c.Principal.OrgID, c.Param("id")); err != nil {
		return err
	}
	return c.NoContent()
}

func (a *API) listBlocklist(c *httpapi.Call) error {
	page, err := c.Page()
	if err != nil {
		return err
	}
	items, next, err := sms.ListBlocks(a.d.Store, c.Principal.OrgID, page)
	if err != nil {
		return err
	}
	return httpapi.List(c, items, next)
}

func (a *API) blockNumber(c *httpapi.Call) error {
	b, err := sms.AddBlock(a.d.Store, c.Principal.OrgID, c.Body(), a.now())
	if err != nil {
		return err
	}
	return c.JSON(201, b)
}

func (a *API) unblockNumber(c *httpapi.Call) error {
	e164, err := e164Param(c)
	if err != nil {
		return err
	}
	if err := sms.RemoveBlock(a.d.Store, c.Principal.OrgID, e164); err != nil {
		return err
	}
	return c.NoContent()
}

func (a *API) listOptOuts(c *httpapi.Call) error {
	page, err := c.Page()
	if err != nil {
		return err
	}
	items, next, err := sms.ListOptOuts(a.d.Store, c.Principal.OrgID, c.Query("q"), page)
	if err != nil {
		return err
	}
	return httpapi.List(c, items, next)
}

func (a *API) addOptOut(c *httpapi.Call) error {
	o, created, err := sms.AddOptOut(a.d.Store, c.Principal.OrgID, c.Body(), "api", a.now())
	if err != nil {
		return err
	}
	if created {
		return c.JSON(201, o)
	}
	return c.JSON(200, o)
}

func (a *API) removeOptOut(c *httpapi.Call) error {
	e164, err := e164Param(c)
	if err != nil {
		return err
	}
	if err := sms.RemoveOptOut(a.d.Store, c.Principal.OrgID, e164, "api", a.now()); err != nil {
		return err
	}
	return c.NoContent()
}

func (a *API) enrich() (*enrich.Service, error) {
	if a.d.Enrich == nil {
		return nil, storage.Conflict("lookup_unavailable", "contact enrichment is off: no lookup provider is configured")
	}
	return a.d.Enrich, nil
}

func (a *API) backfillLookup(c *httpapi.Call) error {
	e, err := a.enrich()
	if err != nil {
		return err
	}
	j, err := e.StartBackfill(c.Principal.OrgID, c.Body())
	if err != nil {
		return err
	}
	return c.JSON(202, &BackfillStarted{JobID: j.ID, Status: j.Status, Total: j.Total})
}

func (a *API) getLookupJob(c *httpapi.Call) error {
	j, err := sms.GetLookupJob(a.d.Store, c.Principal.OrgID, c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(200, jobView(j))
}

func (a *API) lookupContact(c *httpapi.Call) error {
	e, err := a.enrich()
	if err != nil {
		return err
	}
	ct, err := e.LookupContact(context.Background(), c.Principal.OrgID, c.Param("id"))
	if errors.Is(err, enrich.ErrLookupFailed) {
		return &httpapi.StatusError{Status: 502, Code: "lookup_failed", Message: err.Error()}
	}
	if err != nil {
		return err
	}
	return c.JSON(200, ct)
}
