package crm

import (
	"errors"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/calls"
	"github.com/humd/humd/storage/crm"
	"github.com/humd/humd/storage/sms"
	"github.com/humd/humd/storage/webhooks"
)

// dispatch starts the most overdue open sync when none is in flight. A
// connector with sync_calls off keeps its queue but sends nothing.
func (a *Actor) dispatch(ctx actor.Context) {
	if a.syncing != "" || a.conn == nil || !a.conn.SyncCalls {
		return
	}
	now := a.cfg.Clock.Now()
	var next *crm.Sync
	for _, s := range a.syncs {
		if s.NextAt == nil || s.NextAt.After(now) {
			continue
		}
		if next == nil || s.NextAt.Before(*next.NextAt) || s.NextAt.Equal(*next.NextAt) && s.CallID < next.CallID {
			next = s
		}
	}
	if next == nil {
		return
	}
	a.syncing = next.CallID
	conn, cfg, self, root, callID := *a.conn, a.cfg, ctx.Self(), ctx.ActorSystem().Root, next.CallID
	go func() { root.Send(self, syncCall(cfg, &conn, callID, now)) }()
}

// syncCall makes one POST {base_url}/calls from the call's stored record
// (so a recording or summary that landed since the event is included). It
// blocks, so it runs on a worker.
func syncCall(cfg *Config, c *crm.Connector, callID string, now time.Time) *synced {
	out := &synced{callID: callID, at: now}
	cl, err := calls.Get(cfg.Store, c.OrgID, callID)
	if err != nil {
		out.res.err, out.permanent = err.Error(), errors.Is(err, storage.ErrNotFound)
		return out
	}
	e164, _ := caller(cl)
	out.phone = e164
	crmID := ""
	if ct, err := sms.ContactByE164(cfg.Store, c.OrgID, e164); err == nil {
		crmID = ct.CRMContactID
	}
	body := map[string]any{
		"event": "call.sync",
		"call": map[string]any{"id": cl.ID, "direction": cl.Direction, "from": cl.From, "to": cl.To, "status": cl.Status,
			"started_at": cl.StartedAt, "ended_at": cl.EndedAt, "duration_s": cl.DurationS, "summary": cl.Summary,
			"outcome_label": cl.OutcomeLabel, "outcome": cl.Outcome, "recording_url": cl.RecordingURL, "flow_id": cl.FlowID},
		"contact": map[string]any{"e164": e164, "crm_contact_id": crmID},
	}
	out.res = call(cfg, c, "calls", "call.sync", body)
	return out
}

// retryable: the CRM may take it later (SPEC 2.11 rule 3: no answer, a
// timeout, 408, 429 or a 5xx).
func retryable(r result) bool {
	return r.err != "" || r.status == 408 || r.status == 429 || r.status >= 500
}

// onSynced records an attempt: delivered on a 2xx; retried on the webhook
// schedule (or the CRM's Retry-After, when later) while retryable; failed
// for good otherwise. The record and the request log move in one batch.
func (a *Actor) onSynced(ctx actor.Context, m *synced) error {
	a.syncing = ""
	old := a.syncs[m.callID]
	if old == nil {
		a.dispatch(ctx)
		return nil
	}
	now := a.cfg.Clock.Now()
	s := *old
	s.Attempts++
	s.LastStatus, s.LastError, s.UpdatedAt = m.res.status, m.res.err, now
	switch {
	case m.res.err == "" && m.res.status/100 == 2:
		s.Status, s.NextAt = crm.SyncDelivered, nil
	case !m.permanent && retryable(m.res) && s.Attempts <= len(webhooks.Schedule):
		last := webhooks.Schedule[len(webhooks.Schedule)-1]
		at := now.Add(webhooks.Jitter(max(webhooks.Schedule[s.Attempts-1], min(m.res.retryAfter, last))))
		s.Status, s.NextAt = crm.SyncRetrying, &at
		a.log.Warn("crm call.sync attempt failed", "call", s.CallID, "attempts", s.Attempts, "status", m.res.status, "err", m.res.err,
			"next_retry_at", at)
	default:
		s.Status, s.NextAt = crm.SyncFailed, nil
		a.log.Warn("crm call.sync failed for good", "call", s.CallID, "attempts", s.Attempts, "status", m.res.status, "err", m.res.err)
	}
	b := a.cfg.Store.NewBatch()
	defer b.Discard()
	crm.PutSync(b, a.org, a.id, &s)
	crm.AddLog(b, a.org, a.id, &crm.LogEntry{At: m.at, Event: "call.sync", Status: m.res.status, MS: m.res.ms, Error: m.res.err, Phone: m.phone})
	if err := b.Commit(storage.Sync); err != nil {
		return err
	}
	if s.Open() {
		a.syncs[s.CallID] = &s
	} else {
		delete(a.syncs, s.CallID)
	}
	a.dispatch(ctx)
	return nil
}
