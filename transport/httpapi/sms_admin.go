package httpapi

import (
	"net/url"

	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/events"
	"github.com/humd/humd/storage/phone"
	"github.com/humd/humd/storage/sms"
)

func init() {
	caps := obj([]string{"voice", "sms", "mms"}, map[string]Schema{"voice": boolean(), "sms": boolean(), "mms": boolean()})
	componentSchemas["Number"] = obj([]string{"id", "e164", "friendly_name", "flow_id", "sms_flow_id", "sms_enabled", "mps", "capabilities", "provider"},
		map[string]Schema{"id": str(), "org_id": str(), "e164": str(), "friendly_name": str(), "flow_id": nullable(str()),
			"sms_flow_id": nullable(str()), "sms_enabled": boolean(), "mps": number(), "capabilities": caps, "provider": str(),
			"provider_sid": str(), "created_at": dateTime(), "updated_at": dateTime()})
	componentSchemas["Contact"] = obj([]string{"id", "e164", "tags", "created_at"}, map[string]Schema{"id": str(), "org_id": str(),
		"e164": str(), "name": str(), "first_name": str(), "last_name": str(), "email": str(), "notes": str(), "tags": arr(str()),
		"carrier": str(), "line_type": str(), "user_overrides": arr(str()), "created_at": dateTime(), "updated_at": dateTime(),
		// enrichment (SPEC 1.8)
		"caller_name": str(), "caller_type": str(), "lookup_at": nullable(dateTime()), "crm_contact_id": str(), "crm_connector_id": str(),
		"source_precedence": mapOf(enum(sms.SourceUser, sms.SourceCRM, sms.SourceLookup))})
	componentSchemas["Block"] = obj([]string{"e164", "created_at"}, map[string]Schema{"org_id": str(), "e164": str(), "reason": str(), "created_at": dateTime()})
	componentSchemas["OptOut"] = obj([]string{"e164", "source", "created_at"}, map[string]Schema{"org_id": str(), "e164": str(),
		"source": enum("keyword", "api", "ui", "provider", "call"), "keyword": str(), "twilio_number_id": str(), "reason": str(), "created_at": dateTime()})
	componentSchemas["Event"] = obj([]string{"id", "seq", "type", "created_at", "data"}, map[string]Schema{"id": str(), "seq": integer(),
		"type": str(), "org_id": str(), "created_at": dateTime(), "data": ref("EventData")})
	componentSchemas["SyncResult"] = obj([]string{"provider", "added", "updated", "unchanged", "elsewhere", "missing"}, map[string]Schema{
		"provider": str(), "added": arr(ref("Number")), "updated": arr(ref("Number")), "unchanged": integer(),
		"elsewhere": arr(str()), "missing": arr(str())})
}

var (
	contactProps = map[string]Schema{"name": strN(0, 200), "first_name": strN(0, 100), "last_name": strN(0, 100),
		"email": strN(0, 254), "notes": strN(0, 5000), "tags": arr(strN(1, 50))}
	listEntryBody = strict(obj([]string{"e164"}, map[string]Schema{"e164": str(), "reason": strN(0, 500)}))
)

func withE164(props map[string]Schema) map[string]Schema {
	out := map[string]Schema{"e164": str()}
	for k, v := range props {
		out[k] = v
	}
	return out
}

// e164Param reads a {e164} path segment; clients send the + as %2B, and a
// literal + must not turn into a space.
func e164Param(c *Call) (string, error) {
	raw := c.Param("e164")
	if u, err := url.PathUnescape(raw); err == nil {
		raw = u
	}
	if !phone.Valid(raw) {
		return "", storage.Invalid("e164", "must be an E.164 number with the + URL-encoded as %2B")
	}
	return raw, nil
}

