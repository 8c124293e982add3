package calls

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/humd/humd/storage"
)

// Directions of a call.
const (
	Inbound  = "inbound"
	Outbound = "outbound"
)

// Statuses lists every call status, in lifecycle order.
var Statuses = []string{StatusQueued, StatusRinging, StatusInProgress, StatusCompleted, StatusBusy,
	StatusNoAnswer, StatusFailed, StatusCanceled, StatusVoicemail}

// Filter narrows List. Zero fields match everything.
type Filter struct {
	// Q matches, case-insensitively, the from and to numbers (also by digits
	// alone, so "317-555" finds +1317555...), the contact name and the
	// summary text.
	Q         string
	Direction string
	Status    string
	// From (inclusive) and To (exclusive) bound StartedAt.
	From, To time.Time
	// FlowID matches calls that started in the flow or passed through it.
	FlowID string
	// Name answers the current name of the org's contact at an E.164 (""
	// if none), so Q also finds a call by a name given after it: the call
	// keeps only the name its contact had when it started. Nil skips it.
	Name func(org, e164 string) string
}

func (f *Filter) match(c *Call) bool {
	switch {
	case f.Direction != "" && c.Direction != f.Direction,
		f.Status != "" && c.Status != f.Status,
		f.FlowID != "" && !c.handledBy(f.FlowID):
		return false
	}
	q := strings.ToLower(strings.TrimSpace(f.Q))
	if q == "" {
		return true
	}
	hay := strings.ToLower(c.From + " " + c.To + " " + c.ContactName)
	if c.Summary != nil {
		hay += " " + strings.ToLower(c.Summary.Text)
	}
	if strings.Contains(hay, q) {
		return true
	}
	if f.Name != nil {
		if n := f.Name(c.OrgID, c.Other()); n != "" && strings.Contains(strings.ToLower(n), q) {
			return true
		}
	}
	if d := phoneDigits(q); len(d) >= 3 {
		return strings.Contains(phoneDigits(c.From), d) || strings.Contains(phoneDigits(c.To), d)
	}
	return false
}

// handledBy reports whether the call started in flow or was switched to it.
func (c *Call) handledBy(flow string) bool {
	return c.FlowID == flow || slices.Contains(c.FlowPath, flow)
}

// phoneDigits answers the digits of s when s looks like a phone number (only
// digits, spaces and + - ( ) .), else "".
func phoneDigits(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case strings.ContainsRune(" +-().", r):
		default:
			return ""
		}
	}
	return b.String()
}

// recentAt decodes a call-recent key into the start time and call id.
func recentAt(prefix, key []byte) (time.Time, string, bool) {
	rest := key[len(prefix):]
	if len(rest) < 10 || rest[8] != '/' {
		return time.Time{}, "", false
	}
	inv, _ := storage.DecodeU64(rest[:8])
	return time.Unix(0, int64(math.MaxUint64-inv)).UTC(), string(rest[9:]), true
}

// recentSeek is the key just after every call-recent entry started at or
// after t, so a scan after it starts with the calls older than t.
func recentSeek(org string, t time.Time) []byte {
	k := append(PrefixRecent(org), storage.U64(math.MaxUint64-uint64(t.UnixNano()))...)
	return append(k, 0xff)
}

// scanRecent visits the org's calls newest first, starting after the key
// after (nil for the newest) and stopping before calls older than from. fn
// answers false to stop. An index entry whose record is gone is skipped.
func scanRecent(s storage.Store, org string, after []byte, from time.Time, fn func(key []byte, c *Call) (bool, error)) error {
	prefix := PrefixRecent(org)
	return s.Scan(prefix, storage.ScanOptions{After: after}, func(k, _ []byte) (bool, error) {
		at, id, ok := recentAt(prefix, k)
		if !ok {
			return true, nil
		}
		if !from.IsZero() && at.Before(from) {
			return false, nil
		}
		c, err := Get(s, org, id)
		if errors.Is(err, storage.ErrNotFound) {
			return true, nil
		}
		if err != nil {
			return false, err
		}
		return fn(k, c)
	})
}

// List pages the org's calls newest first (by start time). Records the
// filter skips do not count toward the page limit; the time bounds also
// narrow the scan itself.
func List(s storage.Store, org string, f Filter, page storage.PageRequest) ([]*Call, string, error) {
	after, err := storage.DecodeCursor(page.Cursor, PrefixRecent(org))
	if err != nil {
		return nil, "", err
	}
	if !f.To.IsZero() {
		if seek := recentSeek(org, f.To); after == nil || bytes.Compare(seek, after) > 0 {
			after = seek
		}
	}
	limit := storage.ClampLimit(page.Limit)
	out := make([]*Call, 0, min(limit, 16))
	var last []byte
	more := false
	err = scanRecent(s, org, after, f.From, func(k []byte, c *Call) (bool, error) {
		if len(out) == limit {
			more = true
			return false, nil
		}
		if f.match(c) {
			out = append(out, normalize(c))
			last = k
		}
		return true, nil
	})
	if err != nil {
		return nil, "", fmt.Errorf("calls: list: %w", err)
	}
	if more {
		return out, storage.EncodeCursor(last), nil
	}
	return out, "", nil
}

// normalize makes lists answer [] rather than null.
func normalize(c *Call) *Call {
	if c.Tags == nil {
		c.Tags = []string{}
	}
	return c
}
