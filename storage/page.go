package storage

import (
	"bytes"
	"encoding/base64"
)

// Page limits from D-10: default 50, at most 200.
const (
	DefaultPageLimit = 50
	MaxPageLimit     = 200
)

// PageRequest is a cursor page of a list endpoint. Cursor is what the previous
// page answered as next_cursor ("" for the first page).
type PageRequest struct {
	Cursor  string
	Limit   int
	Reverse bool // newest first when keys sort by creation
	// Skips hears of records the page left out because they do not decode
	// (nil logs them to slog.Default).
	Skips *Skips
}

// ClampLimit applies the D-10 default and maximum.
func ClampLimit(n int) int {
	switch {
	case n <= 0:
		return DefaultPageLimit
	case n > MaxPageLimit:
		return MaxPageLimit
	}
	return n
}

// EncodeCursor turns the last key of a page into an opaque cursor.
func EncodeCursor(key []byte) string { return base64.RawURLEncoding.EncodeToString(key) }

// DecodeCursor reverses EncodeCursor and checks the key lies under prefix, so a
// cursor from one list (or one org) cannot be replayed against another.
func DecodeCursor(cursor string, prefix []byte) ([]byte, error) {
	if cursor == "" {
		return nil, nil
	}
	key, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil || !bytes.HasPrefix(key, prefix) {
		return nil, Invalid("cursor", "malformed or foreign cursor")
	}
	return key, nil
}

// ListPage scans one page of records under prefix. keep decodes a record and
// reports whether it belongs in the page (filters); records it skips do not
// count toward the limit. next is "" on the last page.
//
// A record keep cannot decode (Undecodable) is left out and reported to
// req.Skips, so one bad record never fails every page that holds it; any
// other error of keep ends the scan.
func ListPage[T any](s Store, prefix []byte, req PageRequest, keep func(key, value []byte) (T, bool, error)) (items []T, next string, err error) {
	after, err := DecodeCursor(req.Cursor, prefix)
	if err != nil {
		return nil, "", err
	}
	limit := ClampLimit(req.Limit)
	items = make([]T, 0, min(limit, 16))
	var last []byte
	more := false
	err = s.Scan(prefix, ScanOptions{After: after, Reverse: req.Reverse}, func(k, v []byte) (bool, error) {
		if len(items) == limit {
			more = true
			return false, nil
		}
		item, ok, err := keep(k, v)
		if Undecodable(err) {
			req.Skips.Skip("list", SkipUndecodable, k, err)
			return true, nil
		}
		if err != nil {
			return false, err
		}
		if ok {
			items = append(items, item)
			last = k
		}
		return true, nil
	})
	if err != nil {
		return nil, "", err
	}
	if more {
		next = EncodeCursor(last)
	}
	return items, next, nil
}
