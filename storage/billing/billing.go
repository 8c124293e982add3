package billing

import (
	"encoding/json"
	"errors"
	"math"
	"time"

	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/calls"
	"github.com/humd/humd/storage/sms"
)

// KeySettings is an org's subscription settings.
func KeySettings(org string) []byte { return storage.Key("billing", org) }

// Settings are the customer-controlled subscription settings. The zero
// value is what an org has before its first PATCH.
type Settings struct {
	AutoRecharge bool `json:"auto_recharge"`
	// ExtraNumbersAllowed lets the org hold numbers past the plan's cap
	// (a billing provider would bill them as extras; with provider none
	// they are only counted).
	ExtraNumbersAllowed bool `json:"extra_numbers_allowed"`
	// UsageAlertThreshold is the percent of a plan limit at which to alert
	// (1-100), or nil for no alert.
	UsageAlertThreshold *int       `json:"usage_alert_threshold"`
	CancelAtPeriodEnd   bool       `json:"cancel_at_period_end"`
	UpdatedAt           *time.Time `json:"updated_at"`
}

var locks storage.Stripes

// Get answers the org's settings (defaults before the first PATCH).
func Get(s storage.Store, org string) (*Settings, error) {
	raw, err := s.Get(KeySettings(org))
	if errors.Is(err, storage.ErrNotFound) {
		return &Settings{}, nil
	}
	if err != nil {
		return nil, err
	}
	var st Settings
	if err := json.Unmarshal(raw, &st); err != nil {
		return nil, err
	}
	return &st, nil
}

// SettingsPatch is the input of PATCH /api/billing/subscription (transport
// decodes the body into it): only the fields present change, and
// usage_alert_threshold null clears it. The threshold is a number on the
// wire (50.0 is 50); it must be a whole percent.
type SettingsPatch struct {
	AutoRecharge        *bool                `json:"auto_recharge"`
	ExtraNumbersAllowed *bool                `json:"extra_numbers_allowed"`
	UsageAlertThreshold storage.Opt[float64] `json:"usage_alert_threshold"`
	CancelAtPeriodEnd   *bool                `json:"cancel_at_period_end"`
}

// Patch applies a PATCH /api/billing/subscription input.
func Patch(s storage.Store, org string, req SettingsPatch, now time.Time) (*Settings, error) {
	var threshold *int
	clear := req.UsageAlertThreshold.Set && req.UsageAlertThreshold.Null
	if f, ok := req.UsageAlertThreshold.Value(); ok {
		if f != math.Trunc(f) || f < 1 || f > 100 {
			return nil, storage.Invalid("usage_alert_threshold", "must be a whole percent from 1 to 100, or null to turn the alert off")
		}
		n := int(f)
		threshold = &n
	}
	defer locks.Lock(org)()
	st, err := Get(s, org)
	if err != nil {
		return nil, err
	}
	set := func(dst *bool, src *bool) {
		if src != nil {
			*dst = *src
		}
	}
	set(&st.AutoRecharge, req.AutoRecharge)
	set(&st.ExtraNumbersAllowed, req.ExtraNumbersAllowed)
	set(&st.CancelAtPeriodEnd, req.CancelAtPeriodEnd)
	if clear {
		st.UsageAlertThreshold = nil
	} else if threshold != nil {
		st.UsageAlertThreshold = threshold
	}
	at := now.UTC()
	st.UpdatedAt = &at
	raw, err := json.Marshal(st)
	if err != nil {
		return nil, err
	}
	b := s.NewBatch()
	b.Set(KeySettings(org), raw)
	return st, b.Commit(storage.Sync)
}

// Usage is the org's consumption over a period.
type Usage struct {
	PeriodStart time.Time `json:"period_start"`
	PeriodEnd   time.Time `json:"period_end"`
	Calls       int       `json:"calls"`
	// CallSeconds sums call durations; CallMinutes rounds each call up to
	// the started minute, as carriers bill.
	CallSeconds int `json:"call_seconds"`
	CallMinutes int `json:"call_minutes"`
	// SMS segments by direction (carriers bill both).
	SMSSegmentsOutbound int `json:"sms_segments_outbound"`
	SMSSegmentsInbound  int `json:"sms_segments_inbound"`
	SMSSegments         int `json:"sms_segments"`
	// Numbers is how many numbers the org holds now.
	Numbers int `json:"numbers"`
	// AITokens sums the model tokens of the SMS AI runs, the calls (turns
	// and post-call summary) and the agent sessions (chat replies) started in
	// the period.
	AITokens AITokens `json:"ai_tokens"`
}

