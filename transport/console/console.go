package console

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"strings"
	"sync"

	"github.com/valyala/fasthttp"

	"github.com/humd/humd/actors/service"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/tenancy"
	"github.com/humd/humd/transport/api/authapi"
	"github.com/humd/humd/transport/api/sandboxapi"
	"github.com/humd/humd/transport/api/smsapi"
	"github.com/humd/humd/transport/httpapi"
)

// Deps are what the console uses.
type Deps struct {
	// Svc is the front door: every page reads and writes through its typed
	// operations, with the signed-in user's principal.
	Svc *service.Service
	// Auth resolves the session cookie and switches the session's org.
	Auth *authapi.API
	// SMS is the SMS area, whose per-thread send cap the composer shares.
	SMS *smsapi.API
	// Sandbox is the sandbox area (nil or not Enabled: no sandbox phone).
	Sandbox *sandboxapi.API
	// Self is where humd itself listens, as a URL (known once it listens),
	// and PublicURL what Twilio would call: the sandbox phone's calls reach
	// humd's voice webhook and relay socket there, signed for PublicURL.
	Self      func() string
	PublicURL string
}

// API serves the console's pages.
type API struct {
	d Deps
	// done ends every live stream (Close), so shutting humd down does not
	// wait for open pages.
	done      chan struct{}
	closeOnce sync.Once
	// phones are the sandbox phone's calls (sandboxcall.go).
	phones phoneBook
}

// New builds the console area.
func New(d Deps) *API { return &API{d: d, done: make(chan struct{})} }

// Close ends the live streams of open pages; call it before the HTTP
// server's Shutdown, which waits for every answer to finish.
func (a *API) Close() { a.closeOnce.Do(func() { close(a.done) }) }

// HTML is a console page or fragment.
type HTML = authapi.HTML

// session is the signed-in browser a page acts for.
type session struct {
	P    *tenancy.Principal
	CSRF string
	Me   *tenancy.Me
}

// can reports whether the session's role reaches min (the page hides what
// it may not do; the service refuses it anyway).
func (s *session) can(min tenancy.Role) bool { return s.P.Role.AtLeast(min) }

// errSignedOut sends the browser to the sign-in page.
var errSignedOut = errors.New("console: not signed in")

var errCSRF = &httpapi.StatusError{Status: 403, Code: "csrf_failed", Message: "this page is out of date or was not sent by humd's console; reload it and try again"}

