package agentsession

import (
	"strings"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/humd/humd/storage"
)

type sweep struct{}

// sweeper ends sessions idle past IdleLimit (the orphan sweeper of SPEC 2.15:
// a session whose client vanished is closed within IdleLimit + SweepEvery).
type sweeper struct{ s *Service }

func (w *sweeper) Receive(ctx actor.Context) {
	switch ctx.Message().(type) {
	case *actor.Started:
		w.arm(ctx)
	case *sweep:
		w.run()
		w.arm(ctx)
	}
}

func (w *sweeper) arm(ctx actor.Context) {
	self, root := ctx.Self(), ctx.ActorSystem().Root
	w.s.cfg.Clock.AfterFunc(w.s.cfg.SweepEvery, func() { root.Send(self, &sweep{}) })
}

// run scans the active index (value: last activity) and asks each stale
// session's actor to end it. The actor checks the idle limit again against
// its own record (a message may have landed since the scan) and ends the
// session at its last activity; ending is idempotent.
func (w *sweeper) run() {
	now := w.s.cfg.Clock.Now()
	prefix := prefixActive()
	_ = w.s.cfg.Store.Scan(prefix, storage.ScanOptions{}, func(k, v []byte) (bool, error) {
		ms, ok := storage.DecodeU64(v)
		rest := string(k[len(prefix):])
		org, idRaw, found := strings.Cut(rest, "/")
		if !ok || !found || len(idRaw) != 8 {
			return true, nil
		}
		id, _ := storage.DecodeU64([]byte(idRaw))
		if now.Sub(time.UnixMilli(int64(ms))) >= w.s.cfg.IdleLimit {
			w.s.dir.Tell(Ref(org, id), &End{Reason: ReasonIdle})
		}
		return true, nil
	})
}
