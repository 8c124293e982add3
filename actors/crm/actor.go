package crm

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/humd/humd/actors/system"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/calls"
	"github.com/humd/humd/storage/crm"
	"github.com/humd/humd/storage/events"
	"github.com/humd/humd/storage/sms"
)

// routeConnect is actors/call.RouteConnect: a call an AI agent answered,
// whose call.outcome follows call.completed once it had a conversation.
const routeConnect = "connect"

// Actor follows the event log for one connector: it matches new contacts
// (one lookup at a time, in log order) and delivers the call.sync queue (one
// request at a time, most overdue first).
type Actor struct {
	cfg     *Config
	org, id string
	conn    *crm.Connector
	cursor  uint64
	busy    bool // a match is in flight; the log scan waits for it
	gen     uint64
	syncs   map[string]*crm.Sync // open syncs by call id
	syncing string               // the call whose sync is in flight
	// received counts the reloads that came through the system.Directory:
	// a disabled connector's actor stops only once it has them all.
	received uint64
	// log carries the connector's ids; a call's lines add its id.
	log *slog.Logger
}

// Receive is the actor's one switch.
func (a *Actor) Receive(ctx actor.Context) {
	var err error
	switch m := ctx.Message().(type) {
	case *reload:
		a.received++
		err = a.load(ctx)
	case *tick:
		if m.gen == a.gen {
			err = a.next(ctx)
			a.dispatch(ctx)
			a.arm(ctx)
		}
	case *matched:
		err = a.onMatched(ctx, m)
	case *synced:
		err = a.onSynced(ctx, m)
	}
	if err != nil {
		a.log.Error("crm connector", "err", err)
	}
}

func (a *Actor) load(ctx actor.Context) error {
	c, err := crm.Get(a.cfg.Store, a.org, a.id)
	if err != nil || !c.Enabled {
		// Stop unless a reload is on its way (it looks again); pending
		// ticks go stale.
		a.gen++
		if a.cfg.actors.Passivate(Ref(a.org, a.id), ctx.Self(), a.received) {
			ctx.Stop(ctx.Self())
		}
		return nil
	}
	a.conn = c
	if a.cursor, err = crm.Cursor(a.cfg.Store, a.org, a.id); err != nil {
		return err
	}
	a.syncs = map[string]*crm.Sync{}
	if err := crm.OpenSyncs(a.cfg.Store, a.org, a.id, func(s *crm.Sync) { a.syncs[s.CallID] = s }); err != nil {
		return err
	}
	a.arm(ctx)
	return nil
}

func (a *Actor) arm(ctx actor.Context) {
	a.gen++
	system.SendAfter(ctx, a.cfg.Clock, a.cfg.Poll, &tick{gen: a.gen})
}

// EventSkipped is the request-log entry of an event the connector went past
// because it could not read it (the entry's error says why).
const EventSkipped = "event.skipped"

// skip is an event next went past, reported once its batch commits.
type skip struct {
	key    []byte
	reason string
	err    error
}

// lookupReq is a contact the CRM is asked about.
type lookupReq struct {
	seq                     uint64
	e164, direction, callID string
}

