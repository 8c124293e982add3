package hours

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/humd/humd/storage"
)

const nyWeekdays = `{"timezone":"America/New_York","weekly":{"mon":[["08:00","17:00"]],"tue":[["08:00","17:00"]],"wed":[["08:00","12:00"],["13:00","17:00"]],"thu":[["08:00","17:00"]],"fri":[["08:00","17:00"]],"sun":[["02:00","03:00"]]},"closed_dates":["2026-12-25"]}`

func TestParseRejects(t *testing.T) {
	cases := map[string]string{
		`{"timezone":"Mars/Olympus","weekly":{}}`: "business_hours_json.timezone",
		`{"weekly":{}}`: "business_hours_json.timezone",
		`{"timezone":"UTC","weekly":{"mon":[["8:00","17:00"]]}}`:                    "business_hours_json.weekly.mon[0]",
		`{"timezone":"UTC","weekly":{"mon":[["17:00","08:00"]]}}`:                   "business_hours_json.weekly.mon[0]",
		`{"timezone":"UTC","weekly":{"mon":[["08:00","08:00"]]}}`:                   "business_hours_json.weekly.mon[0]",
		`{"timezone":"UTC","weekly":{"mon":[["08:00","25:00"]]}}`:                   "business_hours_json.weekly.mon[0]",
		`{"timezone":"UTC","weekly":{"mon":[["24:00","24:00"]]}}`:                   "business_hours_json.weekly.mon[0]",
		`{"timezone":"UTC","weekly":{"mon":[["08:00","17:60"]]}}`:                   "business_hours_json.weekly.mon[0]",
		`{"timezone":"UTC","weekly":{"mon":[["08:00"]]}}`:                           "business_hours_json.weekly.mon[0]",
		`{"timezone":"UTC","weekly":{"mon":[["08:00","12:00"],["11:00","13:00"]]}}`: "business_hours_json.weekly.mon",
		`{"timezone":"UTC","weekly":{"monday":[]}}`:                                 "business_hours_json.weekly.monday",
		`{"timezone":"UTC","weekly":{},"closed_dates":["2026-13-01"]}`:              "business_hours_json.closed_dates[0]",
		`{"timezone":"UTC","weekly":{},"extra":1}`:                                  "business_hours_json",
		`[1,2]`:    "business_hours_json",
		`"always"`: "business_hours_json",
	}
	for raw, field := range cases {
		_, err := Parse(json.RawMessage(raw))
		var ve *storage.ValidationError
		if !errors.As(err, &ve) {
			t.Errorf("Parse(%s) = %v; want a validation error", raw, err)
			continue
		}
		if _, ok := ve.Fields[field]; !ok {
			t.Errorf("Parse(%s) flagged %v; want field %s", raw, ve.Fields, field)
		}
	}
}

func TestParseAccepts(t *testing.T) {
	for _, raw := range []string{`null`, ``, nyWeekdays, `{"timezone":"UTC","weekly":{"sat":[["00:00","24:00"]]}}`, `{"timezone":"Asia/Kolkata","weekly":{}}`} {
		if _, err := Parse(json.RawMessage(raw)); err != nil {
			t.Errorf("Parse(%s) = %v; want ok", raw, err)
		}
	}
	if bh, _ := Parse(json.RawMessage("null")); bh != nil || !bh.IsOpen(time.Now()) {
		t.Errorf("null hours must be nil and always open")
	}
}

func mustParse(t *testing.T, raw string) *BusinessHours {
	t.Helper()
	bh, err := Parse(json.RawMessage(raw))
	if err != nil {
		t.Fatal(err)
	}
	return bh
}

