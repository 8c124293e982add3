package websessions

import (
	"errors"
	"fmt"
	"time"

	"github.com/humd/humd/storage"
)

// LinkTTL is how long a one-time sign-in link works.
const LinkTTL = 24 * time.Hour

// StateTTL is how long a started OIDC sign-in may take at the provider.
const StateTTL = 10 * time.Minute

func keyLink(hash string) []byte  { return storage.Key("signin-link", hash) }
func keyState(hash string) []byte { return storage.Key("oidc-state", hash) }

// link is a one-time sign-in link as stored, under its token's hash.
type link struct {
	UserID    string    `json:"user_id"`
	ExpiresAt time.Time `json:"expires_at"`
}

// CreateLink makes a single-use sign-in link token for userID, good for
// LinkTTL (the first start's admin, who has no password yet).
func (r *Repo) CreateLink(userID string, now time.Time) (string, error) {
	token := NewToken()
	b := r.Store.NewBatch()
	b.SetJSON(keyLink(Hash(token)), &link{UserID: userID, ExpiresAt: now.Add(LinkTTL)})
	if err := b.Commit(storage.Sync); err != nil {
		return "", fmt.Errorf("websessions: create link: %w", err)
	}
	return token, nil
}

// UseLink takes a sign-in link: the first use answers its user and deletes
// it; a used, unknown or expired link answers storage.ErrUnauthorized.
func (r *Repo) UseLink(token string, now time.Time) (string, error) {
	key := keyLink(Hash(token))
	r.mu.Lock()
	defer r.mu.Unlock()
	var l link
	err := storage.GetJSON(r.Store, key, &l)
	if errors.Is(err, storage.ErrNotFound) {
		return "", fmt.Errorf("websessions: unknown or used sign-in link: %w", storage.ErrUnauthorized)
	}
	if err != nil {
		return "", fmt.Errorf("websessions: load link: %w", err)
	}
	b := r.Store.NewBatch()
	b.Delete(key)
	if err := b.Commit(storage.Sync); err != nil {
		return "", fmt.Errorf("websessions: use link: %w", err)
	}
	if !now.Before(l.ExpiresAt) {
		return "", fmt.Errorf("websessions: sign-in link expired: %w", storage.ErrUnauthorized)
	}
	return l.UserID, nil
}

// OIDCState is a started OpenID Connect sign-in, kept under its state's
// hash until the provider sends the browser back.
type OIDCState struct {
	// Nonce must come back in the ID token; Verifier is the PKCE code
	// verifier the token request proves.
	Nonce     string    `json:"nonce"`
	Verifier  string    `json:"verifier"`
	ReturnTo  string    `json:"return_to"`
	ExpiresAt time.Time `json:"expires_at"`
}

// PutState keeps a started sign-in for StateTTL, and drops the expired
// ones of sign-ins never finished.
func (r *Repo) PutState(state string, s OIDCState, now time.Time) error {
	s.ExpiresAt = now.Add(StateTTL)
	b := r.Store.NewBatch()
	_ = r.Store.Scan(storage.Prefix("oidc-state"), storage.ScanOptions{Limit: 1000}, func(k, v []byte) (bool, error) {
		var old OIDCState
		if storage.DecodeJSON(v, &old) != nil || !now.Before(old.ExpiresAt) {
			b.Delete(k)
		}
		return true, nil
	})
	b.SetJSON(keyState(Hash(state)), &s)
	if err := b.Commit(storage.Sync); err != nil {
		return fmt.Errorf("websessions: keep oidc state: %w", err)
	}
	return nil
}

// TakeState takes a started sign-in by its state: once. An unknown, used
// or expired state answers storage.ErrUnauthorized.
func (r *Repo) TakeState(state string, now time.Time) (*OIDCState, error) {
	key := keyState(Hash(state))
	r.mu.Lock()
	defer r.mu.Unlock()
	var s OIDCState
	err := storage.GetJSON(r.Store, key, &s)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, fmt.Errorf("websessions: unknown or used oidc state: %w", storage.ErrUnauthorized)
	}
	if err != nil {
		return nil, fmt.Errorf("websessions: load oidc state: %w", err)
	}
	b := r.Store.NewBatch()
	b.Delete(key)
	if err := b.Commit(storage.Sync); err != nil {
		return nil, fmt.Errorf("websessions: take oidc state: %w", err)
	}
	if !now.Before(s.ExpiresAt) {
		return nil, fmt.Errorf("websessions: oidc state expired: %w", storage.ErrUnauthorized)
	}
	return &s, nil
}
