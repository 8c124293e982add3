package hours

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"time"
	_ "time/tzdata" // business hours must work on machines without a zoneinfo database

	"github.com/humd/humd/storage"
)

// Days in D-12 order; index i is time.Weekday (i+1)%7.
var Days = []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}

// BusinessHours is the D-12 schedule: weekly [open, close) windows in a time
// zone, minus closed dates. A nil *BusinessHours is always open.
type BusinessHours struct {
	Timezone          string
	Location          *time.Location
	Weekly            map[time.Weekday][]Window
	ClosedDates       map[string]bool // YYYY-MM-DD in local time
	AfterHoursMessage string
}

// Window is one [Open, Close) pair in minutes after local midnight.
type Window struct{ Open, Close int }

type wire struct {
	Timezone          string                `json:"timezone"`
	Weekly            map[string][][]string `json:"weekly"`
	ClosedDates       []string              `json:"closed_dates"`
	AfterHoursMessage *string               `json:"after_hours_message"`
}

// Parse validates a business_hours_json value. JSON null (or empty) answers
// nil: no business hours, always open. Problems are a *storage.ValidationError
// whose fields name the offending part (field prefix "business_hours_json").
func Parse(raw json.RawMessage) (*BusinessHours, error) {
	return ParseField("business_hours_json", raw)
}

// ParseField is Parse with another field name in errors.
func ParseField(field string, raw json.RawMessage) (*BusinessHours, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return nil, nil
	}
	var w wire
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&w); err != nil {
		return nil, storage.Invalid(field, "must be an object {timezone, weekly, closed_dates} or null: "+err.Error())
	}
	v := &storage.ValidationError{}
	bh := &BusinessHours{Timezone: w.Timezone, Weekly: map[time.Weekday][]Window{}, ClosedDates: map[string]bool{}}
	if w.AfterHoursMessage != nil {
		if len(*w.AfterHoursMessage) > 1000 {
			v.Add(field+".after_hours_message", "at most 1000 characters")
		}
		bh.AfterHoursMessage = *w.AfterHoursMessage
	}
	loc, err := time.LoadLocation(w.Timezone)
	if w.Timezone == "" || w.Timezone == "Local" || err != nil {
		v.Add(field+".timezone", "must be an IANA time zone such as America/Indiana/Indianapolis")
	}
	bh.Location = loc
	for day, pairs := range w.Weekly {
		wd, ok := weekday(day)
		if !ok {
			v.Addf(field+".weekly."+day, "unknown day (use mon..sun)")
			continue
		}
		var wins []Window
		for i, p := range pairs {
			f := fmt.Sprintf("%s.weekly.%s[%d]", field, day, i)
			if len(p) != 2 {
				v.Add(f, `must be a pair ["HH:MM","HH:MM"]`)
				continue
			}
			open, ok1 := clock(p[0], false)
			cls, ok2 := clock(p[1], true)
			switch {
			case !ok1 || !ok2:
				v.Add(f, "times must be HH:MM (00:00 to 24:00)")
			case open >= cls:
				v.Add(f, "open must be before close")
			default:
				wins = append(wins, Window{Open: open, Close: cls})
			}
		}
		sort.Slice(wins, func(i, j int) bool { return wins[i].Open < wins[j].Open })
		for i := 1; i < len(wins); i++ {
			if wins[i].Open < wins[i-1].Close {
				v.Add(field+".weekly."+day, "windows overlap")
			}
		}
		bh.Weekly[wd] = wins
	}
	for i, d := range w.ClosedDates {
		if _, err := time.Parse("2006-01-02", d); err != nil {
			v.Addf(fmt.Sprintf("%s.closed_dates[%d]", field, i), "must be a date YYYY-MM-DD")
			continue
		}
		bh.ClosedDates[d] = true
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	return bh, nil
}

func weekday(day string) (time.Weekday, bool) {
	for i, d := range Days {
		if d == day {
			return time.Weekday((i + 1) % 7), true
		}
	}
	return 0, false
}

func clock(s string, allow24 bool) (int, bool) {
	if len(s) != 5 || s[2] != ':' {
		return 0, false
	}
	h, m := int(s[0]-'0')*10+int(s[1]-'0'), int(s[3]-'0')*10+int(s[4]-'0')
	for _, c := range []byte{s[0], s[1], s[3], s[4]} {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	if m > 59 || h > 24 || (h == 24 && (m != 0 || !allow24)) {
		return 0, false
	}
	return h*60 + m, true
}

// IsOpen reports whether t falls inside a window (nil is always open).
func (b *BusinessHours) IsOpen(t time.Time) bool {
	if b == nil {
		return true
	}
	lt := t.In(b.Location)
	if b.ClosedDates[lt.Format("2006-01-02")] {
		return false
	}
	min := lt.Hour()*60 + lt.Minute()
	for _, w := range b.Weekly[lt.Weekday()] {
		if min >= w.Open && min < w.Close {
			return true
		}
	}
	return false
}

// NextOpen answers the first instant at or after t that is open, to the
// minute, or the zero time when the schedule never opens within 400 days.
// It walks local calendar days and builds each window's opening with
// time.Date, so daylight-saving gaps and repeats resolve as Go resolves
// local times (an opening inside a spring-forward gap moves to the instant
// after the gap).
func (b *BusinessHours) NextOpen(t time.Time) time.Time {
	if b == nil || b.IsOpen(t) {
		return t
	}
	lt := t.In(b.Location)
	y, mo, d := lt.Date()
	for i := 0; i < 400; i++ {
		day := time.Date(y, mo, d+i, 12, 0, 0, 0, b.Location)
		if b.ClosedDates[day.Format("2006-01-02")] {
			continue
		}
		for _, w := range b.Weekly[day.Weekday()] {
			open := time.Date(day.Year(), day.Month(), day.Day(), w.Open/60, w.Open%60, 0, 0, b.Location)
			cls := time.Date(day.Year(), day.Month(), day.Day(), w.Close/60, w.Close%60, 0, 0, b.Location)
			if !cls.After(t) {
				continue
			}
			if open.Before(t) {
				open = t.Truncate(time.Minute).Add(time.Minute)
			}
			if b.IsOpen(open) {
				return open
			}
		}
	}
	return time.Time{}
}
