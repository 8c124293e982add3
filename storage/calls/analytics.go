package calls

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"time"

	"github.com/humd/humd/storage"
)

// MaxAnalyticsDays bounds the analytics window.
const MaxAnalyticsDays = 365

// Stats are the figures of a day window (GET /api/analytics and
// /api/flows/{id}/metrics).
type Stats struct {
	Days   int       `json:"days"`
	FlowID string    `json:"flow_id,omitempty"`
	From   time.Time `json:"from"`
	To     time.Time `json:"to"`

	TotalCalls     int            `json:"total_calls"`
	ByDirection    map[string]int `json:"by_direction"`
	ByStatus       map[string]int `json:"by_status"`
	ByOutcomeLabel map[string]int `json:"by_outcome_label"`
	// AvgDurationS averages the calls that lasted (duration_s > 0), so calls
	// nobody answered do not drag it toward zero.
	AvgDurationS   float64 `json:"avg_duration_s"`
	TotalDurationS int     `json:"total_duration_s"`
	// Connected counts the calls with duration_s > 0.
	Connected  int `json:"connected_calls"`
	Voicemails int `json:"voicemails"`

	ByDay  []*DayStat  `json:"by_day"`
	ByFlow []*FlowStat `json:"by_flow"`
}

// DayStat is one local day of the window, oldest first; every day is listed.
type DayStat struct {
	Date         string  `json:"date"` // YYYY-MM-DD in the window's time zone
	Calls        int     `json:"calls"`
	AvgDurationS float64 `json:"avg_duration_s"`
	total, conn  int
}

// FlowStat is one flow's share of the window. A call counts for every flow
// that handled it (agent-to-agent switches), so the rows may sum to more than
// total_calls.
type FlowStat struct {
	FlowID       string  `json:"flow_id"`
	Name         string  `json:"name,omitempty"` // filled by the HTTP layer
	Calls        int     `json:"calls"`
	AvgDurationS float64 `json:"avg_duration_s"`
	total, conn  int
}

// Window answers the start of a window of days local days ending with now's
// day, in now's location.
func Window(days int, now time.Time) time.Time {
	y, m, d := now.Date()
	return time.Date(y, m, d-days+1, 0, 0, 0, 0, now.Location())
}

// Analytics answers the org's call figures over the last days days (today
// included), with days counted in now's location.
func Analytics(s storage.Store, org string, days int, now time.Time) (*Stats, error) {
	return stats(s, org, days, now, "")
}

// FlowMetrics answers the same figures for the calls a flow handled (its
// FlowID, or FlowPath after a switch).
func FlowMetrics(s storage.Store, org, flowID string, days int, now time.Time) (*Stats, error) {
	return stats(s, org, days, now, flowID)
}

func stats(s storage.Store, org string, days int, now time.Time, flowID string) (*Stats, error) {
	if days < 1 || days > MaxAnalyticsDays {
		return nil, storage.Invalid("days", fmt.Sprintf("must be an integer from 1 to %d", MaxAnalyticsDays))
	}
	from := Window(days, now)
	st := &Stats{Days: days, FlowID: flowID, From: from.UTC(), To: now.UTC(),
		ByDirection: map[string]int{Inbound: 0, Outbound: 0}, ByStatus: map[string]int{},
		ByOutcomeLabel: map[string]int{}, ByDay: make([]*DayStat, days), ByFlow: []*FlowStat{}}
	for _, status := range Statuses {
		st.ByStatus[status] = 0
	}
	for i := range st.ByDay {
		st.ByDay[i] = &DayStat{Date: from.AddDate(0, 0, i).Format(time.DateOnly)}
	}
	flows := map[string]*FlowStat{}
	err := scanRecent(s, org, nil, from, func(_ []byte, c *Call) (bool, error) {
		if c.StartedAt.After(now) || (flowID != "" && !c.handledBy(flowID)) {
			return true, nil
		}
		st.TotalCalls++
		if c.Direction != "" {
			st.ByDirection[c.Direction]++
		}
		if c.Status != "" {
			st.ByStatus[c.Status]++
		}
		if c.OutcomeLabel != "" {
			st.ByOutcomeLabel[c.OutcomeLabel]++
		}
		conn := 0
		if c.DurationS > 0 {
			conn = 1
			st.Connected++
			st.TotalDurationS += c.DurationS
		}
		if ok, err := s.Has(KeyVoicemailCall(org, c.ID)); err != nil {
			return false, err
		} else if ok {
			st.Voicemails++
		}
		if day := dayIndex(from, c.StartedAt.In(now.Location())); day >= 0 && day < days {
			d := st.ByDay[day]
			d.Calls++
			d.total += c.DurationS
			d.conn += conn
		}
		for _, f := range flowsOf(c) {
			fs := flows[f]
			if fs == nil {
				fs = &FlowStat{FlowID: f}
				flows[f] = fs
			}
			fs.Calls++
			fs.total += c.DurationS
			fs.conn += conn
		}
		return true, nil
	})
	if err != nil {
		return nil, fmt.Errorf("calls: analytics: %w", err)
	}
	st.AvgDurationS = avg(st.TotalDurationS, st.Connected)
	for _, d := range st.ByDay {
		d.AvgDurationS = avg(d.total, d.conn)
	}
	for _, fs := range flows {
		fs.AvgDurationS = avg(fs.total, fs.conn)
		st.ByFlow = append(st.ByFlow, fs)
	}
	sort.Slice(st.ByFlow, func(i, j int) bool {
		a, b := st.ByFlow[i], st.ByFlow[j]
		return a.Calls > b.Calls || a.Calls == b.Calls && a.FlowID < b.FlowID
	})
	return st, nil
}

// dayIndex counts local calendar days from from (a local midnight) to t.
func dayIndex(from, t time.Time) int {
	y, m, d := t.Date()
	day := time.Date(y, m, d, 0, 0, 0, 0, from.Location())
	// Round: days around a DST change are 23 or 25 hours long.
	return int(math.Round(day.Sub(from).Hours() / 24))
}

// flowsOf lists the flows that handled a call, each once.
func flowsOf(c *Call) []string {
	var out []string
	if c.FlowID != "" {
		out = append(out, c.FlowID)
	}
	for _, f := range c.FlowPath {
		if f != "" && !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out
}

// avg answers total/n rounded to a tenth, 0 for no calls.
func avg(total, n int) float64 {
	if n == 0 {
		return 0
	}
	return math.Round(float64(total)/float64(n)*10) / 10
}