// next moves past events that need no lookup, queueing the call syncs they
// ask for in the batch that moves the cursor, and starts a match for the
// first event that needs one; one match runs at a time.
func (a *Actor) next(ctx actor.Context) error {
	if a.busy || a.conn == nil {
		return nil
	}
	now := a.cfg.Clock.Now()
	b := a.cfg.Store.NewBatch()
	defer b.Discard()
	var todo *lookupReq
	var queued []*crm.Sync
	var skipped []skip
	seen := map[string]bool{}
	last := a.cursor
	err := a.cfg.Store.Scan(events.Prefix(a.org), storage.ScanOptions{After: events.Key(a.org, a.cursor), Limit: 200},
		func(k, v []byte) (bool, error) {
			seq := events.SeqOfKey(k)
			var ev events.Event
			err := storage.DecodeJSON(v, &ev)
			reason := storage.SkipUndecodable
			var req *lookupReq
			var callID string
			if err == nil {
				reason = storage.SkipUnprocessable
				req, callID, err = a.consider(&ev)
			}
			if storage.Undecodable(err) {
				// Logged in the connector's request log, where its admins look.
				crm.AddLog(b, a.org, a.id, &crm.LogEntry{At: now, Event: EventSkipped,
					Error: fmt.Sprintf("event %d skipped (%s): %v", seq, reason, err)})
				skipped = append(skipped, skip{key: k, reason: reason, err: err})
				last = seq
				return true, nil
			}
			if err != nil {
				return false, err
			}
			if req != nil {
				todo = req
				return false, nil
			}
			if callID != "" && !seen[callID] {
				seen[callID] = true
				sy := &crm.Sync{CallID: callID, Seq: ev.Seq, Status: crm.SyncPending, NextAt: &now, CreatedAt: now, UpdatedAt: now}
				crm.PutSync(b, a.org, a.id, sy)
				queued = append(queued, sy)
			}
			last = seq
			return true, nil
		})
	if err != nil {
		return err
	}
	if last != a.cursor {
		crm.SetCursor(b, a.org, a.id, last)
		durability := storage.NoSync // a lost cursor move only repeats "nothing to do"
		if len(queued) > 0 || len(skipped) > 0 {
			durability = storage.Sync
		}
		if err := b.Commit(durability); err != nil {
			return err
		}
		a.cursor = last
		for _, sy := range queued {
			a.syncs[sy.CallID] = sy
		}
		for _, sk := range skipped {
			a.cfg.Skips.Skip("crm", sk.reason, sk.key, sk.err, "org", a.org, "connector", a.id)
		}
	}
	if todo == nil {
		return nil
	}
	a.busy = true
	conn, cfg, self, root := *a.conn, a.cfg, ctx.Self(), ctx.ActorSystem().Root
	go func() { root.Send(self, match(cfg, &conn, todo, now, conn.CreateOnMiss)) }()
	return nil
}

// consider answers what an event asks of the connector: a lookup of a
// contact not linked yet (a new thread, a new call), or the call to sync.
//
// A call is synced once its record is final. An agent-answered call that
// had a conversation gets its summary after call.completed, announced by
// call.outcome, so it is synced on call.outcome. Every other call (after
// hours to voicemail or closed, an agent call that ended before a word,
// such as an unanswered outbound call) never gets call.outcome, so it is
// synced on call.completed. Blocked callers fire neither.
func (a *Actor) consider(ev *events.Event) (*lookupReq, string, error) {
	var req *lookupReq
	bad := func(err error) (*lookupReq, string, error) {
		return nil, "", fmt.Errorf("%w: %s data: %w", storage.ErrUnreadable, ev.Type, err)
	}
	switch ev.Type {
	case events.ConvStarted:
		var d struct {
			Conversation struct {
				ContactE164 string `json:"contact_e164"`
			} `json:"conversation"`
		}
		if err := json.Unmarshal(ev.Data, &d); err != nil {
			return bad(err)
		}
		if d.Conversation.ContactE164 != "" {
			req = &lookupReq{seq: ev.Seq, e164: d.Conversation.ContactE164, direction: "inbound"}
		}
	case calls.EvCallStarted:
		var d struct {
			Call calls.Call `json:"call"`
		}
		if err := json.Unmarshal(ev.Data, &d); err != nil {
			return bad(err)
		}
		if e164, dir := caller(&d.Call); e164 != "" {
			req = &lookupReq{seq: ev.Seq, e164: e164, direction: dir, callID: d.Call.ID}
		}
	case calls.EvCallCompleted:
		var d struct {
			Call calls.Call `json:"call"`
		}
		if !a.conn.SyncCalls {
			return nil, "", nil
		}
		if err := json.Unmarshal(ev.Data, &d); err != nil {
			return bad(err)
		}
		if d.Call.ID == "" || d.Call.Route == routeConnect && d.Call.TurnCount > 0 {
			return nil, "", nil
		}
		return a.toSync(d.Call.ID)
	case calls.EvCallOutcome:
		var d struct {
			CallID string `json:"call_id"`
		}
		if !a.conn.SyncCalls {
			return nil, "", nil
		}
		if err := json.Unmarshal(ev.Data, &d); err != nil {
			return bad(err)
		}
		if d.CallID == "" {
			return nil, "", nil
		}
		return a.toSync(d.CallID)
	}
	if req == nil {
		return nil, "", nil
	}
	c, err := sms.ContactByE164(a.cfg.Store, a.org, req.e164)
	switch {
	case errors.Is(err, storage.ErrNotFound) || err == nil && c.CRMContactID == "":
		return req, "", nil
	case err != nil:
		return nil, "", err
	}
	return nil, "", nil
}

// toSync answers callID unless the call was queued before (an event read
// twice, a call announced twice): a call is synced once.
func (a *Actor) toSync(callID string) (*lookupReq, string, error) {
	known, err := crm.HasSync(a.cfg.Store, a.org, a.id, callID)
	if err != nil || known {
		return nil, "", err
	}
	return nil, callID, nil
}