// Routes lists the console's routes. Every one is public at the edge: the
// console reads the session cookie itself, so that a signed-out browser is
// sent to sign in rather than answered JSON.
func (a *API) Routes() []*httpapi.Route {
	// Pages answer their errors as HTML too (an error page, or an htmx
	// alert); the edge's JSON 5xx stays for faults.
	html := httpapi.Type[HTML]()
	page := map[int]reflect.Type{200: html, 303: nil, 403: html, 404: html, 409: html, 422: html}
	act := map[int]reflect.Type{200: html, 303: nil, 403: html, 404: html, 409: html, 422: html, 429: html}
	get := func(path, op, summary string, h handler) *httpapi.Route {
		return &httpapi.Route{Method: "GET", Path: path, OpID: op, Summary: summary, Tag: "Console", Auth: httpapi.Public,
			Responses: page, Handle: a.serve(h)}
	}
	post := func(path, op, summary string, h handler) *httpapi.Route {
		return &httpapi.Route{Method: "POST", Path: path, OpID: op, Summary: summary, Tag: "Console", Auth: httpapi.Public,
			Responses: act, Handle: a.serve(h)}
	}
	return []*httpapi.Route{
		get("/", "consoleDashboard", "Console: the dashboard (HTML)", a.dashboard),
		get("/inbox", "consoleInbox", "Console: the inbox, filtered (HTML)", a.inbox),
		get("/inbox/{id}", "consoleThread", "Console: a thread (HTML)", a.thread),
		post("/inbox/{id}/send", "consoleSend", "Console: send or schedule a text on a thread (form)", a.send),
		post("/inbox/{id}/update", "consoleUpdateThread", "Console: assign, snooze, close, reopen, pause or resume the AI (form)", a.updateThread),
		get("/calls", "consoleCalls", "Console: calls, searched and filtered (HTML)", a.calls),
		get("/calls/{id}", "consoleCall", "Console: a call with its transcript, live while it lasts (HTML)", a.call),
		post("/calls/{id}/notes", "consoleAddCallNote", "Console: add a note to a call (form)", a.addCallNote),
		post("/calls/{id}/tags", "consoleAddCallTag", "Console: tag a call (form)", a.addCallTag),
		get("/campaigns", "consoleCampaigns", "Console: campaigns with their progress (HTML)", a.campaigns),
		get("/campaigns/new", "consoleNewCampaign", "Console: the new-campaign form (HTML)", a.newCampaign),
		maxBody(post("/campaigns/new", "consoleCreateCampaign", "Console: create a draft campaign from a CSV of recipients (multipart form)", a.createCampaign), maxCSVUpload),
		get("/campaigns/{id}", "consoleCampaign", "Console: a campaign, its preview and live progress (?part=progress) (HTML)", a.campaign),
		post("/campaigns/{id}/action", "consoleCampaignAction", "Console: launch, pause or cancel a campaign (form)", a.campaignAction),
		get("/contacts", "consoleContacts", "Console: contacts, searched and filtered by tag (HTML)", a.contacts),
		post("/contacts/new", "consoleCreateContact", "Console: add a contact (form)", a.createContact),
		get("/contacts/{id}", "consoleContact", "Console: a contact with its enrichment, tags, threads and calls (HTML)", a.contact),
		post("/contacts/{id}/update", "consoleUpdateContact", "Console: edit a contact's fields (form)", a.updateContact),
		post("/contacts/{id}/tags", "consoleContactTags", "Console: add or remove a contact's tag (form)", a.contactTags),
		post("/contacts/{id}/consent", "consoleContactConsent", "Console: opt a contact out or back in, block or unblock it (form)", a.contactConsent),
		post("/contacts/{id}/lookup", "consoleLookupContact", "Console: look a contact up again (form)", a.lookupContact),
		get("/opt-outs", "consoleOptOuts", "Console: the org's opted-out numbers (HTML)", a.optOuts),
		post("/opt-outs/add", "consoleAddOptOut", "Console: opt a number out (form)", a.addOptOut),
		post("/opt-outs/remove", "consoleRemoveOptOut", "Console: opt a number back in (form)", a.removeOptOut),
		get("/blocklist", "consoleBlocklist", "Console: the org's blocked numbers (HTML)", a.blocklist),
		post("/blocklist/add", "consoleBlockNumber", "Console: block a number (form)", a.blockNumber),
		post("/blocklist/remove", "consoleUnblockNumber", "Console: unblock a number (form)", a.unblockNumber),
		get("/voicemails", "consoleVoicemails", "Console: voicemails (HTML)", a.voicemails),
		post("/voicemails/{id}/heard", "consoleMarkHeard", "Console: mark a voicemail heard (form)", a.markHeard),
		get("/approvals", "consoleApprovals", "Console: pending tool approvals (HTML)", a.approvals),
		post("/approvals/{id}/decide", "consoleDecideApproval", "Console: approve or deny a tool call (form)", a.decide),
		get("/flows", "consoleFlows", "Console: the org's flows (AI agents) (HTML)", a.flows),
		get("/flows/new", "consoleNewFlow", "Console: the editor for a new flow (HTML)", a.newFlow),
		post("/flows", "consoleCreateFlow", "Console: create a flow (form)", a.createFlow),
		get("/flows/rows/{kind}", "consoleFlowRow", "Console: one more row of a flow editor's list (HTML fragment)", a.flowRow),
		get("/flows/{id}", "consoleFlow", "Console: a flow's editor (HTML)", a.flow),
		post("/flows/{id}", "consoleSaveFlow", "Console: save a flow (form)", a.saveFlow),
		post("/flows/{id}/duplicate", "consoleDuplicateFlow", "Console: copy a flow (form)", a.duplicateFlow),
		post("/flows/{id}/delete", "consoleDeleteFlow", "Console: delete a flow nothing uses (form)", a.deleteFlow),
		get("/flows/{id}/try", "consoleTryFlow", "Console: open the sandbox phone on a number this flow answers", a.tryFlow),
		post("/flows/{id}/tools", "consoleAddFlowTool", "Console: add an HTTP tool to a flow (form)", a.addFlowTool),
		post("/flows/{id}/tools/{toolId}", "consoleUpdateFlowTool", "Console: edit an HTTP tool of a flow (form)", a.updateFlowTool),
		post("/flows/{id}/tools/{toolId}/test", "consoleTestFlowTool", "Console: send an HTTP tool's request once (form)", a.testFlowTool),
		post("/flows/{id}/tools/{toolId}/delete", "consoleDeleteFlowTool", "Console: delete an HTTP tool (form)", a.deleteFlowTool),
		get("/numbers", "consoleNumbers", "Console: the org's numbers, and numbers for sale (?search=1&country=&area_code=&region=&locality=&capabilities=) (HTML)", a.numbers),
		post("/numbers/sync", "consoleSyncNumbers", "Console: refresh the numbers from the carrier (form)", a.syncNumbers),
		post("/numbers/buy", "consoleBuyNumber", "Console: buy the number chosen (form)", a.buyNumber),
		post("/numbers/{id}", "consoleSaveNumber", "Console: name a number, assign its flows, set its send rate (form)", a.saveNumber),
		post("/numbers/{id}/release", "consoleReleaseNumber", "Console: give a number back to the carrier, once typed again (form, admins)", a.releaseNumber),
		get("/knowledge", "consoleKnowledge", "Console: the knowledge base, with a search preview (?q=) (HTML)", a.knowledge),
		post("/knowledge", "consoleAddKnowledge", "Console: add a document (form)", a.addKnowledge),
		get("/knowledge/{id}", "consoleKnowledgeDoc", "Console: a document, to edit (HTML)", a.knowledgeDoc),
		post("/knowledge/{id}", "consoleSaveKnowledge", "Console: save a document (form)", a.saveKnowledge),
		post("/knowledge/{id}/delete", "consoleDeleteKnowledge", "Console: delete a document (form)", a.deleteKnowledge),
		get("/sandbox", "consoleSandbox", "Console: the sandbox phone (HTML)", a.sandbox),
		post("/sandbox/text", "consoleSandboxText", "Console: text a number of the org as a contact (sandbox mode, form)", a.sandboxText),
		post("/sandbox/call", "consoleSandboxCall", "Console: call a number of the org as a contact (sandbox mode, form)", a.sandboxCall),
		post("/sandbox/calls/{id}/say", "consoleSandboxSay", "Console: say one turn on a sandbox phone call and hear the agent (form)", a.sandboxSay),
		post("/sandbox/calls/{id}/hangup", "consoleSandboxHangup", "Console: hang up a sandbox phone call (form)", a.sandboxHangup),
		post("/console/org", "consoleSwitchOrg", "Console: switch the session's org (form)", a.switchOrg),
		get("/integrations", "consoleIntegrations", "Console: webhooks, CRM, triggers, MCP integrations and brands (HTML)", a.integrations),
		post("/integrations/webhooks", "consoleCreateWebhook", "Console: add a webhook endpoint; its signing secret is shown once (form)", a.createWebhook),
		get("/integrations/webhooks/{id}", "consoleWebhook", "Console: a webhook endpoint and its delivery log (HTML)", a.webhook),
		post("/integrations/webhooks/{id}", "consoleWebhookAction", "Console: save, test, rotate, enable, disable or delete a webhook endpoint (form)", a.webhookAction),
		post("/integrations/webhooks/{id}/deliveries/{delivery}/redeliver", "consoleRedeliver", "Console: send a webhook delivery again (form)", a.redeliver),
		post("/integrations/crm", "consoleCreateCRM", "Console: add a CRM connector; its secret is shown once (form)", a.createCRM),
		post("/integrations/crm/{id}", "consoleCRMAction", "Console: ping, enable, disable, rotate or delete a CRM connector (form)", a.crmAction),
		post("/integrations/triggers", "consoleCreateTrigger", "Console: add a trigger; its URL is shown once (form)", a.createTrigger),
		post("/integrations/triggers/{id}", "consoleTriggerAction", "Console: rotate a trigger's URL or delete it (form)", a.triggerAction),
		post("/integrations/mcp", "consoleCreateMCP", "Console: add an MCP integration (form)", a.createMCP),
		post("/integrations/mcp/{id}", "consoleMCPAction", "Console: test an MCP integration, save its tool policy, or delete it (form)", a.mcpAction),
		post("/integrations/brands", "consoleCreateBrand", "Console: register a brand (form)", a.createBrand),
		post("/integrations/brands/{id}/refresh", "consoleRefreshBrand", "Console: refresh a brand's status (form)", a.refreshBrand),
		get("/team", "consoleTeam", "Console: members, invites and API keys (HTML)", a.team),
		post("/team/invites", "consoleInvite", "Console: invite someone with a role (form)", a.invite),
		post("/team/invites/{id}/revoke", "consoleRevokeInvite", "Console: withdraw an invite (form)", a.revokeInvite),
		post("/team/members/{id}", "consoleMemberAction", "Console: change a member's role or remove them (form)", a.memberAction),
		post("/team/keys", "consoleCreateKey", "Console: make an API key; its secret is shown once (form)", a.createKey),
		post("/team/keys/{id}/revoke", "consoleRevokeKey", "Console: revoke an API key (form)", a.revokeKey),
		get("/settings", "consoleSettings", "Console: the org's settings (HTML)", a.settings),
		post("/settings", "consoleSaveSettings", "Console: save the org's name, time zone, business hours and replies (form)", a.saveSettings),
		get("/billing", "consoleBilling", "Console: plan and usage this month (HTML)", a.billingPage),
		post("/billing/checkout", "consoleCheckout", "Console: go to the billing provider's checkout for a plan (form)", a.checkout),
		post("/billing/portal", "consolePortal", "Console: go to the billing provider's customer portal (form)", a.portal),
		{Method: "GET", Path: "/console/events", OpID: "consoleEvents", Summary: "Console: the org's live updates (Server-Sent Events of event types)",
			Tag: "Console", Auth: httpapi.Public, Stream: true, Responses: map[int]reflect.Type{200: httpapi.Type[httpapi.EventStream]()},
			Fails: []int{401, 403}, Handle: a.events},
		{Method: "GET", Path: "/calls/{id}/live", OpID: "consoleCallLive", Summary: "Console: a call's live transcript and tool calls (Server-Sent Events of HTML)",
			Tag: "Console", Auth: httpapi.Public, Stream: true, Responses: map[int]reflect.Type{200: httpapi.Type[httpapi.EventStream](), 204: nil},
			Fails: []int{401, 403, 404}, Handle: a.callLive},
		{Method: "GET", Path: "/console/js/{name}", OpID: "consoleScript", Summary: "Console: its scripts (htmx and its SSE extension)",
			Tag: "Console", Auth: httpapi.Public, Responses: map[int]reflect.Type{200: httpapi.Type[JS](), 404: html}, Handle: a.script},
		{Method: "GET", Path: "/console/console.css", OpID: "consoleStyle", Summary: "Console: its style sheet",
			Tag: "Console", Auth: httpapi.Public, Responses: map[int]reflect.Type{200: httpapi.Type[CSS](), 404: html}, Handle: a.style},
	}
}

