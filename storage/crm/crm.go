package crm

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"sync"
	"time"

	"github.com/humd/humd/egresspolicy"
	"github.com/humd/humd/storage"
)

// Connector is a customer's CRM endpoint set.
type Connector struct {
	ID           string    `json:"id"`
	OrgID        string    `json:"org_id"`
	Name         string    `json:"name"`
	BaseURL      string    `json:"base_url"`
	TimeoutMS    int       `json:"timeout_ms"`
	CreateOnMiss bool      `json:"create_on_miss"`
	SyncCalls    bool      `json:"sync_calls"`
	Enabled      bool      `json:"enabled"`
	Secret       string    `json:"-"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

type stored struct {
	Connector
	Secret string `json:"secret"`
}

// LogEntry is one request humd made to the CRM, or an event of the log the
// connector went past because it could not read it (event.skipped, with no
// request: Status 0, and why in Error).
type LogEntry struct {
	ID     string    `json:"id"`
	At     time.Time `json:"at"`
	Event  string    `json:"event"` // contact.lookup | contact.create | call.sync | ping | event.skipped
	Status int       `json:"status"`
	MS     int64     `json:"ms"`
	Error  string    `json:"error,omitempty"`
	Phone  string    `json:"phone,omitempty"`
}

func keyConn(org, id string) []byte       { return storage.Key("crm", org, id) }
func prefixConns(org string) []byte       { return storage.Prefix("crm", org) }
func keyCursor(org, id string) []byte     { return storage.Key("crm-cursor", org, id) }
func prefixLog(org, id string) []byte     { return storage.Prefix("crm-log", org, id) }
func keyLog(org, id, entry string) []byte { return storage.Key("crm-log", org, id, entry) }

// PrefixAll covers every org's connectors.
func PrefixAll() []byte { return storage.Prefix("crm") }

func newSecret() string {
	var b [24]byte
	_, _ = rand.Read(b[:])
	return "crm_" + hex.EncodeToString(b[:])
}

// orgMu serialises an org's connector writes: "one enabled connector per
// org" is a scan then a write, and two creates (or a create and an enable)
// racing between them would both pass the scan. It also keeps a PATCH from
// writing back the secret a concurrent rotation replaced, or resurrecting a
// connector a concurrent DELETE removed.
var orgMu sync.Map // org id -> *sync.Mutex

func lockOrg(org string) func() {
	m, _ := orgMu.LoadOrStore(org, &sync.Mutex{})
	mu := m.(*sync.Mutex)
	mu.Lock()
	return mu.Unlock
}

// Input is a create or patch, decoded from the wire by transport (a nil
// field is absent); booleans take true/false and the reference API's 0/1
// (SPEC 1.0).
type Input struct {
	Name         *string       `json:"name"`
	BaseURL      *string       `json:"base_url"`
	TimeoutMS    *int          `json:"timeout_ms"`
	CreateOnMiss *storage.Bool `json:"create_on_miss"`
	SyncCalls    *storage.Bool `json:"sync_calls"`
	Enabled      *storage.Bool `json:"enabled"`
}

func (b *Input) apply(c *Connector, p egresspolicy.Policy, create bool) error {
	v := &storage.ValidationError{}
	if b.Name != nil || create {
		if b.Name == nil || *b.Name == "" || len([]rune(*b.Name)) > 120 {
			v.Add("name", "must be 1-120 characters")
		} else {
			c.Name = *b.Name
		}
	}
	if b.BaseURL != nil || create {
		if b.BaseURL == nil {
			v.Add("base_url", "required")
		} else if err := p.CheckURL(*b.BaseURL); err != nil {
			v.Add("base_url", err.Error())
		} else {
			c.BaseURL = *b.BaseURL
		}
	}
	if b.TimeoutMS != nil {
		if *b.TimeoutMS < 1 || *b.TimeoutMS > 30000 {
			v.Add("timeout_ms", "must be 1 to 30000")
		} else {
			c.TimeoutMS = *b.TimeoutMS
		}
	}
	if b.CreateOnMiss != nil {
		c.CreateOnMiss = bool(*b.CreateOnMiss)
	}
	if b.SyncCalls != nil {
		c.SyncCalls = bool(*b.SyncCalls)
	}
	if b.Enabled != nil {
		c.Enabled = bool(*b.Enabled)
	}
	return v.Err()
}

// Create adds a connector (answering its secret once); its cursor starts at
// the event log's end. A second enabled connector in an org is a 409.
func Create(s storage.Store, org string, b Input, p egresspolicy.Policy, lastSeq uint64, now time.Time) (*Connector, string, error) {
	c := &Connector{ID: storage.NewID("crm"), OrgID: org, TimeoutMS: 4000, SyncCalls: true, Enabled: true, CreatedAt: now, UpdatedAt: now}
	if err := b.apply(c, p, true); err != nil {
		return nil, "", err
	}
	defer lockOrg(org)()
	if err := oneEnabled(s, c); err != nil {
		return nil, "", err
	}
	c.Secret = newSecret()
	batch := s.NewBatch()
	put(s, batch, c)
	batch.Set(keyCursor(org, c.ID), storage.U64(lastSeq))
	return c, c.Secret, batch.Commit(storage.Sync)
}

func oneEnabled(s storage.Store, c *Connector) error {
	if !c.Enabled {
		return nil
	}
	clash := false
	err := s.Scan(prefixConns(c.OrgID), storage.ScanOptions{}, func(_, v []byte) (bool, error) {
		var o stored
		if err := storage.DecodeJSON(v, &o); err != nil {
			return false, err
		}
		clash = o.Enabled && o.ID != c.ID
		return !clash, nil
	})
	if err == nil && clash {
		return storage.Conflict("connector_enabled", "an org has at most one enabled CRM connector; disable the other first")
	}
	return err
}

// put writes a connector with its signing secret sealed.
func put(s storage.Store, b *storage.Batch, c *Connector) {
	b.SetJSON(keyConn(c.OrgID, c.ID), &stored{Connector: *c, Secret: s.Sealer().Seal(c.Secret)})
}

// Reseal seals the secrets stored before sealing existed, once at start.
func Reseal(s storage.Store) error { return storage.Reseal(s, PrefixAll()) }

func unstore(s storage.Store, st *stored) (*Connector, error) {
	c := st.Connector
	c.Secret = st.Secret
	if err := s.Sealer().OpenIn("CRM connector "+c.ID, &c.Secret); err != nil {
		return nil, err
	}
	return &c, nil
}

// Get loads a connector with its secret.
func Get(s storage.Store, org, id string) (*Connector, error) {
	var st stored
	if err := storage.GetJSON(s, keyConn(org, id), &st); err != nil {
		return nil, fmt.Errorf("crm: %s: %w", id, err)
	}
	return unstore(s, &st)
}

// Patch edits a connector.
func Patch(s storage.Store, org, id string, b Input, p egresspolicy.Policy, now time.Time) (*Connector, error) {
	defer lockOrg(org)()
	c, err := Get(s, org, id)
	if err != nil {
		return nil, err
	}
	if err := b.apply(c, p, false); err != nil {
		return nil, err
	}
	if err := oneEnabled(s, c); err != nil {
		return nil, err
	}
	c.UpdatedAt = now
	batch := s.NewBatch()
	put(s, batch, c)
	return c, batch.Commit(storage.Sync)
}

// Rotate replaces the secret and answers the new one.
func Rotate(s storage.Store, org, id string, now time.Time) (*Connector, string, error) {
	defer lockOrg(org)()
	c, err := Get(s, org, id)
	if err != nil {
		return nil, "", err
	}
	c.Secret, c.UpdatedAt = newSecret(), now
	batch := s.NewBatch()
	put(s, batch, c)
	return c, c.Secret, batch.Commit(storage.Sync)
}

// Delete removes a connector, its cursor, its log and its call syncs.
func Delete(s storage.Store, org, id string) error {
	defer lockOrg(org)()
	if _, err := Get(s, org, id); err != nil {
		return err
	}
	return storage.DeleteAll(s, [][]byte{keyConn(org, id), keyCursor(org, id)},
		prefixLog(org, id), prefixSync(org, id), prefixSyncOpen(org, id))
}

// List pages the org's connectors.
func List(s storage.Store, org string, page storage.PageRequest) ([]*Connector, string, error) {
	return storage.ListPage(s, prefixConns(org), page, func(_, v []byte) (*Connector, bool, error) {
		var st stored
		err := storage.DecodeJSON(v, &st)
		return &st.Connector, err == nil, err
	})
}

// All visits every connector of every org.
func All(s storage.Store, fn func(c *Connector)) error {
	return s.Scan(PrefixAll(), storage.ScanOptions{}, func(_, v []byte) (bool, error) {
		var st stored
		if err := storage.DecodeJSON(v, &st); err != nil {
			return false, err
		}
		c, err := unstore(s, &st)
		if err != nil {
			return false, err
		}
		fn(c)
		return true, nil
	})
}

// Cursor is the last event seq the connector has looked at.
func Cursor(s storage.Store, org, id string) (uint64, error) {
	return storage.GetU64(s, keyCursor(org, id))
}

// SetCursor records progress inside b.
func SetCursor(b *storage.Batch, org, id string, seq uint64) {
	b.Set(keyCursor(org, id), storage.U64(seq))
}

// AddLog records a request inside b.
func AddLog(b *storage.Batch, org, id string, e *LogEntry) {
	b.OnCommit(countCall(id, e))
	e.ID = storage.NewID("crl")
	b.SetJSON(keyLog(org, id, e.ID), e)
}

// Logs pages the request log, newest first.
func Logs(s storage.Store, org, id string, page storage.PageRequest) ([]*LogEntry, string, error) {
	page.Reverse = true
	return storage.ListPage(s, prefixLog(org, id), page, func(_, v []byte) (*LogEntry, bool, error) {
		var e LogEntry
		err := storage.DecodeJSON(v, &e)
		return &e, err == nil, err
	})
}

// PrefixCursors covers the cursors of the org's connectors (U64 values).
func PrefixCursors(org string) []byte { return storage.Prefix("crm-cursor", org) }
