package coreapi

import (
	"errors"
	"testing"
	"time"

	"github.com/humd/humd/storage"
)

// TestKeyExpiry: an expires_at that is no RFC 3339 time (or no string) is
// refused on expires_at, with the body's other problems; null is no expiry.
// The domain's half (a time in the past) is storage/tenancy's TestKeyExpiry.
func TestKeyExpiry(t *testing.T) {
	r, admin := newRepo(t)
	for _, body := range []string{
		`{"name":"x","role":"viewer","expires_at":"tomorrow"}`,
		`{"name":"x","role":"viewer","expires_at":"2026-12-01"}`,
		`{"name":"x","role":"viewer","expires_at":1}`,
	} {
		in, err := decodeKey([]byte(body))
		if err == nil {
			_, err = r.CreateKey(admin, in)
		}
		if !wantField(err, "expires_at") {
			t.Errorf("%s: %v; want a validation error on expires_at", body, err)
		}
	}
	in, err := decodeKey([]byte(`{"name":"","role":"viewer","expires_at":"tomorrow"}`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.CreateKey(admin, in); !wantField(err, "expires_at") || !wantField(err, "name") {
		t.Errorf("a bad time and an empty name: %v; want both named", err)
	}
	in, err = decodeKey([]byte(`{"name":"x","role":"viewer","expires_at":"2099-11-25T17:00:00+01:00"}`))
	if err != nil || in.ExpiresAt == nil || !in.ExpiresAt.Equal(time.Date(2099, 11, 25, 16, 0, 0, 0, time.UTC)) {
		t.Errorf("decodeKey = %+v, %v; want the time", in, err)
	}
	if in, err := decodeKey([]byte(`{"name":"x","role":"viewer","expires_at":null}`)); err != nil || in.ExpiresAt != nil || in.Problems != nil {
		t.Errorf("expires_at null = %+v, %v; want no expiry", in, err)
	}
}

// TestKeyScopes: scopes that are not a list are refused on scopes (the
// vocabulary is storage/tenancy's TestKeyScopes).
func TestKeyScopes(t *testing.T) {
	if _, err := decodeKey([]byte(`{"name":"x","role":"viewer","scopes":"sms:read"}`)); !wantField(err, "scopes") {
		t.Errorf("scopes as a string: %v; want a validation error on scopes", err)
	}
}

func wantField(err error, field string) bool {
	var ve *storage.ValidationError
	return errors.As(err, &ve) && ve.Fields[field] != ""
}
