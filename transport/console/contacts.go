package console

import (
	"fmt"
	"slices"
	"strings"

	"github.com/humd/humd/actors/service/smssvc"
	"github.com/humd/humd/actors/service/voicesvc"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/calls"
	"github.com/humd/humd/storage/sms"
	"github.com/humd/humd/transport/httpapi"
)

type contactsView struct {
	Q, Tag   string
	Contacts []*sms.Contact
	Next     string
	// The add form's values and problems.
	New    struct{ E164, Name, Tags string }
	Errors map[string]string
}

// contacts searches the org's contacts by name, email or phone, and by tag.
func (a *API) contacts(c *httpapi.Call, s *session) error {
	return a.showContacts(c, s, &contactsView{Q: c.Query("q"), Tag: c.Query("tag")}, 200)
}

func (a *API) showContacts(c *httpapi.Call, s *session, v *contactsView, status int) error {
	list, next, err := a.d.Svc.ListContacts(c.Ctx, s.P, smssvc.ListContactsQuery{Q: v.Q, Tag: v.Tag,
		Page: storage.PageRequest{Limit: 50, Cursor: c.Query("cursor"), Skips: c.Skips()}})
	if err != nil {
		return err
	}
	v.Contacts, v.Next = list, next
	return a.render(c, status, s, "contacts", "Contacts", "contacts", v)
}

// splitTags reads a comma-separated tag field.
func splitTags(raw string) []string {
	var out []string
	for _, t := range strings.Split(raw, ",") {
		if t = strings.TrimSpace(t); t != "" && !slices.ContainsFunc(out, func(o string) bool { return strings.EqualFold(o, t) }) {
			out = append(out, t)
		}
	}
	return out
}

func (a *API) createContact(c *httpapi.Call, s *session) error {
	v := &contactsView{}
	v.New.E164, v.New.Name, v.New.Tags = form(c, "e164"), form(c, "name"), form(c, "tags")
	in := sms.NewContact{E164: v.New.E164}
	if v.New.Name != "" {
		in.Name = storage.Some(v.New.Name)
	}
	if tags := splitTags(v.New.Tags); len(tags) > 0 {
		in.Tags = storage.Some(tags)
	}
	ct, err := a.d.Svc.CreateContact(c.Ctx, s.P, in)
	if fields := fieldErrors(err); fields != nil {
		v.Errors = fields
		return a.showContacts(c, s, v, 422)
	}
	if err != nil {
		return err
	}
	return redirect(c, "/contacts/"+ct.ID)
}

type contactView struct {
	Contact  *sms.Contact
	OptedOut bool
	Blocked  bool
	Threads  []*smssvc.ConversationView
	Calls    []*calls.Call
	Notice   string
	Errors   map[string]string
}

// contact shows a contact: identity (with who set each field), enrichment,
// the CRM link, tags, consent and blocking, and its threads and calls.
func (a *API) contact(c *httpapi.Call, s *session) error {
	return a.showContact(c, s, c.Param("id"), "", nil)
}

func (a *API) showContact(c *httpapi.Call, s *session, id, notice string, errs map[string]string) error {
	ct, err := a.d.Svc.GetContact(c.Ctx, s.P, id)
	if err != nil {
		return err
	}
	v := &contactView{Contact: ct, Notice: notice, Errors: errs}
	if v.OptedOut, err = a.listed(c, s, ct.E164, true); err != nil {
		return err
	}
	if v.Blocked, err = a.listed(c, s, ct.E164, false); err != nil {
		return err
	}
	digits := strings.TrimPrefix(ct.E164, "+")
	threads, _, err := a.d.Svc.ListConversations(c.Ctx, s.P, smssvc.ListConversationsQuery{Q: digits, Page: storage.PageRequest{Limit: 50, Skips: c.Skips()}})
	if err != nil {
		return err
	}
	for _, t := range threads {
		if t.ContactE164 == ct.E164 {
			v.Threads = append(v.Threads, t)
		}
	}
	list, _, err := a.d.Svc.ListCalls(c.Ctx, s.P, voicesvc.ListCallsQuery{Q: ct.E164, Page: storage.PageRequest{Limit: 50, Skips: c.Skips()}})
	if err != nil {
		return err
	}
	for _, cl := range list {
		if cl.From == ct.E164 || cl.To == ct.E164 {
			v.Calls = append(v.Calls, cl)
		}
	}
	status := 200
	if len(errs) > 0 {
		status = 422
	}
	title := ct.E164
	if ct.Name != "" {
		title = ct.Name + " · " + ct.E164
	}
	return a.render(c, status, s, "contact", title, "contacts", v)
}

