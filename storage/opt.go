package storage

import (
	"bytes"
	"encoding/json"
	"reflect"
)

// Opt is one field of a PATCH input: Set says the request named the field,
// Null that it named it as JSON null (clear it), V is the value otherwise.
// The wire decoder (transport) fills it; storage and the actors read it, so
// "absent", "null" and "a value" stay three cases without a raw body.
type Opt[T any] struct {
	Set  bool
	Null bool
	V    T
}

// Some is a set value, for callers that build a PATCH in Go.
func Some[T any](v T) Opt[T] { return Opt[T]{Set: true, V: v} }

// Value is V and whether a value (not absent, not null) was given.
func (o Opt[T]) Value() (T, bool) { return o.V, o.Set && !o.Null }

// UnmarshalJSON runs only for a key that is present.
func (o *Opt[T]) UnmarshalJSON(b []byte) error {
	o.Set = true
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		o.Null = true
		return nil
	}
	return json.Unmarshal(b, &o.V)
}

// MarshalJSON writes V, or null when absent or null.
func (o Opt[T]) MarshalJSON() ([]byte, error) {
	if !o.Set || o.Null {
		return []byte("null"), nil
	}
	return json.Marshal(o.V)
}

// OptElem tells the OpenAPI reflector (transport/httpapi) the type on the
// wire: a nullable T.
func (Opt[T]) OptElem() reflect.Type { return reflect.TypeFor[T]() }
