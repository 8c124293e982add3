package billing

import (
	"fmt"

	"github.com/humd/humd/storage"
	storebilling "github.com/humd/humd/storage/billing"
	"github.com/humd/humd/storage/events"
	"github.com/humd/humd/storage/sms"
)

// Work is what an operation is about to start.
type Work int

const (
	// WorkNumber buys or registers a number.
	WorkNumber Work = iota
	// WorkCall places an outbound call.
	WorkCall
	// WorkSMS sends a text (API send, new conversation, campaign launch).
	WorkSMS
	// WorkAI starts a model run (agent sessions, a thread's AI reply).
	WorkAI
)

func (w Work) String() string {
	return [...]string{"number", "call", "sms", "ai"}[w]
}

// PlanLimit is the event type appended when the Gate refuses work.
const PlanLimit = "billing.plan_limit"

// Allow is the Gate: it answers nil when the org may start w now, else
// ErrPastDue (past_due or unpaid beyond the grace period) or a
// storage.PlanLimitError (the plan's limit for w is reached this period),
// and appends a billing.plan_limit event saying which. With provider none,
// or before the org's first subscription, it allows everything (the number
// cap HUMD_PLAN_MAX_NUMBERS still applies where numbers are added).
func (s *Service) Allow(org string, w Work) error {
	if !s.Enabled() {
		return nil
	}
	st, err := storebilling.GetState(s.cfg.Store, org)
	if err != nil || st == nil || !st.Billed() {
		return err
	}
	now := s.cfg.Clock.Now()
	if st.PastDueSince != nil && now.Sub(*st.PastDueSince) >= s.cfg.Grace {
		return s.refuse(org, w, fmt.Errorf("%w (since %s)", storebilling.ErrPastDue, st.PastDueSince.Format("2006-01-02 15:04 MST")),
			map[string]any{"reason": "past_due", "past_due_since": st.PastDueSince})
	}
	plan := s.cfg.Catalog.Find(st.PlanID)
	if plan == nil {
		return nil
	}
	var f figure
	switch w {
	case WorkNumber:
		set, err := storebilling.Get(s.cfg.Store, org)
		if err != nil || set.ExtraNumbersAllowed || plan.Limits.Numbers == 0 {
			return err
		}
		n, err := sms.CountNumbers(s.cfg.Store, org)
		if err != nil {
			return err
		}
		f = figure{"numbers", int64(n), plan.Limits.Numbers}
	default:
		limit := map[Work]int64{WorkCall: plan.Limits.CallMinutes, WorkSMS: plan.Limits.SMSSegments, WorkAI: plan.Limits.AITokens}[w]
		if limit == 0 {
			return nil
		}
		from, to := st.Period(now)
		u, err := storebilling.ComputeUsage(s.cfg.Store, org, from, to)
		if err != nil {
			return err
		}
		f = figures(plan.Limits, u, 0)[w] // figures lists numbers, calls, sms, ai: Work's order
	}
	if f.limit == 0 || f.used < f.limit {
		return nil
	}
	return s.refuse(org, w, &storage.PlanLimitError{Resource: f.name, Limit: int(f.limit)},
		map[string]any{"reason": "plan_limit", "resource": f.name, "used": f.used, "limit": f.limit, "plan_id": plan.ID})
}

// refuse appends the billing.plan_limit event and answers err.
func (s *Service) refuse(org string, w Work, err error, data map[string]any) error {
	data["work"] = w.String()
	b := s.cfg.Store.NewBatch()
	if _, aerr := events.Append(s.cfg.Store, b, org, PlanLimit, s.cfg.Clock.Now(), data); aerr != nil {
		b.Discard()
		return aerr
	}
	if cerr := b.Commit(storage.Sync); cerr != nil {
		return cerr
	}
	return err
}
