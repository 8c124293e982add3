package sidstatus

import (
	"errors"
	"hash/fnv"
	"log/slog"
	"strconv"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/humd/humd/actors/conversation"
	"github.com/humd/humd/actors/system"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/sms"
)

// Kind is the early-status actors' kind; an id is a shard number.
const Kind system.Kind = "sidstatus"

// earlyShards spreads SIDs over a few actors: callbacks of unknown SIDs are
// rare, so few shards suffice, and a fixed count keeps one SID on one actor.
const earlyShards = 16

// Ref is the identity of the early-status actor of sid's shard.
func Ref(sid string) system.Ref {
	h := fnv.New32a()
	_, _ = h.Write([]byte(sid))
	return system.Ref{Kind: Kind, ID: strconv.Itoa(int(h.Sum32() % earlyShards))}
}

// earlyCallback is a status callback for a SID the edge did not find; the
// answer is the SID's ref when it is known by now (route it to the thread),
// or nil when the status was kept.
type earlyCallback struct {
	SID       string
	Status    string
	ErrorCode int
}

// sidKnown is told by a thread (through Directory.Known) after it
// committed a SID's ref.
type sidKnown struct{ SID string }

// earlyStatus is a status callback that arrived before the carrier's answer
// told us which message its SID belongs to.
type earlyStatus struct {
	Status    string `json:"status"`
	ErrorCode int    `json:"error_code"`
}

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
	err := storage.GetJSON(a.store, sms.KeyEarlyStatus(m.SID), &cur)
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return nil, err
	}
	if err == nil && !sms.Forward(cur.Status, m.Status) {
		return nil, nil
	}
	b := a.store.NewBatch()
	b.SetJSON(sms.KeyEarlyStatus(m.SID), &earlyStatus{Status: m.Status, ErrorCode: m.ErrorCode})
	return nil, b.Commit(storage.Sync)
}

// forward hands a kept status to the SID's thread, which applies it and
// deletes the record in one batch; until then the record stays, so a crash
// in between loses nothing (ResumeEarly sends it again).
func (a *earlyActor) forward(sid string) error {
	var e earlyStatus
	if err := storage.GetJSON(a.store, sms.KeyEarlyStatus(sid), &e); errors.Is(err, storage.ErrNotFound) {
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
	a.reg.Tell(conversation.Ref(ref.OrgID, ref.NumberID, ref.ContactE164), &conversation.Status{SID: sid, Status: e.Status, ErrorCode: e.ErrorCode, Kept: true})
	return nil
}

// Directory is the door to the early-status actors, beside the threads
// they hand statuses to.
type Directory struct {
	threads *conversation.Directory
	store   storage.Store
	reg     *system.Registry
}

// NewDirectory registers the sidstatus kind in threads' actor system and
// answers its door. Wire Known into the threads' Deps.SIDKnown, so a thread
// that commits a SID asks for what was kept of it.
func NewDirectory(threads *conversation.Directory) *Directory {
	d := &Directory{threads: threads, store: threads.Deps.Store, reg: system.RegistryOf(threads.Root.ActorSystem())}
	log := threads.Deps.Logger
	d.reg.Register(Kind, func(string) *actor.Props {
		return system.Props(func() actor.Actor { return &earlyActor{store: d.store, reg: d.reg, log: log} })
	})
	return d
}

// Known tells sid's early-status actor that a thread committed sid's ref,
// so a status kept for it is handed over now.
func (d *Directory) Known(sid string) { d.reg.Tell(Ref(sid), &sidKnown{SID: sid}) }

// ApplyStatus routes a carrier status callback: to the thread that owns the
// SID, or, when the SID is not known yet, to its early-status actor, which
// keeps it for the thread. It returns once the status is durable.
func (d *Directory) ApplyStatus(sid, status string, code int, timeout time.Duration) error {
	ref, err := sms.LookupSID(d.store, sid)
	if errors.Is(err, storage.ErrNotFound) {
		msg := &earlyCallback{SID: sid, Status: status, ErrorCode: code}
		if ref, err = system.Await[*sms.SIDRef](d.reg.Request(Ref(sid), msg, timeout), msg); ref == nil {
			return err
		}
	}
	if err != nil {
		return err
	}
	msg := &conversation.Status{SID: sid, Status: status, ErrorCode: code}
	_, err = system.Await[*conversation.StatusApplied](d.threads.Request(ref.OrgID, ref.NumberID, ref.ContactE164, msg, timeout), msg)
	return err
}

// ResumeEarly hands every kept status whose SID is known to its thread: a
// crash between a thread's commit and its sidKnown (or the thread's apply)
// leaves such records behind. Call it once at start.
func (d *Directory) ResumeEarly() error {
	prefix := sms.PrefixEarlyStatus()
	return d.store.Scan(prefix, storage.ScanOptions{}, func(k, _ []byte) (bool, error) {
		d.Known(string(k[len(prefix):]))
		return true, nil
	})
}
