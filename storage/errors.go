package storage

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Sentinel errors shared by every layer. The HTTP edge maps each to one status
// and API code (transport/httpapi/errors.go); everything else wraps them with %w.
var (
	ErrNotFound     = errors.New("storage: not found")
	ErrConflict     = errors.New("conflict")
	ErrInvalid      = errors.New("invalid input")
	ErrForbidden    = errors.New("forbidden")
	ErrUnauthorized = errors.New("unauthorized")
	ErrGone         = errors.New("gone")
	ErrRateLimited  = errors.New("rate limited")
	ErrClosed       = errors.New("storage: closed")
)

// ValidationError is a 422: which fields are wrong and why. It matches ErrInvalid.
type ValidationError struct {
	Fields map[string]string
}

// Invalid builds a ValidationError for one field.
func Invalid(field, msg string) *ValidationError {
	return &ValidationError{Fields: map[string]string{field: msg}}
}

// Add records a problem with field (the first problem per field wins).
func (e *ValidationError) Add(field, msg string) {
	if e.Fields == nil {
		e.Fields = map[string]string{}
	}
	if _, ok := e.Fields[field]; !ok {
		e.Fields[field] = msg
	}
}

// Addf is Add with formatting.
func (e *ValidationError) Addf(field, format string, args ...any) {
	e.Add(field, fmt.Sprintf(format, args...))
}

// Err returns e if it holds any problem, else nil, so validators can end with `return v.Err()`.
func (e *ValidationError) Err() error {
	if e == nil || len(e.Fields) == 0 {
		return nil
	}
	return e
}

func (e *ValidationError) Error() string {
	keys := make([]string, 0, len(e.Fields))
	for k := range e.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, k+": "+e.Fields[k])
	}
	return "invalid input: " + strings.Join(parts, "; ")
}

// Is makes errors.Is(err, ErrInvalid) true.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalid }

// ConflictError is a 409 with a stable code (for example "last_admin").
type ConflictError struct {
	Code    string
	Message string
}

func (e *ConflictError) Error() string { return e.Message }

// Is makes errors.Is(err, ErrConflict) true.
func (e *ConflictError) Is(target error) bool { return target == ErrConflict }

// Conflict builds a ConflictError.
func Conflict(code, msg string) error { return &ConflictError{Code: code, Message: msg} }