// listed reports whether e164 is on the org's opt-out list (optOut) or its
// blocklist, through the lists' reads.
func (a *API) listed(c *httpapi.Call, s *session, e164 string, optOut bool) (bool, error) {
	if optOut {
		list, _, err := a.d.Svc.ListOptOuts(c.Ctx, s.P, smssvc.ListOptOutsQuery{Q: strings.TrimPrefix(e164, "+"), Page: storage.PageRequest{Limit: 200}})
		return slices.ContainsFunc(list, func(o *sms.OptOut) bool { return o.E164 == e164 }), err
	}
	var page storage.PageRequest
	page.Limit = 200
	for {
		list, next, err := a.d.Svc.ListBlocklist(c.Ctx, s.P, page)
		if err != nil || slices.ContainsFunc(list, func(b *sms.Block) bool { return b.E164 == e164 }) {
			return err == nil, err
		}
		if next == "" {
			return false, nil
		}
		page.Cursor = next
	}
}

// updateContact saves the edited identity fields and notes; what a person
// sets here wins over the CRM and Lookup (user_overrides).
func (a *API) updateContact(c *httpapi.Call, s *session) error {
	id := c.Param("id")
	ct, err := a.d.Svc.GetContact(c.Ctx, s.P, id)
	if err != nil {
		return err
	}
	// Only what changed is sent: a field sent is a person's override, which
	// enrichment and the CRM then leave alone.
	changed := func(name, was string) storage.Opt[string] {
		if now := form(c, name); now != was {
			return storage.Some(now)
		}
		return storage.Opt[string]{}
	}
	in := sms.ContactInput{Name: changed("name", ct.Name), FirstName: changed("first_name", ct.FirstName),
		LastName: changed("last_name", ct.LastName), Email: changed("email", ct.Email)}
	if notes := c.Form("notes"); notes != ct.Notes {
		in.Notes = storage.Some(notes)
	}
	_, err = a.d.Svc.UpdateContact(c.Ctx, s.P, id, in)
	if fields := fieldErrors(err); fields != nil {
		return a.showContact(c, s, id, "", fields)
	}
	if err != nil {
		return err
	}
	return a.showContact(c, s, id, "Saved.", nil)
}

// contactTags adds a tag to, or removes one from, the contact's tags.
func (a *API) contactTags(c *httpapi.Call, s *session) error {
	id := c.Param("id")
	ct, err := a.d.Svc.GetContact(c.Ctx, s.P, id)
	if err != nil {
		return err
	}
	tag := form(c, "tag")
	tags := slices.Clone(ct.Tags)
	switch form(c, "action") {
	case "add":
		if tag == "" {
			return a.showContact(c, s, id, "", map[string]string{"tag": "type a tag"})
		}
		if !slices.ContainsFunc(tags, func(t string) bool { return strings.EqualFold(t, tag) }) {
			tags = append(tags, tag)
		}
	case "remove":
		tags = slices.DeleteFunc(tags, func(t string) bool { return strings.EqualFold(t, tag) })
	default:
		return errField("action", "must be add or remove")
	}
	_, err = a.d.Svc.UpdateContact(c.Ctx, s.P, id, sms.ContactInput{Tags: storage.Some(tags)})
	if fields := fieldErrors(err); fields != nil {
		if msg, ok := fields["tags"]; ok {
			fields["tag"] = msg
		}
		return a.showContact(c, s, id, "", fields)
	}
	if err != nil {
		return err
	}
	return a.showContact(c, s, id, "", nil)
}

// contactConsent opts the contact's number out or back in (through its
// consent actor, firing sms.opt_out or sms.opt_in), or blocks or unblocks it.
func (a *API) contactConsent(c *httpapi.Call, s *session) error {
	id := c.Param("id")
	ct, err := a.d.Svc.GetContact(c.Ctx, s.P, id)
	if err != nil {
		return err
	}
	entry := sms.ListEntry{E164: ct.E164, Reason: form(c, "reason")}
	notice := ""
	switch act := form(c, "action"); act {
	case "opt_out":
		_, _, err = a.d.Svc.AddOptOut(c.Ctx, s.P, entry)
		notice = "Opted out: humd sends this number nothing but system replies until it texts START or you opt it back in."
	case "opt_in":
		err = a.d.Svc.RemoveOptOut(c.Ctx, s.P, ct.E164)
		notice = "Opted back in."
	case "block":
		_, err = a.d.Svc.BlockNumber(c.Ctx, s.P, entry)
		notice = "Blocked: calls are rejected and texts never reach the AI."
	case "unblock":
		err = a.d.Svc.UnblockNumber(c.Ctx, s.P, ct.E164)
		notice = "Unblocked."
	default:
		return errField("action", fmt.Sprintf("unknown action %q", act))
	}
	if err != nil {
		return err
	}
	return a.showContact(c, s, id, notice, nil)
}