type handler func(c *httpapi.Call, s *session) error

// serve wraps a page or action: security headers, the session, CSRF on
// changes, and errors shown as HTML.
func (a *API) serve(h handler) func(c *httpapi.Call) error {
	return func(c *httpapi.Call) error {
		secureHeaders(c)
		s, err := a.session(c)
		if errors.Is(err, errSignedOut) {
			return toLogin(c)
		}
		if err != nil {
			return a.fail(c, s, err)
		}
		if !c.Ctx.IsGet() && !c.Ctx.IsHead() {
			given := c.Ctx.Request.Header.Peek(httpapi.CSRFHeader)
			if len(given) == 0 {
				given = c.Ctx.PostArgs().Peek("csrf_token")
			}
			if len(given) == 0 { // a multipart form (a file upload) carries it as a part
				if mf, err := c.Ctx.MultipartForm(); err == nil && len(mf.Value["csrf_token"]) > 0 {
					given = []byte(mf.Value["csrf_token"][0])
				}
			}
			if subtle.ConstantTimeCompare(given, []byte(s.CSRF)) != 1 {
				return a.fail(c, s, errCSRF)
			}
		}
		if err := h(c, s); err != nil {
			return a.fail(c, s, err)
		}
		return nil
	}
}

// session finds the signed-in browser from its cookie.
func (a *API) session(c *httpapi.Call) (*session, error) {
	tok := c.Ctx.Request.Header.Cookie(httpapi.SessionCookie)
	if len(tok) == 0 {
		return nil, errSignedOut
	}
	p, csrf, err := a.d.Auth.Session(string(tok))
	if errors.Is(err, storage.ErrUnauthorized) || errors.Is(err, storage.ErrNotFound) {
		return nil, errSignedOut
	}
	if err != nil {
		return nil, err
	}
	c.Principal = p
	me, err := a.d.Svc.GetMe(c.Ctx, p)
	if err != nil {
		return nil, err
	}
	return &session{P: p, CSRF: csrf, Me: me}, nil
}

