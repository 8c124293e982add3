package storage

import (
	"fmt"

	json "github.com/goccy/go-json" // records are decoded on every read; about twice as fast as encoding/json here
)

// Store is the narrow key-value interface every part of humd persists through.
// Keys are laid out as documented in keys.go. Values are opaque bytes; most
// records are JSON (see GetJSON and Batch.SetJSON).
type Store interface {
	// Get returns a copy of the value stored at key, or ErrNotFound.
	Get(key []byte) ([]byte, error)
	// Has reports whether key exists.
	Has(key []byte) (bool, error)
	// NewBatch starts an atomic write. Nothing is visible until Commit.
	NewBatch() *Batch
	// Scan visits keys under prefix in order (or reverse order) and stops when
	// fn returns false, an error, or Limit keys were visited. Keys and values
	// passed to fn are copies and may be retained.
	Scan(prefix []byte, opts ScanOptions, fn func(key, value []byte) (bool, error)) error
	// Sequence returns the next value (starting at 1) of the counter stored at
	// key. The counter write is ordered in the WAL before any later Sync commit,
	// so a record committed with Sync after taking a number makes the number
	// durable too; a number may be skipped after a crash but never reused.
	Sequence(key []byte) (uint64, error)
	// Sealer encrypts the secrets records keep (integration credentials).
	Sealer() *Sealer
	// Close flushes and closes the store.
	Close() error
}

// ScanOptions narrow a Scan.
type ScanOptions struct {
	// After, when set, starts strictly after this key (forward) or strictly
	// before it (Reverse). It must lie under the scanned prefix.
	After []byte
	// Reverse visits keys from last to first.
	Reverse bool
	// Limit stops after this many keys; 0 means no limit.
	Limit int
}

// Durability says whether a commit waits for fsync.
type Durability int

const (
	// Sync waits until the batch is on stable storage. Use it for every change
	// an API answer or a Twilio acknowledgement depends on.
	Sync Durability = iota
	// NoSync returns once the batch is in the WAL buffer; a later Sync commit
	// makes it durable too.
	NoSync
)

// EncodeJSON encodes a record the way Batch.SetJSON does.
func EncodeJSON(v any) ([]byte, error) { return json.Marshal(v) }

// DecodeJSON decodes a record the way GetJSON does.
func DecodeJSON(raw []byte, v any) error { return json.Unmarshal(raw, v) }

// GetJSON loads the JSON record at key into v.
func GetJSON(s Store, key []byte, v any) error {
	raw, err := s.Get(key)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("storage: decode %q: %w", key, err)
	}
	return nil
}

// GetU64 loads a counter or cursor stored as 8 big-endian bytes.
func GetU64(s Store, key []byte) (uint64, error) {
	v, err := s.Get(key)
	if err != nil {
		return 0, err
	}
	n, ok := DecodeU64(v)
	if !ok {
		return 0, fmt.Errorf("storage: %q is not a U64", key)
	}
	return n, nil
}
