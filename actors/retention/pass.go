package retention

import (
	"bytes"
	"fmt"
	"time"

	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/events"
	"github.com/humd/humd/storage/sms"
	"github.com/humd/humd/storage/webhooks"
)

// pass is one run over every family, on its own goroutine. sweeps holds
// where each stored family's sweep goes on (the key after which the next
// group is looked for; nil: from the start); it is the pass's own copy.
type pass struct {
	cfg    *Config
	now    time.Time
	sweeps map[string][]byte
	report *Report
}

func (p *pass) run() {
	p.report.Done = true
	for i := range families {
		f := &families[i]
		cutoff := p.now.Add(-p.cfg.Keep.Of(f.name))
		var expire func(group []byte, limit int) (int, []byte, error)
		switch f.name {
		case FamilyEvents:
			expire = func(g []byte, limit int) (int, []byte, error) {
				org := segment(g, 1)
				upTo, err := p.low(org)
				if err != nil {
					return 0, nil, err
				}
				return events.Expire(p.cfg.Store, org, cutoff, upTo, limit)
			}
		case FamilyDeliveries:
			expire = func(g []byte, limit int) (int, []byte, error) {
				return webhooks.ExpireDeliveries(p.cfg.Store, segment(g, 1), segment(g, 2), cutoff, limit)
			}
		case FamilyRuns:
			expire = func(g []byte, limit int) (int, []byte, error) {
				return sms.ExpireRuns(p.cfg.Store, segment(g, 1), segment(g, 2), cutoff, limit)
			}
		}
		n, done, err := p.sweep(f, expire)
		p.report.Deleted[f.name] = n
		if err != nil {
			p.report.Errors[f.name] = err.Error()
		}
		p.report.Done = p.report.Done && done
	}
	if p.cfg.Sandbox != nil {
		p.report.Deleted[FamilySandbox] = p.cfg.Sandbox.Prune(p.now.Add(-p.cfg.Keep.Sandbox))
	}
	p.report.EndedAt = p.cfg.Clock.Now()
}

// low answers the highest seq of the org's log every consumer has read:
// the lowest of their cursors, or every event when the org has none.
func (p *pass) low(org string) (uint64, error) {
	upTo := ^uint64(0)
	for _, c := range p.cfg.Consumers {
		seq, ok, err := c.Low(p.cfg.Store, org)
		if err != nil {
			return 0, fmt.Errorf("%s cursor of org %s: %w", c.Name, org, err)
		}
		if ok && seq < upTo {
			upTo = seq
		}
	}
	return upTo, nil
}

// sweep visits f's groups in key order from where the last pass stopped,
// deleting each one's expired head, until Batch records went or Batch
// groups were visited; then compacts the span the deletes were in. done
// says it reached the family's end (the next pass starts over).
func (p *pass) sweep(f *family, expire func(group []byte, limit int) (int, []byte, error)) (deleted int, done bool, err error) {
	after := p.sweeps[f.name]
	var lo, hi []byte
	defer func() {
		p.sweeps[f.name] = after
		if hi == nil {
			return
		}
		if cerr := p.cfg.Store.Compact(lo, hi); cerr != nil && err == nil {
			err = cerr
		}
	}()
	for visited := 0; deleted < p.cfg.Batch && visited < p.cfg.Batch; visited++ {
		g, err := nextGroup(p.cfg.Store, f, after)
		if err != nil {
			return deleted, false, err
		}
		if g == nil {
			after = nil
			return deleted, true, nil
		}
		budget := p.cfg.Batch - deleted
		n, end, err := expire(g, budget)
		if err != nil {
			// Go past the group: one that cannot be read must not stop
			// the others; the next round of the sweep tries it again.
			after = storage.PrefixEnd(g)
			return deleted, false, fmt.Errorf("%s: %w", g, err)
		}
		deleted += n
		if n > 0 {
			if lo == nil || bytes.Compare(g, lo) < 0 {
				lo = g
			}
			if hi == nil || bytes.Compare(end, hi) > 0 {
				hi = end
			}
		}
		if n == budget {
			// The group may hold more: the next pass starts at it again.
			after = g[:len(g)-1]
			return deleted, false, nil
		}
		after = storage.PrefixEnd(g)
	}
	return deleted, false, nil
}
