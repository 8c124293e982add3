package retention

import (
	"bytes"
	"time"

	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/events"
	"github.com/humd/humd/storage/sms"
	"github.com/humd/humd/storage/webhooks"
)

// The families retention deletes from, by the names reports and metrics use.
const (
	FamilyEvents     = "events"
	FamilyDeliveries = "webhook_deliveries"
	FamilyRuns       = "ai_runs"
	FamilySandbox    = "sandbox"
)

// Keep is how long each family's records are kept.
type Keep struct {
	Events, Deliveries, Runs, Sandbox time.Duration
}

// Default retentions (README and docs/configuration.md state them).
var DefaultKeep = Keep{Events: 30 * 24 * time.Hour, Deliveries: 30 * 24 * time.Hour, Runs: 90 * 24 * time.Hour,
	Sandbox: 7 * 24 * time.Hour}

func (k *Keep) defaults() {
	for _, f := range []struct{ v, def *time.Duration }{{&k.Events, &DefaultKeep.Events}, {&k.Deliveries, &DefaultKeep.Deliveries},
		{&k.Runs, &DefaultKeep.Runs}, {&k.Sandbox, &DefaultKeep.Sandbox}} {
		if *f.v <= 0 {
			*f.v = *f.def
		}
	}
}

// Of answers the retention of a family by name.
func (k Keep) Of(family string) time.Duration {
	switch family {
	case FamilyEvents:
		return k.Events
	case FamilyDeliveries:
		return k.Deliveries
	case FamilyRuns:
		return k.Runs
	case FamilySandbox:
		return k.Sandbox
	}
	return 0
}

// family is one of the stored families: its key root, how many segments
// name a group whose keys sort by time, and when a stored record was made.
type family struct {
	name  string
	root  []byte
	depth int
	at    func(v []byte) (time.Time, bool)
}

// families are the stored ones, in the order a pass takes them.
var families = []family{
	{FamilyEvents, storage.Prefix("event"), 2, events.CreatedAt},
	{FamilyDeliveries, webhooks.PrefixAllDeliveries(), 3, func(v []byte) (time.Time, bool) {
		at, _, ok := webhooks.DeliveryTime(v)
		return at, ok
	}},
	{FamilyRuns, sms.PrefixAllRuns(), 3, sms.RunTime},
}

// Roots answers each stored family's key root ("event/", ...), by name.
func Roots() map[string][]byte {
	out := map[string][]byte{}
	for _, f := range families {
		out[f.name] = f.root
	}
	return out
}

// groupOf cuts key to its first depth segments, trailing '/' included:
// event/<org>/, airun/<org>/<conversation>/. Ids hold no '/'.
func groupOf(key []byte, depth int) []byte {
	i := 0
	for range depth {
		j := bytes.IndexByte(key[i:], '/')
		if j < 0 {
			return nil
		}
		i += j + 1
	}
	return key[:i]
}

// segment answers the n-th segment (from 0) of a group prefix.
func segment(group []byte, n int) string {
	parts := bytes.Split(bytes.TrimSuffix(group, []byte("/")), []byte("/"))
	if n >= len(parts) {
		return ""
	}
	return string(parts[n])
}

// nextGroup answers the first group of f with a key after after (nil:
// from the start), or nil when there is none.
func nextGroup(st storage.Store, f *family, after []byte) ([]byte, error) {
	var g []byte
	err := st.Scan(f.root, storage.ScanOptions{After: after, Limit: 1}, func(k, _ []byte) (bool, error) {
		g = groupOf(k, f.depth)
		return false, nil
	})
	return g, err
}

// Extent is what a stored family holds now.
type Extent struct {
	// Records counts its keys, up to the cap Extents was given.
	Records int
	// Capped says Records stopped at the cap.
	Capped bool
	// Oldest and Newest are the times of its oldest and newest records
	// (zero when it is empty); Partial says only the first groups were read.
	Oldest, Newest time.Time
	Partial        bool
}

// Extents reads each stored family: its records (counted up to maxRecords)
// and its oldest and newest record times, from the first and last record
// of each of its first maxGroups groups (keys sort by time within a
// group). It only reads.
func Extents(st storage.Store, maxRecords, maxGroups int) (map[string]Extent, error) {
	out := map[string]Extent{}
	for i := range families {
		f := &families[i]
		var e Extent
		err := st.Scan(f.root, storage.ScanOptions{Limit: maxRecords + 1}, func(_, _ []byte) (bool, error) {
			e.Records++
			return true, nil
		})
		if err != nil {
			return nil, err
		}
		if e.Records > maxRecords {
			e.Records, e.Capped = maxRecords, true
		}
		var after []byte
		for n := 0; ; n++ {
			g, err := nextGroup(st, f, after)
			if err != nil {
				return nil, err
			}
			if g == nil {
				break
			}
			if n == maxGroups {
				e.Partial = true
				break
			}
			for _, reverse := range []bool{false, true} {
				err := st.Scan(g, storage.ScanOptions{Reverse: reverse, Limit: 1}, func(_, v []byte) (bool, error) {
					if at, ok := f.at(v); ok {
						if e.Oldest.IsZero() || at.Before(e.Oldest) {
							e.Oldest = at
						}
						if at.After(e.Newest) {
							e.Newest = at
						}
					}
					return false, nil
				})
				if err != nil {
					return nil, err
				}
			}
			after = storage.PrefixEnd(g)
		}
		out[f.name] = e
	}
	return out, nil
}
