package storage

import (
	"bytes"
	"context"
	"fmt"
	"time"
)

// Spans is a Store that also works on key spans as wholes: what retention
// needs to drop old records cheaply and give their disk back, and what the
// storage report measures. The Pebble store is one.
type Spans interface {
	Store
	// Compact compacts [start, end) so that range deletes there give their
	// space back instead of waiting for Pebble to reach the span.
	Compact(start, end []byte) error
	// DiskUsage estimates the bytes [start, end) takes in sstables on disk
	// (writes still in the memtable count nothing).
	DiskUsage(start, end []byte) (uint64, error)
}

var _ Spans = (*Pebble)(nil)

// DeleteRange removes every key in [start, end) with one range tombstone,
// however many keys the span holds. A span that reaches into the read
// cache's families is refused (the batch fails at Commit): the cache drops
// the keys a batch names, and a range names none.
func (b *Batch) DeleteRange(start, end []byte) {
	if b.err != nil {
		return
	}
	if b.p != nil && b.p.cache != nil {
		for _, p := range b.p.cache.prefixes {
			if bytes.Compare(start, PrefixEnd(p)) < 0 && bytes.Compare(p, end) < 0 {
				b.err = fmt.Errorf("storage: delete range %q..%q reaches the cached family %q", start, end, p)
				return
			}
		}
	}
	b.err = b.b.DeleteRange(start, end, nil)
}

// Compact implements Spans.
func (p *Pebble) Compact(start, end []byte) error {
	if !p.enter() {
		return ErrClosed
	}
	defer p.exit()
	if err := p.db.Compact(context.Background(), start, end, false); err != nil {
		return fmt.Errorf("storage: compact %q..%q: %w", start, end, err)
	}
	return nil
}

// DiskUsage implements Spans.
func (p *Pebble) DiskUsage(start, end []byte) (uint64, error) {
	if !p.enter() {
		return 0, ErrClosed
	}
	defer p.exit()
	n, err := p.db.EstimateDiskUsage(start, end)
	if err != nil {
		return 0, fmt.Errorf("storage: disk usage %q..%q: %w", start, end, err)
	}
	return n, nil
}

// Verdict is what DeleteHead makes of one record.
type Verdict int

const (
	// Expired records are deleted.
	Expired Verdict = iota
	// Unknown records (one that does not decode) are deleted only with an
	// expired record after them: keys sort by time, so such a record is
	// older than that one.
	Unknown
	// Keep stops the walk: this record and every later one stay.
	Keep
)

// AgeVerdict is the verdict on a record stamped at (ok false: it did not
// decode) for a retention that deletes what is older than cutoff.
func AgeVerdict(cutoff, at time.Time, ok bool) Verdict {
	switch {
	case !ok:
		return Unknown
	case at.Before(cutoff):
		return Expired
	}
	return Keep
}

// DeleteHead deletes the expired head of prefix: the keys from its start
// up to the last one before the first Keep (or the limit-th key) that
// verdict calls Expired, with one range delete committed with Sync. It
// suits a family whose keys under prefix sort by the time their records
// were made. It answers how many keys went and the span they were in
// (nil when none went), for compaction.
func DeleteHead(s Store, prefix []byte, limit int, verdict func(key, value []byte) Verdict) (int, []byte, error) {
	n, seen := 0, 0
	var last []byte
	err := s.Scan(prefix, ScanOptions{Limit: limit}, func(k, v []byte) (bool, error) {
		switch verdict(k, v) {
		case Keep:
			return false, nil
		case Expired:
			seen++
			n, last = seen, k
		default:
			seen++
		}
		return true, nil
	})
	if err != nil || last == nil {
		return 0, nil, err
	}
	end := append(last, 0) // the smallest key after last
	b := s.NewBatch()
	b.DeleteRange(prefix, end)
	if err := b.Commit(Sync); err != nil {
		return 0, nil, err
	}
	return n, end, nil
}