func TestIsOpenAndNextOpen(t *testing.T) {
	bh := mustParse(t, nyWeekdays)
	ny, _ := time.LoadLocation("America/New_York")
	at := func(s string) time.Time {
		tm, err := time.ParseInLocation("2006-01-02 15:04", s, ny)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	cases := []struct {
		now, next string
		open      bool
	}{
		{"2026-11-25 09:00", "2026-11-25 09:00", true},  // Wednesday morning
		{"2026-11-25 12:30", "2026-11-25 13:00", false}, // lunch gap
		{"2026-11-25 17:00", "2026-11-26 08:00", false}, // close is exclusive
		{"2026-11-27 18:00", "2026-11-29 02:00", false}, // Friday evening -> Sunday 02:00
		{"2026-12-24 17:30", "2026-12-27 02:00", false}, // Christmas is closed; Sat closed; Sun 02:00
		{"2026-11-28 10:00", "2026-11-29 02:00", false}, // Saturday
		{"2026-11-25 07:59", "2026-11-25 08:00", false},
	}
	for _, c := range cases {
		now := at(c.now)
		if got := bh.IsOpen(now); got != c.open {
			t.Errorf("IsOpen(%s) = %v; want %v", c.now, got, c.open)
		}
		want := at(c.next)
		if got := bh.NextOpen(now); !got.Equal(want) {
			t.Errorf("NextOpen(%s) = %s; want %s", c.now, got.In(ny), want)
		}
	}
}

func TestDaylightSaving(t *testing.T) {
	bh := mustParse(t, nyWeekdays)
	ny, _ := time.LoadLocation("America/New_York")
	// 2026-03-08 is a Sunday: 02:00-03:00 does not exist in New York that day.
	sat := time.Date(2026, 3, 7, 12, 0, 0, 0, ny)
	next := bh.NextOpen(sat)
	if next.After(time.Date(2026, 3, 9, 8, 0, 0, 0, ny)) || next.Before(sat) {
		t.Errorf("NextOpen across spring-forward = %s", next.In(ny))
	}
	// Monday after the change opens at 08:00 EDT = 12:00 UTC (not 13:00).
	mon := bh.NextOpen(time.Date(2026, 3, 8, 18, 0, 0, 0, ny))
	if !mon.Equal(time.Date(2026, 3, 9, 12, 0, 0, 0, time.UTC)) {
		t.Errorf("Monday after spring-forward opens %s; want 12:00 UTC", mon.UTC())
	}
	// Fall back: 2026-11-01 (Sunday) has 01:00-02:00 twice; 02:00 local exists once.
	sun := bh.NextOpen(time.Date(2026, 10, 31, 20, 0, 0, 0, ny))
	if !sun.Equal(time.Date(2026, 11, 1, 7, 0, 0, 0, time.UTC)) {
		t.Errorf("Sunday 02:00 EST after fall-back = %s; want 07:00 UTC", sun.UTC())
	}
	// Monday 2026-11-02 08:00 EST = 13:00 UTC.
	if got := bh.NextOpen(time.Date(2026, 11, 1, 12, 0, 0, 0, ny)); !got.Equal(time.Date(2026, 11, 2, 13, 0, 0, 0, time.UTC)) {
		t.Errorf("Monday after fall-back opens %s; want 13:00 UTC", got.UTC())
	}
}

func TestNeverOpen(t *testing.T) {
	bh := mustParse(t, `{"timezone":"UTC","weekly":{}}`)
	if got := bh.NextOpen(time.Now()); !got.IsZero() {
		t.Errorf("NextOpen of an always-closed schedule = %v; want zero", got)
	}
}

func FuzzParseHours(f *testing.F) {
	for _, s := range []string{nyWeekdays, `null`, `{}`, `{"timezone":"UTC","weekly":{"mon":[["08:00","24:00"]]}}`, `{"weekly":{"mon":[[]]}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		bh, err := Parse(raw)
		if err != nil {
			if !errors.Is(err, storage.ErrInvalid) {
				t.Fatalf("Parse(%q) = %v; want ErrInvalid", raw, err)
			}
			return
		}
		now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
		if next := bh.NextOpen(now); !next.IsZero() && (!bh.IsOpen(next) || next.Before(now)) {
			t.Fatalf("NextOpen(%s) = %s which is not open", now, next)
		}
	})
}
