package crm

import (
	"errors"
	"fmt"
	"time"

	"github.com/humd/humd/storage"
)

// Sync states: a queued call.sync is pending until its first attempt, then
// retrying until it is delivered or has failed for good.
const (
	SyncPending   = "pending"
	SyncRetrying  = "retrying"
	SyncDelivered = "delivered"
	SyncFailed    = "failed"
)

// Sync is one call's POST {base_url}/calls to a connector. It is queued in
// the batch that moves the connector's cursor past the event that asked
// for it, so a restart neither loses nor repeats it; it is kept after it
// ends so a call is synced at most once per connector.
type Sync struct {
	CallID     string     `json:"call_id"`
	Seq        uint64     `json:"seq"` // the event that queued it
	Status     string     `json:"status"`
	Attempts   int        `json:"attempts"`
	NextAt     *time.Time `json:"next_at,omitempty"` // set while open
	LastStatus int        `json:"last_status,omitempty"`
	LastError  string     `json:"last_error,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
	UpdatedAt  time.Time  `json:"updated_at"`
}

// Open reports whether the sync still has attempts to make.
func (s *Sync) Open() bool { return s.Status == SyncPending || s.Status == SyncRetrying }

func keySync(org, id, call string) []byte     { return storage.Key("crm-sync", org, id, call) }
func prefixSync(org, id string) []byte        { return storage.Prefix("crm-sync", org, id) }
func keySyncOpen(org, id, call string) []byte { return storage.Key("crm-sync-open", org, id, call) }
func prefixSyncOpen(org, id string) []byte    { return storage.Prefix("crm-sync-open", org, id) }

// PutSync writes a sync inside b, with its open marker while it is open.
func PutSync(b *storage.Batch, org, id string, s *Sync) {
	b.SetJSON(keySync(org, id, s.CallID), s)
	if s.Open() {
		b.Set(keySyncOpen(org, id, s.CallID), nil)
	} else {
		b.Delete(keySyncOpen(org, id, s.CallID))
	}
}

// GetSync loads the connector's sync of a call (storage.ErrNotFound if the
// call was never queued).
func GetSync(s storage.Store, org, id, call string) (*Sync, error) {
	var sy Sync
	if err := storage.GetJSON(s, keySync(org, id, call), &sy); err != nil {
		return nil, fmt.Errorf("crm: sync of %s: %w", call, err)
	}
	return &sy, nil
}

// HasSync reports whether the call was ever queued to the connector.
func HasSync(s storage.Store, org, id, call string) (bool, error) {
	_, err := GetSync(s, org, id, call)
	if errors.Is(err, storage.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// OpenSyncs visits the connector's open syncs.
func OpenSyncs(s storage.Store, org, id string, fn func(*Sync)) error {
	return s.Scan(prefixSyncOpen(org, id), storage.ScanOptions{}, func(k, _ []byte) (bool, error) {
		call := string(k[len(prefixSyncOpen(org, id)):])
		sy, err := GetSync(s, org, id, call)
		if err != nil {
			return false, err
		}
		fn(sy)
		return true, nil
	})
}

// EnabledFor answers the org's enabled connector (storage.ErrNotFound when
// it has none).
func EnabledFor(s storage.Store, org string) (*Connector, error) {
	var found *Connector
	err := s.Scan(prefixConns(org), storage.ScanOptions{}, func(_, v []byte) (bool, error) {
		var st stored
		if err := storage.DecodeJSON(v, &st); err != nil {
			return false, err
		}
		if st.Enabled {
			c, err := unstore(s, &st)
			found = c
			return false, err
		}
		return true, nil
	})
	if err != nil {
		return nil, err
	}
	if found == nil {
		return nil, fmt.Errorf("crm: enabled connector of %s: %w", org, storage.ErrNotFound)
	}
	return found, nil
}