// AITokens is model usage over a period, as providers bill it.
type AITokens struct {
	Input  int64 `json:"input"`
	Output int64 `json:"output"`
	Total  int64 `json:"total"`
}

func (a *AITokens) add(t storage.Tokens) {
	a.Input += t.InputTokens
	a.Output += t.OutputTokens
	a.Total += t.Total()
}

// Period answers the calendar month (UTC) holding now: the usage period
// when no billing provider sets one.
func Period(now time.Time) (time.Time, time.Time) {
	now = now.UTC()
	start := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	return start, start.AddDate(0, 1, 0)
}

// ComputeUsage totals the org's calls started and messages created in
// [from, to), the AI tokens of those calls and of the SMS runs and agent
// sessions started in it, and its numbers now. It scans the org's calls,
// messages, runs and agent sessions
// (about one run per inbound burst, so fewer than messages): the summary is
// an admin's occasional read, not a hot path. A call's summary tokens count
// in the month the call started.
func ComputeUsage(s storage.Store, org string, from, to time.Time) (*Usage, error) {
	u := &Usage{PeriodStart: from, PeriodEnd: to}
	in := func(t time.Time) bool { return !t.Before(from) && t.Before(to) }
	err := s.Scan(storage.Prefix("call", org), storage.ScanOptions{}, func(_, v []byte) (bool, error) {
		var c calls.Call
		if err := json.Unmarshal(v, &c); err != nil {
			return false, err
		}
		if in(c.StartedAt) {
			u.Calls++
			u.CallSeconds += c.DurationS
			u.CallMinutes += (c.DurationS + 59) / 60
			u.AITokens.add(c.AIUsage)
		}
		return true, nil
	})
	if err != nil {
		return nil, err
	}
	err = s.Scan(storage.Prefix("msg", org), storage.ScanOptions{}, func(_, v []byte) (bool, error) {
		var m sms.Message
		if err := json.Unmarshal(v, &m); err != nil {
			return false, err
		}
		if !in(m.CreatedAt) || m.Blocked {
			return true, nil
		}
		segs := m.NumSegments
		if segs == 0 && m.Direction == "inbound" {
			segs = 1 // an inbound text without the webhook's NumSegments is one segment
		}
		if m.Direction == "inbound" {
			u.SMSSegmentsInbound += segs
		} else {
			u.SMSSegmentsOutbound += segs
		}
		return true, nil
	})
	if err != nil {
		return nil, err
	}
	u.SMSSegments = u.SMSSegmentsInbound + u.SMSSegmentsOutbound
	// Only the two fields billing needs are decoded from each run.
	err = s.Scan(sms.PrefixOrgRuns(org), storage.ScanOptions{}, func(_, v []byte) (bool, error) {
		var r struct {
			StartedAt time.Time      `json:"started_at"`
			Usage     storage.Tokens `json:"usage"`
		}
		if err := json.Unmarshal(v, &r); err != nil {
			return false, err
		}
		if in(r.StartedAt) {
			u.AITokens.add(r.Usage)
		}
		return true, nil
	})
	if err != nil {
		return nil, err
	}
	// Agent-session chat replies: the sessions keep their tokens (package
	// actors/agentsession writes agsess/<org>/<id>; storage cannot import it).
	err = s.Scan(storage.Prefix("agsess", org), storage.ScanOptions{}, func(_, v []byte) (bool, error) {
		var ss struct {
			StartedAt time.Time      `json:"started_at"`
			Usage     storage.Tokens `json:"usage"`
		}
		if err := json.Unmarshal(v, &ss); err != nil {
			return false, err
		}
		if in(ss.StartedAt) {
			u.AITokens.add(ss.Usage)
		}
		return true, nil
	})
	if err != nil {
		return nil, err
	}
	if u.Numbers, err = sms.CountNumbers(s, org); err != nil {
		return nil, err
	}
	return u, nil
}
