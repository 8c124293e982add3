package idem

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/humd/humd/storage"
)

// TTL is how long an answer is kept (A35: 24 h per org).
const TTL = 24 * time.Hour

// Record is the first answer given to a key.
type Record struct {
	// Fingerprint identifies the request (method, path and body), so the
	// same key sent with another request is told apart from a retry.
	Fingerprint string    `json:"fingerprint"`
	Status      int       `json:"status"`
	ContentType string    `json:"content_type"`
	Body        []byte    `json:"body"`
	CreatedAt   time.Time `json:"created_at"`
}

// Expired reports whether the record is past its TTL at now.
func (r *Record) Expired(now time.Time) bool { return !now.Before(r.CreatedAt.Add(TTL)) }

func key(org, k string) []byte {
	h := sha256.Sum256([]byte(k))
	return storage.Key("idem", org, hex.EncodeToString(h[:16]))
}

func prefixDue() []byte { return storage.Prefix("idem-due") }

func keyDue(at time.Time, rec []byte) []byte {
	// rec is idem/<org>/<hash>; the due key repeats its last two segments.
	return storage.Key("idem-due", storage.U64Seg(uint64(at.UnixMilli())), string(rec[len("idem/"):]))
}

// Get answers the live record of key k in org, or storage.ErrNotFound when
// there is none or it has expired (Expire may not have run yet).
func Get(s storage.Store, org, k string, now time.Time) (*Record, error) {
	var r Record
	if err := storage.GetJSON(s, key(org, k), &r); err != nil {
		return nil, err
	}
	if r.Expired(now) {
		return nil, fmt.Errorf("idempotency key expired: %w", storage.ErrNotFound)
	}
	return &r, nil
}

// Put stores r as the answer of key k in org, durably, with its expiry. A
// record an earlier answer left behind (expired) is replaced.
func Put(s storage.Store, org, k string, r *Record) error {
	rk := key(org, k)
	b := s.NewBatch()
	b.SetJSON(rk, r)
	b.Set(keyDue(r.CreatedAt.Add(TTL), rk), rk)
	return b.Commit(storage.Sync)
}

// Expire deletes up to limit records whose TTL passed by now, and answers
// how many it deleted.
func Expire(s storage.Store, now time.Time, limit int) (int, error) {
	prefix := prefixDue()
	b := s.NewBatch()
	n := 0
	err := s.Scan(prefix, storage.ScanOptions{Limit: limit}, func(k, v []byte) (bool, error) {
		ms, ok := storage.DecodeU64(k[len(prefix):min(len(k), len(prefix)+8)])
		if !ok || time.UnixMilli(int64(ms)).After(now) {
			return false, nil
		}
		// A key reused after expiry has a newer record under the same idem/
		// key: delete it only when it is the one this entry indexed.
		var r Record
		switch err := storage.GetJSON(s, v, &r); {
		case err == nil && !r.Expired(now):
		case err == nil, errors.Is(err, storage.ErrNotFound):
			b.Delete(v)
		default:
			return false, err
		}
		b.Delete(bytes.Clone(k))
		n++
		return true, nil
	})
	if err != nil || n == 0 {
		b.Discard()
		return 0, err
	}
	return n, b.Commit(storage.NoSync)
}
