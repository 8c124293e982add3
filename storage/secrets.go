package storage

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// SecretsKeyFile is where a store keeps its secrets key when none is given:
// beside Pebble's files in the data directory.
const SecretsKeyFile = "secrets.key"

// sealedPrefix marks a sealed value; anything else is a secret stored
// before sealing existed, read as it is until it is written again.
const sealedPrefix = "sealed:v1:"

// Sealer encrypts the secrets of integrations (HTTP tool and MCP
// credentials, SPEC 2.13.7) with AES-256-GCM before they reach Pebble.
type Sealer struct{ aead cipher.AEAD }

// NewSealer makes a sealer from a 32-byte key.
func NewSealer(key []byte) (*Sealer, error) {
	if len(key) != 32 {
		return nil, fmt.Errorf("storage: the secrets key must be 32 bytes, not %d", len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Sealer{aead: aead}, nil
}

// Seal encrypts plain under a fresh nonce; "" stays "".
func (s *Sealer) Seal(plain string) string {
	if plain == "" {
		return ""
	}
	nonce := make([]byte, s.aead.NonceSize(), s.aead.NonceSize()+len(plain)+s.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		panic("storage: no randomness for a nonce: " + err.Error())
	}
	return sealedPrefix + base64.RawStdEncoding.EncodeToString(s.aead.Seal(nonce, nonce, []byte(plain), nil))
}

// ErrSealed is a sealed secret that cannot be opened: another key, or a
// damaged value.
var ErrSealed = errors.New("storage: a sealed secret cannot be opened with this key")

// Open decrypts what Seal produced; a value without the sealed prefix is
// answered as it is.
func (s *Sealer) Open(v string) (string, error) {
	rest, ok := strings.CutPrefix(v, sealedPrefix)
	if !ok {
		return v, nil
	}
	raw, err := base64.RawStdEncoding.DecodeString(rest)
	if err != nil || len(raw) < s.aead.NonceSize() {
		return "", ErrSealed
	}
	plain, err := s.aead.Open(nil, raw[:s.aead.NonceSize()], raw[s.aead.NonceSize():], nil)
	if err != nil {
		return "", ErrSealed
	}
	return string(plain), nil
}

// OpenIn opens sealed values in place; an error names owner (the record
// they belong to).
func (s *Sealer) OpenIn(owner string, vs ...*string) error {
	for _, v := range vs {
		plain, err := s.Open(*v)
		if err != nil {
			return fmt.Errorf("storage: secret of %s: %w", owner, err)
		}
		*v = plain
	}
	return nil
}

// Sealed reports whether v was sealed (false: stored before sealing).
func Sealed(v string) bool { return v == "" || strings.HasPrefix(v, sealedPrefix) }

// SecretsKey is the key humd seals with: encoded (base64 of 32 bytes, from
// HUMD_SECRETS_KEY) when given, else the data directory's secrets.key,
// created with 32 random bytes (mode 0600) on first use.
func SecretsKey(dir, encoded string) ([]byte, error) {
	if encoded != "" {
		key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(encoded))
		if err != nil || len(key) != 32 {
			return nil, fmt.Errorf("storage: HUMD_SECRETS_KEY must be the base64 of 32 bytes (openssl rand -base64 32)")
		}
		return key, nil
	}
	path := filepath.Join(dir, SecretsKeyFile)
	key, err := os.ReadFile(path)
	if err == nil {
		if len(key) != 32 {
			return nil, fmt.Errorf("storage: %s holds %d bytes, not a 32-byte key", path, len(key))
		}
		return key, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	key = make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("storage: create %s: %w", path, err)
	}
	if _, err := f.Write(key); err != nil {
		_ = f.Close()
		return nil, err
	}
	if err := f.Sync(); err != nil {
		_ = f.Close()
		return nil, err
	}
	return key, f.Close()
}

// Reseal seals, in place, the members (default "secret") of every JSON
// record under prefix that were stored before sealing existed: a string
// member, or each value of an object member (Headers). It runs at start,
// so a store from an older humd keeps no credential in the clear for long;
// a record that is not a JSON object is left alone.
func Reseal(s Store, prefix []byte, members ...string) error {
	if len(members) == 0 {
		members = []string{"secret"}
	}
	b := s.NewBatch()
	err := s.Scan(prefix, ScanOptions{}, func(k, v []byte) (bool, error) {
		var rec map[string]json.RawMessage
		if json.Unmarshal(v, &rec) != nil {
			return true, nil
		}
		changed := false
		for _, m := range members {
			raw, ok := rec[m]
			if !ok {
				continue
			}
			sealed, err := reseal(s.Sealer(), raw)
			if err != nil {
				return false, err
			}
			if sealed != nil {
				rec[m], changed = sealed, true
			}
		}
		if !changed {
			return true, nil
		}
		out, err := json.Marshal(rec)
		if err != nil {
			return false, err
		}
		b.Set(k, out)
		return true, nil
	})
	if err != nil || b.Empty() {
		b.Discard()
		return err
	}
	return b.Commit(Sync)
}

// reseal answers raw (a JSON string, or an object of strings) with its
// clear values sealed, or nil when there was nothing to seal.
func reseal(sl *Sealer, raw json.RawMessage) (json.RawMessage, error) {
	var secret string
	if json.Unmarshal(raw, &secret) == nil {
		if Sealed(secret) {
			return nil, nil
		}
		return json.Marshal(sl.Seal(secret))
	}
	var m map[string]string
	if json.Unmarshal(raw, &m) != nil {
		return nil, nil
	}
	changed := false
	for k, v := range m {
		if !Sealed(v) {
			m[k], changed = sl.Seal(v), true
		}
	}
	if !changed {
		return nil, nil
	}
	return json.Marshal(m)
}
