package crm

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/humd/humd/actors/clock"
	"github.com/humd/humd/actors/egress"
	"github.com/humd/humd/actors/system"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/crm"
	"github.com/humd/humd/storage/sms"
	"github.com/humd/humd/storage/webhooks"
)

// Config is shared by every connector actor.
type Config struct {
	Store  storage.Store
	Clock  clock.Clock
	Logger *slog.Logger
	Policy webhooks.Policy
	Poll   time.Duration // default 1s
	// Post makes the HTTP request (transport/outbound over fasthttp).
	Post egress.Poster
}

// Service starts and finds connector actors.
type Service struct {
	cfg  *Config
	root *actor.RootContext
}

// New starts an actor for every enabled connector.
func New(root *actor.RootContext, cfg Config) (*Service, error) {
	if cfg.Poll <= 0 {
		cfg.Poll = time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Post == nil {
		return nil, errors.New("crm: Config.Post is required")
	}
	s := &Service{cfg: &cfg, root: root}
	var ids [][2]string
	if err := crm.All(cfg.Store, func(c *crm.Connector) {
		if c.Enabled {
			ids = append(ids, [2]string{c.OrgID, c.ID})
		}
	}); err != nil {
		return nil, err
	}
	for _, id := range ids {
		if err := s.Changed(id[0], id[1]); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// Policy is the SSRF policy base URLs are checked against.
func (s *Service) Policy() webhooks.Policy { return s.cfg.Policy }

// Changed (re)starts the connector's actor after an edit; a disabled or
// deleted connector's actor stops itself.
func (s *Service) Changed(org, id string) error {
	pid, err := system.GetOrSpawn(s.root, "crm/"+org+"/"+id, actor.PropsFromProducer(func() actor.Actor {
		return &Actor{cfg: s.cfg, org: org, id: id}
	}))
	if err != nil {
		return err
	}
	s.root.Send(pid, &reload{})
	return nil
}

// PingResult answers Ping.
type PingResult struct {
	OK         bool   `json:"ok"`
	Status     int    `json:"status"`
	DurationMS int64  `json:"duration_ms"`
	Error      string `json:"error,omitempty"`
}

// Ping calls {base_url}/ping and logs it.
func (s *Service) Ping(org, id string) (*PingResult, error) {
	c, err := crm.Get(s.cfg.Store, org, id)
	if err != nil {
		return nil, err
	}
	now := s.cfg.Clock.Now()
	res := call(s.cfg, c, "ping", "ping", map[string]any{"ping": true, "at": now})
	b := s.cfg.Store.NewBatch()
	crm.AddLog(b, org, id, &crm.LogEntry{At: now, Event: "ping", Status: res.status, MS: res.ms, Error: res.err})
	if err := b.Commit(storage.Sync); err != nil {
		return nil, err
	}
	return &PingResult{OK: res.err == "" && res.status/100 == 2, Status: res.status, DurationMS: res.ms, Error: res.err}, nil
}

type result struct {
	status int
	ms     int64
	body   []byte
	err    string
}

// call makes one signed request; it blocks, so it never runs in Receive.
func call(cfg *Config, c *crm.Connector, path, event string, payload any) result {
	raw, err := json.Marshal(payload)
	if err != nil {
		return result{err: err.Error()}
	}
	url := strings.TrimRight(c.BaseURL, "/") + "/" + path
	if err := cfg.Policy.CheckURL(url); err != nil {
		return result{err: err.Error()}
	}
	mac := hmac.New(sha256.New, []byte(c.Secret))
	mac.Write(raw)
	res := cfg.Post(&egress.Request{URL: url, UserAgent: "humd-crm/1.0", Body: raw,
		Timeout: time.Duration(c.TimeoutMS) * time.Millisecond, MaxResponse: 64 << 10, Headers: [][2]string{
			{"Authorization", "Bearer " + c.Secret}, {"X-HUM-Signature", "sha256=" + hex.EncodeToString(mac.Sum(nil))}, {"X-HUM-Event", event}}})
	r := result{ms: res.Elapsed.Milliseconds(), status: res.Status, body: res.Body}
	if res.Err != nil {
		r.err = res.Err.Error()
	}
	return r
}

type (
	reload  struct{}
	tick    struct{ gen uint64 }
	matched struct {
		seq   uint64
		e164  string
		match *sms.CRMMatch
		logs  []*crm.LogEntry
	}
)

// Actor follows the event log for one connector.
type Actor struct {
	cfg     *Config
	org, id string
	conn    *crm.Connector
	cursor  uint64
	busy    bool
	gen     uint64
}

// Receive is the actor's one switch.
func (a *Actor) Receive(ctx actor.Context) {
	var err error
	switch m := ctx.Message().(type) {
	case *reload:
		err = a.load(ctx)
	case *tick:
		if m.gen == a.gen {
			err = a.next(ctx)
			a.arm(ctx)
		}
	case *matched:
		err = a.onMatched(ctx, m)
	}
	if err != nil {
		a.cfg.Logger.Error("crm connector", "connector", a.id, "err", err)
	}
}

func (a *Actor) load(ctx actor.Context) error {
	c, err := crm.Get(a.cfg.Store, a.org, a.id)
	if err != nil || !c.Enabled {
		ctx.Stop(ctx.Self())
		return nil
	}
	a.conn = c
	if a.cursor, err = crm.Cursor(a.cfg.Store, a.org, a.id); err != nil {
		return err
	}
	a.arm(ctx)
	return nil
}

func (a *Actor) arm(ctx actor.Context) {
	a.gen++
	system.SendAfter(ctx, a.cfg.Clock, a.cfg.Poll, &tick{gen: a.gen})
}

// next moves past events that need nothing and starts a match for the first
// that does; one match runs at a time.
func (a *Actor) next(ctx actor.Context) error {
	if a.busy {
		return nil
	}
	var todo *sms.Event
	last := a.cursor
	var e164 string
	err := a.cfg.Store.Scan(sms.PrefixEvents(a.org), storage.ScanOptions{After: sms.KeyEvent(a.org, a.cursor), Limit: 200},
		func(_, v []byte) (bool, error) {
			var ev sms.Event
			if err := json.Unmarshal(v, &ev); err != nil {
				return false, err
			}
			if ev.Type == sms.EvConvStarted {
				var d struct {
					Conversation struct {
						ContactE164 string `json:"contact_e164"`
					} `json:"conversation"`
				}
				if json.Unmarshal(ev.Data, &d) == nil && d.Conversation.ContactE164 != "" {
					c, err := sms.ContactByE164(a.cfg.Store, a.org, d.Conversation.ContactE164)
					if errors.Is(err, storage.ErrNotFound) || (err == nil && c.CRMContactID == "") {
						todo, e164 = &ev, d.Conversation.ContactE164
						return false, nil
					}
				}
			}
			last = ev.Seq
			return true, nil
		})
	if err != nil {
		return err
	}
	if last != a.cursor {
		b := a.cfg.Store.NewBatch()
		crm.SetCursor(b, a.org, a.id, last)
		if err := b.Commit(storage.NoSync); err != nil {
			return err
		}
		a.cursor = last
	}
	if todo == nil {
		return nil
	}
	a.busy = true
	conn, cfg, self, root, seq, now := *a.conn, a.cfg, ctx.Self(), ctx.ActorSystem().Root, todo.Seq, a.cfg.Clock.Now()
	go func() { root.Send(self, match(cfg, &conn, seq, e164, now)) }()
	return nil
}

// match asks the CRM about e164: lookup, then create when allowed.
func match(cfg *Config, c *crm.Connector, seq uint64, e164 string, now time.Time) *matched {
	out := &matched{seq: seq, e164: e164}
	res := call(cfg, c, "contacts/lookup", "contact.lookup", map[string]any{"phone": e164, "direction": "inbound", "org_id": c.OrgID, "requested_at": now})
	out.logs = append(out.logs, &crm.LogEntry{At: now, Event: "contact.lookup", Status: res.status, MS: res.ms, Error: res.err, Phone: e164})
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
	if !miss || !c.CreateOnMiss {
		return out
	}
	res = call(cfg, c, "contacts", "contact.create", map[string]any{"phone": e164, "source": "hum"})
	out.logs = append(out.logs, &crm.LogEntry{At: now, Event: "contact.create", Status: res.status, MS: res.ms, Error: res.err, Phone: e164})
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

func (a *Actor) onMatched(ctx actor.Context, m *matched) error {
	a.busy = false
	b := a.cfg.Store.NewBatch()
	defer b.Discard()
	for _, l := range m.logs {
		crm.AddLog(b, a.org, a.id, l)
	}
	if m.match != nil {
		if err := sms.ApplyCRM(a.cfg.Store, b, a.org, m.e164, m.match, a.cfg.Clock.Now()); err != nil {
			return fmt.Errorf("link %s: %w", m.e164, err)
		}
	}
	crm.SetCursor(b, a.org, a.id, m.seq)
	if err := b.Commit(storage.Sync); err != nil {
		return err
	}
	a.cursor = m.seq
	return a.next(ctx)
}