// toLogin sends a signed-out browser to sign in and back here. An htmx
// request is told to load the sign-in page whole (HX-Redirect).
func toLogin(c *httpapi.Call) error {
	back := string(c.Ctx.RequestURI())
	if !c.Ctx.IsGet() || isHTMX(c) {
		back = "/"
		if ref, err := url.Parse(string(c.Ctx.Request.Header.Referer())); err == nil && ref.Path != "" {
			back = ref.RequestURI()
		}
	}
	if rt, err := authapi.ReturnTo(back); err == nil {
		back = rt
	} else {
		back = "/"
	}
	loc := "/auth/login?return_to=" + url.QueryEscape(back)
	if isHTMX(c) {
		c.Ctx.Response.Header.Set("HX-Redirect", loc)
		return httpapi.Text(c, 200, HTML(""))
	}
	c.Ctx.Response.Header.Set("Location", loc)
	c.Ctx.SetStatusCode(fasthttp.StatusSeeOther)
	c.Ctx.Response.ResetBody()
	return nil
}

func isHTMX(c *httpapi.Call) bool { return len(c.Ctx.Request.Header.Peek("HX-Request")) > 0 }

// csp lets the console run its own scripts and styles only: no inline
// script, no eval (htmx is configured without it), no framing.
const csp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
	"media-src 'self' https:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// secureHeaders are on every console answer.
