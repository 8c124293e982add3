package smsapi

import (
	"context"
	"net/url"

	"github.com/humd/humd/actors/enrich"
	"github.com/humd/humd/actors/service/smssvc"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/phone"
	"github.com/humd/humd/storage/sms"
	"github.com/humd/humd/transport/httpapi"
	"github.com/humd/humd/transport/wire"
)

func (a *API) contactRoutes() []*httpapi.Route {
	contact := httpapi.Answer[sms.Contact](200)
	return []*httpapi.Route{
		{Method: "GET", Path: "/api/contacts", OpID: "listContacts", Summary: "Search contacts by name or phone, filter by tag", Tag: "Contacts", Auth: httpapi.ViewerUp,
			Responses: httpapi.Answer[httpapi.Page[*sms.Contact]](200), Handle: a.listContacts},
		{Method: "POST", Path: "/api/contacts", OpID: "createContact", Summary: "Add a contact (one per phone number)", Tag: "Contacts", Auth: httpapi.OperatorUp,
			Request: httpapi.Type[sms.NewContact](), Responses: httpapi.Answer[sms.Contact](201), Handle: a.createContact},
		{Method: "GET", Path: "/api/contacts/{id}", OpID: "getContact", Summary: "One contact", Tag: "Contacts", Auth: httpapi.ViewerUp,
			Responses: contact, Handle: a.getContact},
		{Method: "PATCH", Path: "/api/contacts/{id}", OpID: "updateContact", Summary: "Edit a contact; edited identity fields override enrichment", Tag: "Contacts", Auth: httpapi.OperatorUp,
			Request: httpapi.Type[sms.ContactInput](), Responses: contact, Handle: a.updateContact},
		{Method: "DELETE", Path: "/api/contacts/{id}", OpID: "deleteContact", Summary: "Delete a contact", Tag: "Contacts", Auth: httpapi.OperatorUp,
			Responses: httpapi.NoBody(204), Handle: a.deleteContact},
		{Method: "GET", Path: "/api/blocklist", OpID: "listBlocklist", Summary: "Blocked numbers", Tag: "Contacts", Auth: httpapi.ViewerUp,
			Responses: httpapi.Answer[httpapi.Page[*sms.Block]](200), Handle: a.listBlocklist},
		{Method: "POST", Path: "/api/blocklist", OpID: "blockNumber", Summary: "Block a number (409 if already blocked)", Tag: "Contacts", Auth: httpapi.OperatorUp,
			Request: httpapi.Type[sms.ListEntry](), Responses: httpapi.Answer[sms.Block](201), Handle: a.blockNumber},
		{Method: "DELETE", Path: "/api/blocklist/{e164}", OpID: "unblockNumber", Summary: "Unblock a number (+ URL-encoded as %2B)", Tag: "Contacts", Auth: httpapi.OperatorUp,
			Fails: []int{422}, Responses: httpapi.NoBody(204), Handle: a.unblockNumber},
		{Method: "GET", Path: "/api/sms/opt-outs", OpID: "listOptOuts", Summary: "Numbers that texted STOP or were opted out", Tag: "SMS", Auth: httpapi.ViewerUp,
			Responses: httpapi.Answer[httpapi.Page[*sms.OptOut]](200), Handle: a.listOptOuts},
		{Method: "POST", Path: "/api/sms/opt-outs", OpID: "addOptOut", Summary: "Opt a number out (idempotent; fires sms.opt_out once)", Tag: "SMS", Auth: httpapi.OperatorUp,
			Request: httpapi.Type[sms.ListEntry](), Responses: httpapi.Answer[sms.OptOut](200, 201), Handle: a.addOptOut},
		{Method: "DELETE", Path: "/api/sms/opt-outs/{e164}", OpID: "removeOptOut", Summary: "Opt a number back in (fires sms.opt_in; 404 if not opted out)", Tag: "SMS", Auth: httpapi.OperatorUp,
			Fails: []int{422}, Responses: httpapi.NoBody(204), Handle: a.removeOptOut},
		// Contact enrichment (SPEC 1.8, 1.16): a backfill job over the org's
		// contacts, and a re-lookup of one contact.
		{Method: "POST", Path: "/api/contacts/backfill-lookup", OpID: "backfillContactLookup", Tag: "Contacts", Auth: httpapi.AdminUp,
			Summary: "Look up every contact without lookup data (carrier, line type, caller name) as a rate-limited job",
			Request: httpapi.Type[enrich.BackfillInput](), Responses: httpapi.Answer[smssvc.BackfillStarted](202), Handle: a.backfillLookup},
		{Method: "GET", Path: "/api/lookup-jobs/{id}", OpID: "getContactLookupBackfill", Tag: "Contacts", Auth: httpapi.ViewerUp,
			Summary: "Progress of a lookup backfill job", Responses: httpapi.Answer[smssvc.LookupJob](200), Handle: a.getLookupJob},
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
	items, next, err := a.d.Svc.ListContacts(context.Background(), c.Principal,
		smssvc.ListContactsQuery{Q: c.Query("q"), Phone: c.Query("phone"), Tag: c.Query("tag"), Page: page})
	if err != nil {
		return err
	}
	return httpapi.List(c, items, next)
}

func (a *API) createContact(c *httpapi.Call) error {
	var in sms.NewContact
	if err := wire.DecodeStrict(c.Body(), &in); err != nil {
		return err
	}
	ct, err := a.d.Svc.CreateContact(context.Background(), c.Principal, in)
	if err != nil {
		return err
	}
	return c.JSON(201, ct)
}

func (a *API) getContact(c *httpapi.Call) error {
	ct, err := a.d.Svc.GetContact(context.Background(), c.Principal, c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(200, ct)
}

func (a *API) updateContact(c *httpapi.Call) error {
	var in sms.ContactInput
	if err := wire.DecodeStrict(c.Body(), &in); err != nil {
		return err
	}
	ct, err := a.d.Svc.UpdateContact(context.Background(), c.Principal, c.Param("id"), in)
	if err != nil {
		return err
	}
	return c.JSON(200, ct)
}

func (a *API) deleteContact(c *httpapi.Call) error {
	if err := a.d.Svc.DeleteContact(context.Background(), c.Principal, c.Param("id")); err != nil {
		return err
	}
	return c.NoContent()
}

func (a *API) listBlocklist(c *httpapi.Call) error {
	page, err := c.Page()
	if err != nil {
		return err
	}
	items, next, err := a.d.Svc.ListBlocklist(context.Background(), c.Principal, page)
	if err != nil {
		return err
	}
	return httpapi.List(c, items, next)
}

func (a *API) blockNumber(c *httpapi.Call) error {
	var in sms.ListEntry
	if err := wire.DecodeStrict(c.Body(), &in); err != nil {
		return err
	}
	b, err := a.d.Svc.BlockNumber(context.Background(), c.Principal, in)
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
	if err := a.d.Svc.UnblockNumber(context.Background(), c.Principal, e164); err != nil {
		return err
	}
	return c.NoContent()
}

func (a *API) listOptOuts(c *httpapi.Call) error {
	page, err := c.Page()
	if err != nil {
		return err
	}
	items, next, err := a.d.Svc.ListOptOuts(context.Background(), c.Principal, smssvc.ListOptOutsQuery{Q: c.Query("q"), Page: page})
	if err != nil {
		return err
	}
	return httpapi.List(c, items, next)
}

func (a *API) addOptOut(c *httpapi.Call) error {
	var in sms.ListEntry
	if err := wire.DecodeStrict(c.Body(), &in); err != nil {
		return err
	}
	o, created, err := a.d.Svc.AddOptOut(context.Background(), c.Principal, in)
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
	if err := a.d.Svc.RemoveOptOut(context.Background(), c.Principal, e164); err != nil {
		return err
	}
	return c.NoContent()
}

func (a *API) backfillLookup(c *httpapi.Call) error {
	var in enrich.BackfillInput
	// The body is optional: none starts a job at the default rate.
	if body := c.Body(); len(body) > 0 {
		if err := wire.DecodeStrict(body, &in); err != nil {
			return err
		}
	}
	j, err := a.d.Svc.BackfillContactLookup(context.Background(), c.Principal, in)
	if err != nil {
		return err
	}
	return c.JSON(202, j)
}

func (a *API) getLookupJob(c *httpapi.Call) error {
	j, err := a.d.Svc.GetContactLookupBackfill(context.Background(), c.Principal, c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(200, j)
}

func (a *API) lookupContact(c *httpapi.Call) error {
	ct, err := a.d.Svc.LookupContact(context.Background(), c.Principal, c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(200, ct)
}
