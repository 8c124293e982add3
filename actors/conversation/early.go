package conversation

import (
	"errors"
	"hash/fnv"
	"log/slog"
	"strconv"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/humd/humd/actors/system"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/sms"
)

// A status callback can beat the carrier's answer to the send: Twilio may
// post "sent" or "delivered" for a SID before humd has stored which message
// the SID belongs to. Such a callback cannot reach its thread (nobody knows
// the thread yet), so an early-status actor, one per shard of SIDs, keeps it
// (sid-early/) and hands it to the thread once the thread says the SID is
// known. The shard's mailbox orders the two sides: a callback is either
// handled before the thread's sidKnown (kept, then forwarded) or after the
// thread's commit (found, routed as usual). No lock is shared between the
// handler goroutine and the thread.

// EarlyKind is the early-status actors' kind; an id is a shard number.
const EarlyKind system.Kind = "sidstatus"

// earlyShards spreads SIDs over a few actors: callbacks of unknown SIDs are
// rare, so few shards suffice, and a fixed count keeps one SID on one actor.
const earlyShards = 16

func earlyRef(sid string) system.Ref {
	h := fnv.New32a()
	_, _ = h.Write([]byte(sid))
	return system.Ref{Kind: EarlyKind, ID: strconv.Itoa(int(h.Sum32() % earlyShards))}
}

// earlyCallback is a status callback for a SID the edge did not find; the
// answer is the SID's ref when it is known by now (route it to the thread),
// or nil when the status was kept.
type earlyCallback struct {
	SID       string
	Status    string
	ErrorCode int
}

// sidKnown is told by a thread after it committed a SID's ref.
type sidKnown struct{ SID string }

type earlyActor struct {
	store storage.Store
	reg   *system.Registry
	log   *slog.Logger
}

func (a *earlyActor) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *earlyCallback:
		ref, err := a.keep(m)
		system.Answer(ctx, ref, err, a.log, "sid", m.SID)
	case *sidKnown:
		if err := a.forward(m.SID); err != nil {
			a.log.Error("early status: forward failed; it is retried at the next start", "sid", m.SID, "err", err)
		}
	}
}

// keep stores the callback unless the SID became known meanwhile. Only
// forward moves are kept, so duplicates and reordering change nothing.
func (a *earlyActor) keep(m *earlyCallback) (*sms.SIDRef, error) {
	if ref, err := sms.LookupSID(a.store, m.SID); err == nil {
		return ref, nil
	} else if !errors.Is(err, storage.ErrNotFound) {
		return nil, err
	}
	var cur earlyStatus
	err := storage.GetJSON(a.store, keyEarly(m.SID), &cur)
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return nil, err
	}
	if err == nil && !sms.Forward(cur.Status, m.Status) {
		return nil, nil
	}
	b := a.store.NewBatch()
	b.SetJSON(keyEarly(m.SID), &earlyStatus{Status: m.Status, ErrorCode: m.ErrorCode})
	return nil, b.Commit(storage.Sync)
}

// forward hands a kept status to the SID's thread, which applies it and
// deletes the record in one batch; until then the record stays, so a crash
// in between loses nothing (ResumeEarly sends it again).
func (a *earlyActor) forward(sid string) error {
	var e earlyStatus
	if err := storage.GetJSON(a.store, keyEarly(sid), &e); errors.Is(err, storage.ErrNotFound) {
		return nil
	} else if err != nil {
		return err
	}
	ref, err := sms.LookupSID(a.store, sid)
	if errors.Is(err, storage.ErrNotFound) {
		return nil // still unknown: the thread has not committed it yet
	} else if err != nil {
		return err
	}
	a.reg.Tell(Ref(ref.OrgID, ref.NumberID, ref.ContactE164), &Status{SID: sid, Status: e.Status, ErrorCode: e.ErrorCode, early: true})
	return nil
}

func (d *Directory) registerEarly() {
	d.reg.Register(EarlyKind, func(string) *actor.Props {
		return system.Props(func() actor.Actor { return &earlyActor{store: d.Deps.Store, reg: d.reg, log: d.Deps.Logger} })
	})
}

// ApplyStatus routes a carrier status callback: to the thread that owns the
// SID, or, when the SID is not known yet, to its early-status actor, which
// keeps it for the thread. It returns once the status is durable.
func (d *Directory) ApplyStatus(sid, status string, code int, timeout time.Duration) error {
	ref, err := sms.LookupSID(d.Deps.Store, sid)
	if errors.Is(err, storage.ErrNotFound) {
		msg := &earlyCallback{SID: sid, Status: status, ErrorCode: code}
		if ref, err = system.Await[*sms.SIDRef](d.reg.Request(earlyRef(sid), msg, timeout), msg); ref == nil {
			return err
		}
	}
	if err != nil {
		return err
	}
	msg := &Status{SID: sid, Status: status, ErrorCode: code}
	_, err = system.Await[*StatusApplied](d.Request(ref.OrgID, ref.NumberID, ref.ContactE164, msg, timeout), msg)
	return err
}

// ResumeEarly hands every kept status whose SID is known to its thread: a
// crash between a thread's commit and its sidKnown (or the thread's apply)
// leaves such records behind. Call it once at start.
func (d *Directory) ResumeEarly() error {
	return d.Deps.Store.Scan(storage.Prefix("sid-early"), storage.ScanOptions{}, func(k, _ []byte) (bool, error) {
		sid := string(k[len(storage.Prefix("sid-early")):])
		d.reg.Tell(earlyRef(sid), &sidKnown{SID: sid})
		return true, nil
	})
}