func secureHeaders(c *httpapi.Call) {
	h := &c.Ctx.Response.Header
	h.Set("Content-Security-Policy", csp)
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Cache-Control", "no-store")
}

// fail shows err: a whole error page, or for htmx a message swapped into
// the page's alert area. Server faults go to the edge, which logs them.
func (a *API) fail(c *httpapi.Call, s *session, err error) error {
	pe := httpapi.ClassifyPage(err)
	if pe.Status >= 500 {
		return err
	}
	msg := pe.Message
	if len(pe.Fields) > 0 {
		var parts []string
		for k, v := range pe.Fields {
			parts = append(parts, k+": "+v)
		}
		msg = strings.Join(sortStrings(parts), "; ")
	}
	if pe.Code == "insufficient_scope" {
		msg = "Your role in this org does not allow this."
	}
	if isHTMX(c) {
		c.Ctx.Response.Header.Set("HX-Retarget", "#alert")
		c.Ctx.Response.Header.Set("HX-Reswap", "innerHTML")
		return a.fragment(c, pe.Status, "alert", msg)
	}
	return a.render(c, pe.Status, s, "error", "Error", "", &errorView{Status: pe.Status, Message: msg})
}

type errorView struct {
	Status  int
	Message string
}

// form reads a posted field.
func form(c *httpapi.Call, name string) string { return strings.TrimSpace(c.Form(name)) }

// switchOrg moves the session to another of the user's orgs, then reloads.
func (a *API) switchOrg(c *httpapi.Call, s *session) error {
	tok := string(c.Ctx.Request.Header.Cookie(httpapi.SessionCookie))
	if _, err := a.d.Auth.SwitchOrg(tok, s.P, form(c, "org_id")); err != nil {
		return err
	}
	return redirect(c, "/")
}

// doneNotice is the notice a page shows after a change redirected back to
// it with ?done=<what>; "" for none.
func doneNotice(c *httpapi.Call, notices map[string]string) string { return notices[c.Query("done")] }

// redirect sends the browser on (htmx follows HX-Redirect).
func redirect(c *httpapi.Call, to string) error {
	if isHTMX(c) {
		c.Ctx.Response.Header.Set("HX-Redirect", to)
		return httpapi.Text(c, 200, HTML(""))
	}
	c.Ctx.Response.Header.Set("Location", to)
	c.Ctx.SetStatusCode(fasthttp.StatusSeeOther)
	c.Ctx.Response.ResetBody()
	return nil
}

func errField(field, msg string) error { return storage.Invalid(field, msg) }

func wrapf(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf(format+": %w", append(args, err)...)
}
