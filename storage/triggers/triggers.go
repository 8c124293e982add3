package triggers

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/events"
)

// TokenPrefix starts every trigger token.
const TokenPrefix = "trg_"

// MaxEventName bounds event_name.
const MaxEventName = 64

// EventNamePattern is what event_name must match.
var EventNamePattern = regexp.MustCompile(`^external\.[a-z0-9._-]+$`)

// Trigger is an inbound trigger as the API answers it (never the token).
type Trigger struct {
	ID        string  `json:"id"`
	OrgID     string  `json:"org_id"`
	Name      string  `json:"name"`
	EventName string  `json:"event_name"`
	FlowID    *string `json:"flow_id"`
	// TokenPrefix is the token's first characters, to tell tokens apart.
	TokenPrefix string `json:"token_prefix"`
	// LastFiredAt and LastEventID describe the newest fire (nil/"" before any).
	LastFiredAt *time.Time `json:"last_fired_at"`
	LastEventID string     `json:"last_event_id,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
	TokenHash   string     `json:"-"`
}

// stored adds the token hash, which the JSON answer never shows.
type stored struct {
	Trigger
	TokenHash string `json:"token_hash"`
}

// fired is the last-fired marker, written by Fire apart from the record so a
// fire never overwrites an admin's concurrent edit.
type fired struct {
	At      time.Time `json:"at"`
	EventID string    `json:"event_id"`
}

func keyTrigger(org, id string) []byte { return storage.Key("trigger", org, id) }
func prefixTriggers(org string) []byte { return storage.Prefix("trigger", org) }
func keyToken(hash string) []byte      { return storage.Key("trigger-token", hash) }
func keyFired(org, id string) []byte   { return storage.Key("trigger-fired", org, id) }
func tokenPrefix(token string) string  { return token[:min(len(token), len(TokenPrefix)+6)] }
func ref(org, id string) []byte        { return []byte(org + "/" + id) }

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// NewToken makes a trigger token: TokenPrefix and 32 random bytes, base64url.
func NewToken() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return TokenPrefix + base64.RawURLEncoding.EncodeToString(b[:])
}

// FlowCheck vets a flow_id for the org: nil when it names an event-trigger
// flow, a *storage.ValidationError on field flow_id when it does not, any
// other error when the lookup failed.
type FlowCheck func(flowID string) error

// Input is a create or patch, decoded from the wire by transport (a nil
// field is absent; flow_id null detaches the flow).
type Input struct {
	Name      *string             `json:"name"`
	EventName *string             `json:"event_name"`
	FlowID    storage.Opt[string] `json:"flow_id"`
}

func (b *Input) apply(t *Trigger, check FlowCheck, create bool) error {
	v := &storage.ValidationError{}
	if b.Name != nil || create {
		if b.Name == nil || strings.TrimSpace(*b.Name) == "" || len([]rune(*b.Name)) > 120 {
			v.Add("name", "must be 1-120 characters")
		} else {
			t.Name = *b.Name
		}
	}
	if b.EventName != nil || create {
		if b.EventName == nil || len(*b.EventName) > MaxEventName || !EventNamePattern.MatchString(*b.EventName) {
			v.Add("event_name", `must start with "external." and use only a-z, 0-9, ".", "_" and "-" (at most 64 characters)`)
		} else {
			t.EventName = *b.EventName
		}
	}
	if b.FlowID.Set {
		id, ok := b.FlowID.Value()
		if ok && id == "" {
			v.Add("flow_id", "must be a flow id or null")
		} else if !ok {
			t.FlowID = nil
		} else if err := check(id); err != nil {
			var ve *storage.ValidationError
			if !errors.As(err, &ve) {
				return err
			}
			v.Add("flow_id", ve.Fields["flow_id"])
		} else {
			t.FlowID = &id
		}
	}
	return v.Err()
}

// Create adds a trigger and answers it with its token (shown once).
func Create(s storage.Store, org string, b Input, check FlowCheck, now time.Time) (*Trigger, string, error) {
	t := &Trigger{ID: storage.NewID("trg"), OrgID: org, CreatedAt: now, UpdatedAt: now}
	if err := b.apply(t, check, true); err != nil {
		return nil, "", err
	}
	token := NewToken()
	t.TokenHash, t.TokenPrefix = hashToken(token), tokenPrefix(token)
	batch := s.NewBatch()
	put(batch, t)
	batch.Set(keyToken(t.TokenHash), ref(org, t.ID))
	if err := batch.Commit(storage.Sync); err != nil {
		return nil, "", err
	}
	return t, token, nil
}

func put(b *storage.Batch, t *Trigger) {
	st := stored{Trigger: *t, TokenHash: t.TokenHash}
	st.LastFiredAt, st.LastEventID = nil, "" // kept in the fired marker
	b.SetJSON(keyTrigger(t.OrgID, t.ID), &st)
}

// Get loads one trigger of the org.
func Get(s storage.Store, org, id string) (*Trigger, error) {
	var st stored
	if err := storage.GetJSON(s, keyTrigger(org, id), &st); err != nil {
		return nil, fmt.Errorf("triggers: %s: %w", id, err)
	}
	return load(s, &st)
}

func load(s storage.Store, st *stored) (*Trigger, error) {
	t := st.Trigger
	t.TokenHash = st.TokenHash
	var f fired
	switch err := storage.GetJSON(s, keyFired(t.OrgID, t.ID), &f); {
	case err == nil:
		t.LastFiredAt, t.LastEventID = &f.At, f.EventID
	case !errors.Is(err, storage.ErrNotFound):
		return nil, err
	}
	return &t, nil
}

// List pages the org's triggers, oldest first.
func List(s storage.Store, org string, page storage.PageRequest) ([]*Trigger, string, error) {
	return storage.ListPage(s, prefixTriggers(org), page, func(_, v []byte) (*Trigger, bool, error) {
		var st stored
		if err := json.Unmarshal(v, &st); err != nil {
			return nil, false, err
		}
		t, err := load(s, &st)
		return t, err == nil, err
	})
}

// Patch edits name, event_name and flow_id (null clears the flow).
func Patch(s storage.Store, org, id string, b Input, check FlowCheck, now time.Time) (*Trigger, error) {
	t, err := Get(s, org, id)
	if err != nil {
		return nil, err
	}
	if err := b.apply(t, check, false); err != nil {
		return nil, err
	}
	t.UpdatedAt = now
	batch := s.NewBatch()
	put(batch, t)
	return t, batch.Commit(storage.Sync)
}

// RotateToken replaces the token and answers the new one; the old one stops
// working at once.
func RotateToken(s storage.Store, org, id string, now time.Time) (*Trigger, string, error) {
	t, err := Get(s, org, id)
	if err != nil {
		return nil, "", err
	}
	token := NewToken()
	batch := s.NewBatch()
	batch.Delete(keyToken(t.TokenHash))
	t.TokenHash, t.TokenPrefix, t.UpdatedAt = hashToken(token), tokenPrefix(token), now
	put(batch, t)
	batch.Set(keyToken(t.TokenHash), ref(org, t.ID))
	if err := batch.Commit(storage.Sync); err != nil {
		return nil, "", err
	}
	return t, token, nil
}

// Delete removes a trigger, its token and its marker. Events it appended stay
// in the log.
func Delete(s storage.Store, org, id string) error {
	t, err := Get(s, org, id)
	if err != nil {
		return err
	}
	b := s.NewBatch()
	b.Delete(keyTrigger(org, id))
	b.Delete(keyToken(t.TokenHash))
	b.Delete(keyFired(org, id))
	return b.Commit(storage.Sync)
}

// Resolve finds the trigger of a token, or storage.ErrNotFound.
func Resolve(s storage.Store, token string) (*Trigger, error) {
	if !strings.HasPrefix(token, TokenPrefix) || len(token) > 128 {
		return nil, fmt.Errorf("triggers: unknown token: %w", storage.ErrNotFound)
	}
	hash := hashToken(token)
	v, err := s.Get(keyToken(hash))
	if err != nil {
		return nil, fmt.Errorf("triggers: token: %w", err)
	}
	org, id, ok := strings.Cut(string(v), "/")
	if !ok {
		return nil, fmt.Errorf("triggers: corrupt token index %q", v)
	}
	t, err := Get(s, org, id)
	if err != nil {
		return nil, err
	}
	if t.TokenHash != hash { // an index entry a racing rotation left behind
		return nil, fmt.Errorf("triggers: retired token: %w", storage.ErrNotFound)
	}
	return t, nil
}

// EventData is the data of an event a trigger appends.
type EventData struct {
	TriggerID string          `json:"trigger_id"`
	FlowID    string          `json:"flow_id,omitempty"`
	Payload   json.RawMessage `json:"payload"`
}

// Fire appends the trigger's event to the org's log with payload (checked by
// Payload) and records the fire, in one batch.
func Fire(s storage.Store, t *Trigger, payload json.RawMessage, now time.Time) (*events.Event, error) {
	data := EventData{TriggerID: t.ID, Payload: payload}
	if t.FlowID != nil {
		data.FlowID = *t.FlowID
	}
	b := s.NewBatch()
	defer b.Discard()
	ev, err := events.Append(s, b, t.OrgID, t.EventName, now, data)
	if err != nil {
		return nil, err
	}
	b.SetJSON(keyFired(t.OrgID, t.ID), fired{At: now.UTC(), EventID: ev.ID})
	if err := b.Commit(storage.Sync); err != nil {
		return nil, err
	}
	return ev, nil
}
