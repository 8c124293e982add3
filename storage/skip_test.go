package storage_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/storagetest"
)

func deepObject(depth int) string {
	return strings.Repeat(`{"a":`, depth-1) + "{}" + strings.Repeat("}", depth-1)
}

// TestMaxJSONDepthReadsBack: an input at the limit, embedded in records
// many levels down, still decodes with both decoders humd uses.
func TestMaxJSONDepthReadsBack(t *testing.T) {
	raw := deepObject(storage.MaxJSONDepth)
	for range 20 {
		raw = `{"data":` + raw + `}`
	}
	var v map[string]any
	if err := storage.DecodeJSON([]byte(raw), &v); err != nil {
		t.Errorf("DecodeJSON of an input at the limit, 20 levels down: %v", err)
	}
	if err := json.Unmarshal([]byte(raw), &v); err != nil {
		t.Errorf("json.Unmarshal of an input at the limit, 20 levels down: %v", err)
	}
}

func TestUndecodable(t *testing.T) {
	var v struct{ A int }
	goccy := storage.DecodeJSON([]byte(`{"A":`), &v)
	goccyType := storage.DecodeJSON([]byte(`{"A":"x"}`), &v)
	goccyDeep := storage.DecodeJSON([]byte(`{"A":1,"b":`+deepObject(10001)+`}`), &v)
	std := json.Unmarshal([]byte(`{"A":`), &v)
	stdType := json.Unmarshal([]byte(`{"A":"x"}`), &v)
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{goccy, true}, {goccyType, true}, {goccyDeep, true}, {std, true}, {stdType, true},
		{fmt.Errorf("load x: %w", goccy), true},
		{fmt.Errorf("%w: bad data", storage.ErrUnreadable), true},
		{nil, false}, {storage.ErrNotFound, false}, {storage.ErrClosed, false}, {errors.New("disk on fire"), false},
	} {
		if got := storage.Undecodable(tc.err); got != tc.want {
			t.Errorf("Undecodable(%v) = %v; want %v", tc.err, got, tc.want)
		}
	}
}

// TestListPageSkipsUndecodable: a record that does not decode is left out
// of its page (which still fills up to the limit) and reported once per
// page that met it; any other error still ends the list.
func TestListPageSkipsUndecodable(t *testing.T) {
	s := storagetest.OpenMem(t)
	b := s.NewBatch()
	for i := range 5 {
		b.Set(storage.Key("rec", fmt.Sprint(i)), []byte(fmt.Sprintf(`{"n":%d}`, i)))
	}
	b.Set(storage.Key("rec", "1"), []byte(`{"n":`+deepObject(10001)+`}`))
	if err := b.Commit(storage.Sync); err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	skips := storage.NewSkips(reg, nil)
	type rec struct{ N int }
	decode := func(_, v []byte) (rec, bool, error) {
		var r rec
		err := storage.DecodeJSON(v, &r)
		return r, err == nil, err
	}
	var got []int
	cursor := ""
	for {
		items, next, err := storage.ListPage(s, storage.Prefix("rec"), storage.PageRequest{Limit: 2, Cursor: cursor, Skips: skips}, decode)
		if err != nil {
			t.Fatalf("ListPage = %v", err)
		}
		for _, it := range items {
			got = append(got, it.N)
		}
		if next == "" {
			break
		}
		cursor = next
	}
	if fmt.Sprint(got) != "[0 2 3 4]" {
		t.Errorf("pages listed %v; want [0 2 3 4]", got)
	}
	if n := counted(t, reg, "list", storage.SkipUndecodable); n != 1 {
		t.Errorf("skips counted = %v; want 1", n)
	}
	boom := errors.New("disk on fire")
	_, _, err := storage.ListPage(s, storage.Prefix("rec"), storage.PageRequest{Skips: skips}, func(_, _ []byte) (rec, bool, error) {
		return rec{}, false, boom
	})
	if !errors.Is(err, boom) {
		t.Errorf("ListPage with a failing keep = %v; want %v", err, boom)
	}
}

func counted(t *testing.T, reg *prometheus.Registry, consumer, reason string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != "humd_records_skipped_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if labels["consumer"] == consumer && labels["reason"] == reason {
				return m.GetCounter().GetValue()
			}
		}
	}
	return 0
}

// TestSkipsNilLogsOnly: a consumer built without a counter still skips.
func TestSkipsNilLogsOnly(t *testing.T) {
	var s *storage.Skips
	s.Skip("webhook", storage.SkipUndecodable, []byte("event/org/x"), errors.New("bad"))
}
