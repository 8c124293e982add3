package crm

import (
	"context"
	"errors"
	"strings"

	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/calls"
	"github.com/humd/humd/storage/crm"
)

// CallerContext is the CRM's pre-call hook (SPEC 2.11 rule 1, 2.13 rule 1):
// one signed POST {base_url}/contacts/lookup for the other party of the
// call, to the org's enabled connector, answering a line for the prompt's
// "# Caller Context" block ("" when the org has no enabled connector or the
// CRM does not know the number). The lookup is bounded by the connector's
// timeout_ms and by ctx (the call's pre-call budget): when ctx ends first
// the hook answers ctx's error, and the lookup finishes on its own, still
// logged and still linking the contact, but too late for the prompt. A
// found contact is linked like the connector actor links it, which spares
// the actor its own lookup for the call. There is no create here: that is
// the actor's job, off the answer path.
func (s *Service) CallerContext(ctx context.Context, c *calls.Call) (string, error) {
	conn, err := crm.EnabledFor(s.cfg.Store, c.OrgID)
	if errors.Is(err, storage.ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	e164, dir := caller(c)
	if e164 == "" {
		return "", nil
	}
	cfg, now := s.cfg, s.cfg.Clock.Now()
	done := make(chan *matched, 1)
	go func() {
		m := match(cfg, conn, &lookupReq{e164: e164, direction: dir, callID: c.ID}, now, false)
		if err := record(cfg, conn.OrgID, conn.ID, m, false); err != nil {
			cfg.Logger.Error("crm pre-call lookup", "org", conn.OrgID, "connector", conn.ID, "call", c.ID, "err", err)
		}
		done <- m
	}()
	select {
	case m := <-done:
		return describe(m), nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// describe renders a found contact as one line: `CRM contact: Jane Doe
// (crm id c_42), email jane@example.com`.
func describe(m *matched) string {
	if m.match == nil {
		return ""
	}
	oneLine := func(s string) string { return strings.Join(strings.Fields(s), " ") } // the CRM's text stays one line
	name := oneLine(m.match.Name)
	if name == "" {
		name = oneLine(m.match.FirstName + " " + m.match.LastName)
	}
	var sb strings.Builder
	sb.WriteString("CRM contact: ")
	if name != "" {
		sb.WriteString(name + " ")
	}
	sb.WriteString("(crm id " + oneLine(m.match.ContactID) + ")")
	if email := oneLine(m.match.Email); email != "" {
		sb.WriteString(", email " + email)
	}
	return sb.String()
}
