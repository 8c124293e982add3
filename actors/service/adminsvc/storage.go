package adminsvc

import (
	"bytes"
	"context"
	"time"

	"github.com/humd/humd/actors/retention"
	"github.com/humd/humd/actors/service/svcbase"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/tenancy"
)

// The storage report of GET /api/admin/storage: what the data directory
// holds by key family (storage/keys.go), and what retention deletes and
// when it runs next. It only reads.

// StorageReport answers GetStorage.
type StorageReport struct {
	// Families are the key families present, in key order, and the sandbox
	// carrier's in-memory record when humd runs the sandbox.
	Families  []StorageFamily  `json:"families"`
	Retention StorageRetention `json:"retention"`
}

// StorageFamily is one key family.
type StorageFamily struct {
	// Family is the key family ("event/", "msg/"), or "sandbox" for the
	// sandbox carrier's record, which lives in memory.
	Family string `json:"family"`
	// Name is retention's name of the family (events, webhook_deliveries,
	// ai_runs, sandbox); empty for a family retention does not touch.
	Name string `json:"name,omitempty"`
	// Bytes estimates the family's size in Pebble's files on disk; what
	// is still in the memtable counts nothing until it is flushed.
	Bytes uint64 `json:"bytes"`
	// Records counts the family's keys, up to RecordsCap.
	Records       int  `json:"records"`
	RecordsCapped bool `json:"records_capped"`
	// RetentionSeconds is how long retention keeps the family's records.
	RetentionSeconds int64 `json:"retention_seconds,omitempty"`
	// Oldest and Newest are the times of its oldest and newest records
	// (retention's families only; null when it holds none). Partial says
	// they were read from the first groups (orgs, endpoints, threads) only.
	Oldest  *time.Time `json:"oldest"`
	Newest  *time.Time `json:"newest"`
	Partial bool       `json:"partial,omitempty"`
	// DeletedLastRun is what the last retention pass deleted of it.
	DeletedLastRun int `json:"deleted_last_run,omitempty"`
}

// StorageRetention is retention's schedule.
type StorageRetention struct {
	EverySeconds int64 `json:"every_seconds"`
	// Batch bounds what one pass deletes of each family.
	Batch   int  `json:"batch"`
	Running bool `json:"running"`
	// LastRunAt is when the last pass ended (null before the first);
	// LastRunDone is false when it left work for the next pass.
	LastRunAt   *time.Time `json:"last_run_at"`
	LastRunDone bool       `json:"last_run_done"`
	// NextRunAt is the next cleanup.
	NextRunAt *time.Time `json:"next_run_at"`
}

// Bounds of one storage report's reads.
const (
	RecordsCap   = 100000
	extentGroups = 10000
)

// GetStorage reports the data directory's families and retention, for a
// site administrator.
func (s *Admin) GetStorage(ctx context.Context, p *tenancy.Principal) (*StorageReport, error) {
	if err := svcbase.NeedSiteAdmin(p); err != nil {
		return nil, err
	}
	out := &StorageReport{Families: []StorageFamily{}}
	names := map[string]string{}
	for name, root := range retention.Roots() {
		names[string(root)] = name
	}
	ext, err := retention.Extents(s.d.Store, RecordsCap, extentGroups)
	if err != nil {
		return nil, err
	}
	var st *retention.Status
	if s.d.Retention != nil {
		if st, err = s.d.Retention.Status(); err != nil {
			return nil, err
		}
	}
	err = topFamilies(s.d.Store, func(fam []byte) error {
		f := StorageFamily{Family: string(fam), Name: names[string(fam)]}
		if sp, ok := s.d.Store.(storage.Spans); ok {
			end := storage.PrefixEnd(fam)
			if fam[len(fam)-1] != '/' {
				end = append(bytes.Clone(fam), 0) // a family of one key
			}
			if f.Bytes, err = sp.DiskUsage(fam, end); err != nil {
				return err
			}
		}
		if e, ok := ext[f.Name]; ok {
			f.Records, f.RecordsCapped, f.Partial = e.Records, e.Capped, e.Partial
			f.Oldest, f.Newest = timeOrNil(e.Oldest), timeOrNil(e.Newest)
		} else if f.Records, f.RecordsCapped, err = countKeys(s.d.Store, fam); err != nil {
			return err
		}
		out.Families = append(out.Families, f)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if s.d.Retention != nil {
		if sb := s.d.Retention.Sandbox(); sb != nil {
			n, oldest, newest := sb.Extent()
			out.Families = append(out.Families, StorageFamily{Family: "sandbox", Name: retention.FamilySandbox, Records: n,
				Oldest: timeOrNil(oldest), Newest: timeOrNil(newest)})
		}
	}
	if st != nil {
		for i := range out.Families {
			f := &out.Families[i]
			if f.Name == "" {
				continue
			}
			f.RetentionSeconds = int64(st.Keep.Of(f.Name) / time.Second)
			if st.Last != nil {
				f.DeletedLastRun = st.Last.Deleted[f.Name]
			}
		}
		out.Retention = StorageRetention{EverySeconds: int64(st.Every / time.Second), Batch: st.Batch, Running: st.Running,
			NextRunAt: timeOrNil(st.NextRunAt)}
		if st.Last != nil {
			out.Retention.LastRunAt, out.Retention.LastRunDone = timeOrNil(st.Last.EndedAt), st.Last.Done
		}
	}
	return out, nil
}

// topFamilies visits the first segment ("event/", "call-open-ready") of
// the store's keys, each once, in key order: one seek per family.
func topFamilies(st storage.Store, fn func(fam []byte) error) error {
	var after []byte
	for {
		var fam []byte
		err := st.Scan(nil, storage.ScanOptions{After: after, Limit: 1}, func(k, _ []byte) (bool, error) {
			if i := bytes.IndexByte(k, '/'); i >= 0 {
				fam = k[:i+1]
			} else {
				fam = k
			}
			return false, nil
		})
		if err != nil || fam == nil {
			return err
		}
		if err := fn(fam); err != nil {
			return err
		}
		after = fam
		if fam[len(fam)-1] == '/' {
			after = storage.PrefixEnd(fam)
		}
	}
}

func countKeys(st storage.Store, fam []byte) (int, bool, error) {
	n := 0
	prefix := fam
	err := st.Scan(prefix, storage.ScanOptions{Limit: RecordsCap + 1}, func(k, _ []byte) (bool, error) {
		if fam[len(fam)-1] != '/' && !bytes.Equal(k, fam) {
			return false, nil
		}
		n++
		return true, nil
	})
	if n > RecordsCap {
		return RecordsCap, true, err
	}
	return n, false, err
}

func timeOrNil(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	t = t.UTC()
	return &t
}