func (s *Server) smsAdminRoutes() []*Route {
	num, contact := ref("Number"), ref("Contact")
	return []*Route{
		{Method: "GET", Path: "/api/numbers", OpID: "listNumbers", Summary: "The org's phone numbers", Tag: "Numbers", Auth: ViewerUp,
			Responses: map[int]Schema{200: listOf(num)}, Handle: func(c *Call) error {
				page, err := c.Page()
				if err != nil {
					return err
				}
				items, next, err := sms.ListNumbers(s.deps.Store, c.Principal.OrgID, page)
				if err != nil {
					return err
				}
				return c.List(items, next)
			}},
		{Method: "POST", Path: "/api/numbers", OpID: "registerNumber", Summary: "Register an existing provider number", Tag: "Numbers", Auth: AdminUp,
			Request:   strict(obj([]string{"e164"}, map[string]Schema{"e164": str(), "friendly_name": strN(0, 120)})),
			Responses: map[int]Schema{201: num}, Handle: func(c *Call) error {
				var req struct {
					E164         string `json:"e164"`
					FriendlyName string `json:"friendly_name"`
				}
				if err := storage.DecodeStrict(c.Body(), &req); err != nil {
					return err
				}
				maxNumbers, err := s.numberCap(c.Principal.OrgID)
				if err != nil {
					return err
				}
				n, err := sms.AddNumber(s.deps.Store, c.Principal.OrgID, sms.NewNumber{E164: req.E164, FriendlyName: req.FriendlyName,
					Provider: s.providerName(), Capabilities: sms.Capabilities{Voice: true, SMS: true, MMS: true}, MaxNumbers: maxNumbers}, s.deps.Clock.Now())
				if err != nil {
					return err
				}
				return c.JSON(201, n)
			}},
		{Method: "GET", Path: "/api/numbers/{id}", OpID: "getNumber", Summary: "One number", Tag: "Numbers", Auth: ViewerUp,
			Responses: map[int]Schema{200: num}, Handle: func(c *Call) error {
				n, err := sms.GetNumber(s.deps.Store, c.Principal.OrgID, c.Param("id"))
				if err != nil {
					return err
				}
				return c.JSON(200, n)
			}},
		{Method: "PATCH", Path: "/api/numbers/{id}", OpID: "updateNumber", Summary: "Name a number, assign flows, enable SMS, set its rate (mps)", Tag: "Numbers", Auth: AdminUp,
			Request: strict(obj(nil, map[string]Schema{"friendly_name": strN(1, 120), "flow_id": nullable(str()), "sms_flow_id": nullable(str()),
				"sms_enabled": boolIn(), "mps": number()})),
			Responses: map[int]Schema{200: num}, Handle: func(c *Call) error {
				n, err := sms.PatchNumber(s.deps.Store, c.Principal.OrgID, c.Param("id"), c.Body(), s.deps.FlowChannel, s.deps.Clock.Now())
				if err != nil {
					return err
				}
				if s.deps.Senders != nil {
					s.deps.Senders.SetRate(n)
				}
				return c.JSON(200, n)
			}},
		{Method: "POST", Path: "/api/numbers/sync", OpID: "syncNumbers", Summary: "Refresh the inventory from the carrier (Twilio IncomingPhoneNumbers, or the sandbox)", Tag: "Numbers", Auth: AdminUp,
			Responses: map[int]Schema{200: ref("SyncResult")}, Handle: func(c *Call) error {
				if s.deps.Numbers == nil {
					return storage.Conflict("no_carrier", "no carrier is configured")
				}
				list, provider, err := s.deps.Numbers.ProviderNumbers()
				if err != nil {
					return err
				}
				res, err := sms.SyncNumbers(s.deps.Store, c.Principal.OrgID, provider, list, s.deps.Clock.Now())
				if err != nil {
					return err
				}
				return c.JSON(200, map[string]any{"provider": provider, "added": res.Added, "updated": res.Updated,
					"unchanged": res.Unchanged, "elsewhere": res.Elsewhere, "missing": res.Missing})
			}},
		{Method: "GET", Path: "/api/contacts", OpID: "listContacts", Summary: "Search contacts by name or phone, filter by tag", Tag: "Contacts", Auth: ViewerUp,
			Responses: map[int]Schema{200: listOf(contact)}, Handle: func(c *Call) error {
				page, err := c.Page()
				if err != nil {
					return err
				}
				items, next, err := sms.ListContacts(s.deps.Store, c.Principal.OrgID,
					sms.ContactFilter{Q: c.Query("q"), Phone: c.Query("phone"), Tag: c.Query("tag")}, page)
				if err != nil {
					return err
				}
				return c.List(items, next)
			}},
		{Method: "POST", Path: "/api/contacts", OpID: "createContact", Summary: "Add a contact (one per phone number)", Tag: "Contacts", Auth: OperatorUp,
			Request: strict(obj([]string{"e164"}, withE164(contactProps))), Responses: map[int]Schema{201: contact}, Handle: func(c *Call) error {
				ct, err := sms.CreateContact(s.deps.Store, c.Principal.OrgID, c.Body(), s.deps.Clock.Now())
				if err != nil {
					return err
				}
				return c.JSON(201, ct)
			}},
		{Method: "GET", Path: "/api/contacts/{id}", OpID: "getContact", Summary: "One contact", Tag: "Contacts", Auth: ViewerUp,
			Responses: map[int]Schema{200: contact}, Handle: func(c *Call) error {
				ct, err := sms.GetContact(s.deps.Store, c.Principal.OrgID, c.Param("id"))
				if err != nil {
					return err
				}
				return c.JSON(200, ct)
			}},
		{Method: "PATCH", Path: "/api/contacts/{id}", OpID: "updateContact", Summary: "Edit a contact; edited identity fields override enrichment", Tag: "Contacts", Auth: OperatorUp,
			Request: strict(obj(nil, contactProps)), Responses: map[int]Schema{200: contact}, Handle: func(c *Call) error {
				ct, err := sms.PatchContact(s.deps.Store, c.Principal.OrgID, c.Param("id"), c.Body(), s.deps.Clock.Now())
				if err != nil {
					return err
				}
				return c.JSON(200, ct)
			}},
		{Method: "DELETE", Path: "/api/contacts/{id}", OpID: "deleteContact", Summary: "Delete a contact", Tag: "Contacts", Auth: OperatorUp,
			Responses: map[int]Schema{204: nil}, Handle: func(c *Call) error {
				if err := sms.DeleteContact(s.deps.Store, c.Principal.OrgID, c.Param("id")); err != nil {
					return err
				}
				return c.NoContent()
			}},
		{Method: "GET", Path: "/api/blocklist", OpID: "listBlocklist", Summary: "Blocked numbers", Tag: "Contacts", Auth: ViewerUp,
			Responses: map[int]Schema{200: listOf(ref("Block"))}, Handle: func(c *Call) error {
				page, err := c.Page()
				if err != nil {
					return err
				}
				items, next, err := sms.ListBlocks(s.deps.Store, c.Principal.OrgID, page)
				if err != nil {
					return err
				}
				return c.List(items, next)
			}},
		{Method: "POST", Path: "/api/blocklist", OpID: "blockNumber", Summary: "Block a number (409 if already blocked)", Tag: "Contacts", Auth: OperatorUp,
			Request: listEntryBody, Responses: map[int]Schema{201: ref("Block")}, Handle: func(c *Call) error {
				b, err := sms.AddBlock(s.deps.Store, c.Principal.OrgID, c.Body(), s.deps.Clock.Now())
				if err != nil {
					return err
				}
				return c.JSON(201, b)
			}},
		{Method: "DELETE", Path: "/api/blocklist/{e164}", OpID: "unblockNumber", Summary: "Unblock a number (+ URL-encoded as %2B)", Tag: "Contacts", Auth: OperatorUp,
			Responses: map[int]Schema{204: nil}, Handle: func(c *Call) error {
				e164, err := e164Param(c)
				if err != nil {
					return err
				}
				if err := sms.RemoveBlock(s.deps.Store, c.Principal.OrgID, e164); err != nil {
					return err
				}
				return c.NoContent()
			}},
		{Method: "GET", Path: "/api/sms/opt-outs", OpID: "listOptOuts", Summary: "Numbers that texted STOP or were opted out", Tag: "SMS", Auth: ViewerUp,
			Responses: map[int]Schema{200: listOf(ref("OptOut"))}, Handle: func(c *Call) error {
				page, err := c.Page()
				if err != nil {
					return err
				}
				items, next, err := sms.ListOptOuts(s.deps.Store, c.Principal.OrgID, c.Query("q"), page)
				if err != nil {
					return err
				}
				return c.List(items, next)
			}},
		{Method: "POST", Path: "/api/sms/opt-outs", OpID: "addOptOut", Summary: "Opt a number out (idempotent; fires sms.opt_out once)", Tag: "SMS", Auth: OperatorUp,
			Request: listEntryBody, Responses: map[int]Schema{200: ref("OptOut"), 201: ref("OptOut")}, Handle: func(c *Call) error {
				o, created, err := sms.AddOptOut(s.deps.Store, c.Principal.OrgID, c.Body(), "api", s.deps.Clock.Now())
				if err != nil {
					return err
				}
				if created {
					return c.JSON(201, o)
				}
				return c.JSON(200, o)
			}},
		{Method: "DELETE", Path: "/api/sms/opt-outs/{e164}", OpID: "removeOptOut", Summary: "Opt a number back in (fires sms.opt_in; 404 if not opted out)", Tag: "SMS", Auth: OperatorUp,
			Responses: map[int]Schema{204: nil}, Handle: func(c *Call) error {
				e164, err := e164Param(c)
				if err != nil {
					return err
				}
				if err := sms.RemoveOptOut(s.deps.Store, c.Principal.OrgID, e164, "api", s.deps.Clock.Now()); err != nil {
					return err
				}
				return c.NoContent()
			}},
		{Method: "GET", Path: "/api/events", OpID: "listEvents", Summary: "The org's durable event log, oldest first (?type=, cursor)", Tag: "Events", Auth: ViewerUp,
			Responses: map[int]Schema{200: listOf(ref("Event"))}, Handle: func(c *Call) error {
				page, err := c.Page()
				if err != nil {
					return err
				}
				items, next, err := events.List(s.deps.Store, c.Principal.OrgID, c.Query("type"), page)
				if err != nil {
					return err
				}
				return c.List(items, next)
			}},
	}
}

// providerName labels numbers registered by hand.
func (s *Server) providerName() string {
	if s.deps.Sandbox {
		return "sandbox"
	}
	return "twilio"
}