// caller answers the other party of a call (the caller inbound, the callee
// outbound) and the call's direction.
func caller(c *calls.Call) (e164, direction string) {
	if c.Direction == "outbound" {
		return c.To, "outbound"
	}
	return c.From, "inbound"
}

// match asks the CRM about a contact: lookup, then create when create is
// set and the CRM does not know the number. It blocks, so it runs on a
// worker.
func match(cfg *Config, c *crm.Connector, r *lookupReq, now time.Time, create bool) *matched {
	out := &matched{seq: r.seq, e164: r.e164}
	body := map[string]any{"phone": r.e164, "direction": r.direction, "org_id": c.OrgID, "requested_at": now}
	if r.callID != "" {
		body["call_id"] = r.callID
	}
	res := call(cfg, c, "contacts/lookup", "contact.lookup", body)
	out.logs = append(out.logs, &crm.LogEntry{At: now, Event: "contact.lookup", Status: res.status, MS: res.ms, Error: res.err, Phone: r.e164})
	var found struct {
		Found   bool `json:"found"`
		Contact struct {
			ID        string `json:"id"`
			Name      string `json:"name"`
			FirstName string `json:"first_name"`
			LastName  string `json:"last_name"`
			Email     string `json:"email"`
		} `json:"contact"`
	}
	if res.err == "" && res.status == 200 && json.Unmarshal(res.body, &found) == nil && found.Found && found.Contact.ID != "" {
		out.match = &sms.CRMMatch{ConnectorID: c.ID, ContactID: found.Contact.ID, Name: found.Contact.Name,
			FirstName: found.Contact.FirstName, LastName: found.Contact.LastName, Email: found.Contact.Email}
		return out
	}
	miss := res.err == "" && (res.status == 404 || (res.status == 200 && !found.Found))
	if !miss || !create {
		return out
	}
	res = call(cfg, c, "contacts", "contact.create", createBody(cfg, c.OrgID, r))
	out.logs = append(out.logs, &crm.LogEntry{At: now, Event: "contact.create", Status: res.status, MS: res.ms, Error: res.err, Phone: r.e164})
	var created struct {
		Contact struct {
			ID string `json:"id"`
		} `json:"contact"`
	}
	if res.err == "" && res.status/100 == 2 && json.Unmarshal(res.body, &created) == nil && created.Contact.ID != "" {
		out.match = &sms.CRMMatch{ConnectorID: c.ID, ContactID: created.Contact.ID}
	}
	return out
}

// createBody is POST /contacts (SPEC 1.15): the phone with what enrichment
// (Twilio Lookup) already knows of it. caller_name, carrier and line_type are
// always present, null while unknown, so a CRM can tell "not looked up yet"
// from a field it forgot to map.
func createBody(cfg *Config, org string, r *lookupReq) map[string]any {
	body := map[string]any{"phone": r.e164, "source": "hum", "caller_name": nil, "carrier": nil, "line_type": nil}
	if r.callID != "" {
		body["call_id"] = r.callID
	}
	ct, err := sms.ContactByE164(cfg.Store, org, r.e164)
	if err != nil {
		return body // no contact (yet): nothing is known beyond the phone
	}
	for k, v := range map[string]string{"caller_name": ct.CallerName, "carrier": ct.Carrier, "line_type": ct.LineType} {
		if v != "" {
			body[k] = v
		}
	}
	return body
}

// record writes a match's request log and links the contact; with cursor
// set it also moves the connector's cursor to the match's event.
func record(cfg *Config, org, id string, m *matched, cursor bool) error {
	b := cfg.Store.NewBatch()
	defer b.Discard()
	for _, l := range m.logs {
		crm.AddLog(b, org, id, l)
	}
	if cursor {
		crm.SetCursor(b, org, id, m.seq)
	}
	if m.match != nil {
		// ApplyCRM commits the batch under the contact's lock.
		if err := sms.ApplyCRM(cfg.Store, b, org, m.e164, m.match, cfg.Clock.Now()); err != nil {
			return fmt.Errorf("link %s: %w", m.e164, err)
		}
		return nil
	}
	return b.Commit(storage.Sync)
}

func (a *Actor) onMatched(ctx actor.Context, m *matched) error {
	a.busy = false
	if err := record(a.cfg, a.org, a.id, m, true); err != nil {
		return err
	}
	a.cursor = m.seq
	return a.next(ctx)
}
