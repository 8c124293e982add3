package system

import (
	"sync/atomic"

	"github.com/asynkron/protoactor-go/actor"
)

// Props is actor.PropsFromProducer on the process's worker pool. Every humd
// actor is built with it.
func Props(producer actor.Producer, opts ...actor.PropsOption) *actor.Props {
	return actor.PropsFromProducer(producer, append([]actor.PropsOption{actor.WithDispatcher(workers)}, opts...)...)
}

// workers runs mailboxes on parked goroutines. protoactor's default
// dispatcher starts a goroutine each time a mailbox gets work; on the inbound
// path each of those grew its stack again through Pebble's read and commit
// calls (runtime.newstack was 5% of ingest CPU).
var workers = &pool{work: make(chan func()), maxIdle: 512, throughput: 300}

// pool hands work to an idle worker, or starts one when none is idle, so a
// mailbox blocked in a Sync commit never holds up another. At most maxIdle
// workers stay parked; the rest exit when their work is done.
type pool struct {
	work       chan func()
	idle       atomic.Int64
	maxIdle    int64
	throughput int
}

var _ actor.Dispatcher = (*pool)(nil)

// busy counts mailbox runs scheduled on the pool and not finished.
var busy atomic.Int64

// Busy answers how many actor mailboxes are scheduled or running now, in
// every actor system of the process. It is a test hook: with a fake clock,
// a test lets the actors settle (Busy stays 0) before it moves time again,
// so each reaction reads the clock of the instant that caused it. Work on
// an actor's own goroutines (carrier calls, model runs) is not counted
// until it posts its result back.
func Busy() int64 { return busy.Load() }

func (p *pool) Schedule(fn func()) {
	busy.Add(1)
	select {
	case p.work <- fn:
	default:
		go p.run(fn)
	}
}

func (p *pool) Throughput() int { return p.throughput }

func (p *pool) run(fn func()) {
	for {
		fn()
		busy.Add(-1)
		if p.idle.Add(1) > p.maxIdle {
			p.idle.Add(-1)
			return
		}
		fn = <-p.work
		p.idle.Add(-1)
	}
}
