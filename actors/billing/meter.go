package billing

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/humd/humd/actors/system"
	"github.com/humd/humd/storage"
	storebilling "github.com/humd/humd/storage/billing"
	"github.com/humd/humd/storage/events"
	"github.com/humd/humd/storage/sms"
)

// UsageAlert is the event type fired once per period when a figure passes
// the org's usage_alert_threshold percent of its plan limit.
const UsageAlert = "billing.usage_alert"

func (a *Actor) arm(ctx actor.Context) {
	a.gen++
	system.SendAfter(ctx, a.cfg.Clock, a.cfg.MeterEvery, &meterTick{gen: a.gen})
}

// onTick records each billed org's new usage as a slice and reports it,
// and fires usage alerts.
func (a *Actor) onTick(ctx actor.Context) error {
	now := a.cfg.Clock.Now().UTC()
	var errs []error
	if err := a.resend(ctx); err != nil {
		errs = append(errs, err)
	}
	for org, st := range a.states {
		if !st.Billed() {
			continue
		}
		from, to := st.Period(now)
		u, err := storebilling.ComputeUsage(a.cfg.Store, org, from, to)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if err := a.alert(org, st, u, from); err != nil {
			errs = append(errs, err)
		}
		if st.CustomerID == "" {
			continue
		}
		if err := a.slice(ctx, org, st, u, from, now); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// slice stores the usage not yet in any slice of the period as a pending
// slice, then reports it.
func (a *Actor) slice(ctx actor.Context, org string, st *storebilling.State, u *storebilling.Usage, from, now time.Time) error {
	at := now.Truncate(a.cfg.MeterEvery)
	key := storebilling.KeyMeter(org, at)
	if ok, err := a.cfg.Store.Has(key); err != nil || ok {
		return err // this slice is recorded already
	}
	slices, err := storebilling.ListMeterSlices(a.cfg.Store, org)
	if err != nil {
		return err
	}
	reported := map[string]int64{}
	for _, s := range slices {
		if s.PeriodStart.Equal(from) {
			for k, v := range s.Values {
				reported[k] += v
			}
		}
	}
	m := &storebilling.MeterSlice{OrgID: org, CustomerID: st.CustomerID, PeriodStart: from, At: at,
		Values: map[string]int64{}, Identifiers: map[string]string{}}
	for name, v := range u.Metered() {
		if d := v - reported[name]; d > 0 {
			m.Values[name] = d
			m.Identifiers[name] = fmt.Sprintf("humd-%s-%d-%s", org, at.Unix(), name)
		}
	}
	if len(m.Values) == 0 {
		return nil
	}
	b := a.cfg.Store.NewBatch()
	b.SetJSON(key, m)
	if err := b.Commit(storage.Sync); err != nil {
		return err
	}
	a.report(ctx, m)
	return nil
}

// resend reports every slice a previous run stored and did not finish.
func (a *Actor) resend(ctx actor.Context) error {
	for org := range a.states {
		slices, err := storebilling.ListMeterSlices(a.cfg.Store, org)
		if err != nil {
			return err
		}
		for _, m := range slices {
			if !m.Done() {
				a.report(ctx, m)
			}
		}
	}
	return nil
}

// report sends a slice's unsent meters on a goroutine, with the slice's
// stored values and identifiers.
func (a *Actor) report(ctx actor.Context, m *storebilling.MeterSlice) {
	k := fmt.Sprintf("%s/%d", m.OrgID, m.At.Unix())
	if a.sending[k] {
		return
	}
	a.sending[k] = true
	cfg, self, root := a.cfg, ctx.Self(), ctx.ActorSystem().Root
	todo := *m
	go func() {
		sent := map[string]bool{}
		var errs []error
		for _, name := range storebilling.Meters {
			v := todo.Values[name]
			if v <= 0 || todo.Sent[name] {
				continue
			}
			pctx, cancel := context.WithTimeout(context.Background(), cfg.Timeout)
			err := cfg.Provider.ReportUsage(pctx, UsageEvent{EventName: name, Identifier: todo.Identifiers[name],
				CustomerID: todo.CustomerID, Value: v, At: todo.At})
			cancel()
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", name, err))
				continue
			}
			sent[name] = true
		}
		root.Send(self, &sliceSent{org: todo.OrgID, at: todo.At, sent: sent, err: errors.Join(errs...)})
	}()
}

// onSliceSent marks what the provider took; what it did not is sent again
// at the next tick's resend or the next start.
func (a *Actor) onSliceSent(m *sliceSent) error {
	delete(a.sending, fmt.Sprintf("%s/%d", m.org, m.at.Unix()))
	key := storebilling.KeyMeter(m.org, m.at)
	var s storebilling.MeterSlice
	if err := storage.GetJSON(a.cfg.Store, key, &s); err != nil {
		return err
	}
	if s.Sent == nil {
		s.Sent = map[string]bool{}
	}
	for k := range m.sent {
		s.Sent[k] = true
	}
	if s.Done() {
		t := a.cfg.Clock.Now().UTC()
		s.SentAt = &t
	}
	b := a.cfg.Store.NewBatch()
	b.SetJSON(key, &s)
	if err := b.Commit(storage.Sync); err != nil {
		return err
	}
	if m.err != nil {
		return fmt.Errorf("report usage of %s: %w", m.org, m.err)
	}
	return nil
}

// alert fires billing.usage_alert once per period when a figure reaches
// the org's threshold percent of its plan's limit.
func (a *Actor) alert(org string, st *storebilling.State, u *storebilling.Usage, from time.Time) error {
	set, err := storebilling.Get(a.cfg.Store, org)
	if err != nil || set.UsageAlertThreshold == nil {
		return err
	}
	plan := a.cfg.Catalog.Find(st.PlanID)
	if plan == nil {
		return nil
	}
	key := storebilling.KeyAlert(org, from)
	if ok, err := a.cfg.Store.Has(key); err != nil || ok {
		return err
	}
	numbers, err := sms.CountNumbers(a.cfg.Store, org)
	if err != nil {
		return err
	}
	pct := int64(*set.UsageAlertThreshold)
	var over []map[string]any
	for _, f := range figures(plan.Limits, u, numbers) {
		if f.limit > 0 && f.used*100 >= pct*f.limit {
			over = append(over, map[string]any{"resource": f.name, "used": f.used, "limit": f.limit})
		}
	}
	if len(over) == 0 {
		return nil
	}
	now := a.cfg.Clock.Now().UTC()
	b := a.cfg.Store.NewBatch()
	if _, err := events.Append(a.cfg.Store, b, org, UsageAlert, now, map[string]any{"threshold": pct, "plan_id": plan.ID,
		"period_start": from, "over": over}); err != nil {
		b.Discard()
		return err
	}
	b.Set(key, []byte(now.Format(time.RFC3339)))
	return b.Commit(storage.Sync)
}

// figure is one limited resource: its name, use and limit.
type figure struct {
	name        string
	used, limit int64
}

func figures(l storebilling.PlanLimits, u *storebilling.Usage, numbers int) []figure {
	return []figure{
		{"numbers", int64(numbers), l.Numbers},
		{"call_minutes", int64(u.CallMinutes), l.CallMinutes},
		{"sms_segments", int64(u.SMSSegments), l.SMSSegments},
		{"ai_tokens", u.AITokens.Total, l.AITokens},
	}
}
