package storage

import (
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSealerRoundTrip(t *testing.T) {
	key := []byte(strings.Repeat("k", 32))
	s, err := NewSealer(key)
	if err != nil {
		t.Fatal(err)
	}
	a, b := s.Seal("tok-123"), s.Seal("tok-123")
	if a == b || !strings.HasPrefix(a, sealedPrefix) || strings.Contains(a, "tok-123") {
		t.Fatalf("sealed %q and %q; want two different ciphertexts without the secret", a, b)
	}
	if got, err := s.Open(a); err != nil || got != "tok-123" {
		t.Errorf("Open = %q, %v", got, err)
	}
	if s.Seal("") != "" {
		t.Error("an empty secret should stay empty")
	}
	if got, err := s.Open("legacy-plain"); err != nil || got != "legacy-plain" || Sealed("legacy-plain") {
		t.Errorf("a secret stored before sealing = %q, %v; want it as it is, and not reported sealed", got, err)
	}
	other, _ := NewSealer([]byte(strings.Repeat("x", 32)))
	if _, err := other.Open(a); !errors.Is(err, ErrSealed) {
		t.Errorf("open with another key: %v; want ErrSealed", err)
	}
	tampered := a[:len(a)-2] + "AA"
	if _, err := s.Open(tampered); !errors.Is(err, ErrSealed) {
		t.Errorf("open a damaged value: %v; want ErrSealed", err)
	}
	if _, err := NewSealer([]byte("short")); err == nil {
		t.Error("a short key was accepted")
	}
}

func TestSecretsKeyFileAndEnv(t *testing.T) {
	dir := t.TempDir()
	k1, err := SecretsKey(dir, "")
	if err != nil || len(k1) != 32 {
		t.Fatalf("new key = %d bytes, %v", len(k1), err)
	}
	fi, err := os.Stat(filepath.Join(dir, SecretsKeyFile))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file %v, %v; want mode 0600", fi, err)
	}
	if k2, err := SecretsKey(dir, ""); err != nil || string(k2) != string(k1) {
		t.Errorf("second read gave another key (%v)", err)
	}
	env := base64.StdEncoding.EncodeToString([]byte(strings.Repeat("e", 32)))
	if k, err := SecretsKey(dir, env); err != nil || string(k) != strings.Repeat("e", 32) {
		t.Errorf("HUMD_SECRETS_KEY = %q, %v", k, err)
	}
	if _, err := SecretsKey(dir, "bm90IDMyIGJ5dGVz"); err == nil {
		t.Error("a key that is not 32 bytes was accepted")
	}
}

// TestResealSealsOldSecrets: records written before sealing get their
// secret sealed in place; sealed and secretless ones are left alone.
func TestResealSealsOldSecrets(t *testing.T) {
	p, err := Open(t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	b := p.NewBatch()
	b.Set([]byte("tool/a"), []byte(`{"id":"a","secret":"plain-token"}`))
	b.Set([]byte("tool/b"), []byte(`{"id":"b"}`))
	sealed := p.Sealer().Seal("other")
	b.Set([]byte("tool/c"), []byte(`{"id":"c","secret":"`+sealed+`"}`))
	if err := b.Commit(Sync); err != nil {
		t.Fatal(err)
	}
	if err := Reseal(p, []byte("tool/")); err != nil {
		t.Fatal(err)
	}
	a, _ := p.Get([]byte("tool/a"))
	if strings.Contains(string(a), "plain-token") || !strings.Contains(string(a), sealedPrefix) {
		t.Errorf("tool a after reseal = %s", a)
	}
	var rec struct{ Secret string }
	if err := DecodeJSON(a, &rec); err != nil {
		t.Fatal(err)
	}
	if got, err := p.Sealer().Open(rec.Secret); err != nil || got != "plain-token" {
		t.Errorf("resealed secret opens to %q, %v", got, err)
	}
	if c, _ := p.Get([]byte("tool/c")); !strings.Contains(string(c), sealed) {
		t.Errorf("an already sealed secret was rewritten: %s", c)
	}
	if bb, _ := p.Get([]byte("tool/b")); string(bb) != `{"id":"b"}` {
		t.Errorf("a record without a secret was rewritten: %s", bb)
	}

	// Named members, and a record that is not JSON (left alone).
	b = p.NewBatch()
	b.Set([]byte("hook/a"), []byte(`{"secret":"s1","prev_secret":"s0"}`))
	b.Set([]byte("hook/z"), []byte{0, 1, 2})
	if err := b.Commit(Sync); err != nil {
		t.Fatal(err)
	}
	if err := Reseal(p, []byte("hook/"), "secret", "prev_secret"); err != nil {
		t.Fatal(err)
	}
	h, _ := p.Get([]byte("hook/a"))
	if strings.Contains(string(h), `"s1"`) || strings.Contains(string(h), `"s0"`) {
		t.Errorf("hook after reseal = %s; want both secrets sealed", h)
	}
	if z, _ := p.Get([]byte("hook/z")); string(z) != "\x00\x01\x02" {
		t.Errorf("a record that is not JSON was rewritten: %q", z)
	}
}