// lookupContact re-runs enrichment (Twilio Lookup, or the sandbox's
// stand-in); with no lookup provider the service says so (409).
func (a *API) lookupContact(c *httpapi.Call, s *session) error {
	id := c.Param("id")
	if _, err := a.d.Svc.LookupContact(c.Ctx, s.P, id); err != nil {
		return err
	}
	return a.showContact(c, s, id, "Looked up again.", nil)
}

type numberListView struct {
	OptOuts bool // which list: opt-outs, else the blocklist
	Q       string
	Out     []*sms.OptOut
	Blocked []*sms.Block
	Next    string
	E164    string // the add form's value
	Reason  string
	Errors  map[string]string
	Notice  string
}

func (a *API) optOuts(c *httpapi.Call, s *session) error {
	return a.showOptOuts(c, s, &numberListView{OptOuts: true, Q: c.Query("q")}, 200)
}

func (a *API) showOptOuts(c *httpapi.Call, s *session, v *numberListView, status int) error {
	var err error
	v.Out, v.Next, err = a.d.Svc.ListOptOuts(c.Ctx, s.P, smssvc.ListOptOutsQuery{Q: v.Q, Page: storage.PageRequest{Limit: 50, Cursor: c.Query("cursor"), Skips: c.Skips()}})
	if err != nil {
		return err
	}
	return a.render(c, status, s, "numberlist", "Opt-outs", "contacts", v)
}

func (a *API) addOptOut(c *httpapi.Call, s *session) error {
	v := &numberListView{OptOuts: true, E164: form(c, "e164"), Reason: form(c, "reason")}
	_, created, err := a.d.Svc.AddOptOut(c.Ctx, s.P, sms.ListEntry{E164: v.E164, Reason: v.Reason})
	if fields := fieldErrors(err); fields != nil {
		v.Errors = fields
		return a.showOptOuts(c, s, v, 422)
	}
	if err != nil {
		return err
	}
	v.Notice = v.E164 + " is opted out."
	if !created {
		v.Notice = v.E164 + " was already opted out."
	}
	v.E164, v.Reason = "", ""
	return a.showOptOuts(c, s, v, 200)
}

func (a *API) removeOptOut(c *httpapi.Call, s *session) error {
	e164 := form(c, "e164")
	if err := a.d.Svc.RemoveOptOut(c.Ctx, s.P, e164); err != nil {
		return err
	}
	return a.showOptOuts(c, s, &numberListView{OptOuts: true, Notice: e164 + " is opted back in."}, 200)
}

func (a *API) blocklist(c *httpapi.Call, s *session) error {
	return a.showBlocklist(c, s, &numberListView{}, 200)
}

func (a *API) showBlocklist(c *httpapi.Call, s *session, v *numberListView, status int) error {
	var err error
	v.Blocked, v.Next, err = a.d.Svc.ListBlocklist(c.Ctx, s.P, storage.PageRequest{Limit: 50, Cursor: c.Query("cursor"), Skips: c.Skips()})
	if err != nil {
		return err
	}
	return a.render(c, status, s, "numberlist", "Blocklist", "contacts", v)
}

func (a *API) blockNumber(c *httpapi.Call, s *session) error {
	v := &numberListView{E164: form(c, "e164"), Reason: form(c, "reason")}
	_, err := a.d.Svc.BlockNumber(c.Ctx, s.P, sms.ListEntry{E164: v.E164, Reason: v.Reason})
	if fields := fieldErrors(err); fields != nil {
		v.Errors = fields
		return a.showBlocklist(c, s, v, 422)
	}
	if err != nil {
		return err
	}
	v.Notice = v.E164 + " is blocked."
	v.E164, v.Reason = "", ""
	return a.showBlocklist(c, s, v, 200)
}

func (a *API) unblockNumber(c *httpapi.Call, s *session) error {
	e164 := form(c, "e164")
	if err := a.d.Svc.UnblockNumber(c.Ctx, s.P, e164); err != nil {
		return err
	}
	return a.showBlocklist(c, s, &numberListView{Notice: e164 + " is unblocked."}, 200)
}
