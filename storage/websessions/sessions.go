package websessions

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/humd/humd/storage"
)

// Defaults of Repo's lifetimes.
const (
	DefaultIdle   = 12 * time.Hour
	DefaultMaxAge = 30 * 24 * time.Hour
	// touchEvery is how stale LastSeen may get before a request writes it
	// again: idle expiry is that coarse, and most requests write nothing.
	touchEvery = time.Minute
)

// Session is a signed-in browser.
type Session struct {
	// ID is the hex SHA-256 of the cookie's token; the token itself is
	// never stored.
	ID     string `json:"id"`
	UserID string `json:"user_id"`
	// OrgID is the org the session acts in (POST /api/me/current-org).
	OrgID string `json:"org_id"`
	// CSRF is what X-CSRF-Token must carry on a state-changing request.
	CSRF      string    `json:"csrf"`
	Method    string    `json:"method"` // password, link or oidc
	CreatedAt time.Time `json:"created_at"`
	LastSeen  time.Time `json:"last_seen"`
}

// Repo reads and writes sessions, sign-in links and OIDC states.
type Repo struct {
	Store storage.Store
	// Idle ends a session this long after its last request (default 12 h);
	// MaxAge ends it this long after sign-in (default 30 days).
	Idle, MaxAge time.Duration

	mu sync.Mutex
}

func keySession(id string) []byte           { return storage.Key("websess", id) }
func keyUserSession(user, id string) []byte { return storage.Key("websess-user", user, id) }
func prefixUserSessions(user string) []byte { return storage.Prefix("websess-user", user) }

func (r *Repo) idle() time.Duration {
	if r.Idle > 0 {
		return r.Idle
	}
	return DefaultIdle
}

func (r *Repo) maxAge() time.Duration {
	if r.MaxAge > 0 {
		return r.MaxAge
	}
	return DefaultMaxAge
}

// NewToken is 32 random bytes, base64url: a cookie, link or state value.
func NewToken() string {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(fmt.Sprintf("websessions: crypto/rand: %v", err))
	}
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// Hash is how a token is looked up: hex SHA-256 (tokens carry 256 random
// bits, so a fast hash is safe).
func Hash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// Expiry is when s ends unless used again: the earlier of idle and
// absolute expiry.
func (r *Repo) Expiry(s *Session) time.Time {
	idle, abs := s.LastSeen.Add(r.idle()), s.CreatedAt.Add(r.maxAge())
	if idle.Before(abs) {
		return idle
	}
	return abs
}

// Create starts a session of userID in orgID and answers the cookie's token.
func (r *Repo) Create(userID, orgID, method string, now time.Time) (string, *Session, error) {
	token := NewToken()
	s := &Session{ID: Hash(token), UserID: userID, OrgID: orgID, CSRF: NewToken(), Method: method, CreatedAt: now, LastSeen: now}
	r.mu.Lock()
	defer r.mu.Unlock()
	b := r.Store.NewBatch()
	b.SetJSON(keySession(s.ID), s)
	b.Set(keyUserSession(userID, s.ID), nil)
	r.pruneUser(b, userID, now)
	if err := b.Commit(storage.Sync); err != nil {
		return "", nil, fmt.Errorf("websessions: create: %w", err)
	}
	return token, s, nil
}

// pruneUser deletes the user's expired sessions into b: a session nobody
// presents again is never looked up, so each sign-in sweeps its user's.
func (r *Repo) pruneUser(b *storage.Batch, userID string, now time.Time) {
	_ = r.Store.Scan(prefixUserSessions(userID), storage.ScanOptions{}, func(k, _ []byte) (bool, error) {
		id := string(k[len(prefixUserSessions(userID)):])
		var s Session
		err := storage.GetJSON(r.Store, keySession(id), &s)
		if errors.Is(err, storage.ErrNotFound) || err == nil && !now.Before(r.Expiry(&s)) {
			b.Delete(keySession(id))
			b.Delete(k)
		}
		return true, nil
	})
}

// Lookup finds the live session of a cookie's token and records its use.
// A missing, idle or too old session answers storage.ErrUnauthorized (an
// expired one is deleted).
func (r *Repo) Lookup(token string, now time.Time) (*Session, error) {
	if token == "" {
		return nil, fmt.Errorf("websessions: no session: %w", storage.ErrUnauthorized)
	}
	id := Hash(token)
	r.mu.Lock()
	defer r.mu.Unlock()
	var s Session
	err := storage.GetJSON(r.Store, keySession(id), &s)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, fmt.Errorf("websessions: unknown or ended session: %w", storage.ErrUnauthorized)
	}
	if err != nil {
		return nil, fmt.Errorf("websessions: load session: %w", err)
	}
	if !now.Before(r.Expiry(&s)) {
		b := r.Store.NewBatch()
		b.Delete(keySession(id))
		b.Delete(keyUserSession(s.UserID, id))
		if err := b.Commit(storage.NoSync); err != nil {
			return nil, fmt.Errorf("websessions: drop expired session: %w", err)
		}
		return nil, fmt.Errorf("websessions: session expired: %w", storage.ErrUnauthorized)
	}
	if now.Sub(s.LastSeen) >= touchEvery {
		s.LastSeen = now
		b := r.Store.NewBatch()
		b.SetJSON(keySession(id), &s)
		// NoSync: losing a touch to a crash only brings idle expiry closer.
		if err := b.Commit(storage.NoSync); err != nil {
			return nil, fmt.Errorf("websessions: touch session: %w", err)
		}
	}
	return &s, nil
}

// SetOrg switches the org a session acts in; the caller has checked the
// user's membership.
func (r *Repo) SetOrg(id, orgID string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	var s Session
	if err := storage.GetJSON(r.Store, keySession(id), &s); err != nil {
		return fmt.Errorf("websessions: session: %w", err)
	}
	s.OrgID = orgID
	b := r.Store.NewBatch()
	b.SetJSON(keySession(id), &s)
	if err := b.Commit(storage.Sync); err != nil {
		return fmt.Errorf("websessions: switch org: %w", err)
	}
	return nil
}

// Revoke ends one session (sign-out). An unknown id is not an error.
func (r *Repo) Revoke(id string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	var s Session
	err := storage.GetJSON(r.Store, keySession(id), &s)
	if errors.Is(err, storage.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("websessions: revoke: %w", err)
	}
	b := r.Store.NewBatch()
	b.Delete(keySession(id))
	b.Delete(keyUserSession(s.UserID, id))
	if err := b.Commit(storage.Sync); err != nil {
		return fmt.Errorf("websessions: revoke: %w", err)
	}
	return nil
}

// RevokeUser ends every session of a user (a changed password) and
// answers how many there were.
func (r *Repo) RevokeUser(userID string) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	b := r.Store.NewBatch()
	n := 0
	err := r.Store.Scan(prefixUserSessions(userID), storage.ScanOptions{}, func(k, _ []byte) (bool, error) {
		b.Delete(keySession(string(k[len(prefixUserSessions(userID)):])))
		b.Delete(k)
		n++
		return true, nil
	})
	if err != nil {
		b.Discard()
		return 0, fmt.Errorf("websessions: revoke user: %w", err)
	}
	if err := b.Commit(storage.Sync); err != nil {
		return 0, fmt.Errorf("websessions: revoke user: %w", err)
	}
	return n, nil
}

// MaxAgeOrDefault is the absolute lifetime of a session.
func (r *Repo) MaxAgeOrDefault() time.Duration { return r.maxAge() }
