package system

import (
	"hash/maphash"
	"sync"
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"
)

// Directory reaches keyed actors (one per thread, session, call...) and is
// the other half of their passivation. Every message goes through it and is
// counted; an idle actor may stop only when it has received everything the
// directory sent it (Passivate). That closes the race in which a message
// posted to a stopping actor would be lost: protoactor drops whatever is
// still in a stopped actor's mailbox, without a dead-letter reply.
type Directory struct {
	Root   *actor.RootContext
	prefix string
	seed   maphash.Seed
	shards [64]dirShard
	live   atomic.Int64
}

type dirShard struct {
	mu   sync.Mutex
	live map[string]*liveActor
}

type liveActor struct {
	pid  *actor.PID
	sent uint64
}

// NewDirectory makes a directory whose actors are named prefix/key/<n>.
func NewDirectory(root *actor.RootContext, prefix string) *Directory {
	d := &Directory{Root: root, prefix: prefix, seed: maphash.MakeSeed()}
	for i := range d.shards {
		d.shards[i].live = map[string]*liveActor{}
	}
	return d
}

func (d *Directory) shard(key string) *dirShard {
	return &d.shards[maphash.String(d.seed, key)%uint64(len(d.shards))]
}

// with runs post with the live actor of key (spawned from props if there is
// none) under the shard lock, and counts the message post sends. The lock is
// never held while waiting on an actor: posting to a mailbox does not block.
func (d *Directory) with(key string, props func() *actor.Props, post func(pid *actor.PID)) {
	sh := d.shard(key)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	la := sh.live[key]
	if la == nil {
		la = &liveActor{pid: d.Root.SpawnPrefix(props(), d.prefix+"/"+key+"/")}
		sh.live[key] = la
		d.live.Add(1)
	}
	la.sent++
	post(la.pid)
}

// Tell posts msg to key's actor without waiting.
func (d *Directory) Tell(key string, props func() *actor.Props, msg any) {
	d.with(key, props, func(pid *actor.PID) { d.Root.Send(pid, msg) })
}

// Request posts msg to key's actor and answers the future of its reply.
func (d *Directory) Request(key string, props func() *actor.Props, msg any, timeout time.Duration) *actor.Future {
	var f *actor.Future
	d.with(key, props, func(pid *actor.PID) { f = d.Root.RequestFuture(pid, msg, timeout) })
	return f
}

// Passivate removes key's actor if it is pid and has received every message
// sent to it; it answers whether the actor may now stop itself. Called from
// the actor's own Receive.
func (d *Directory) Passivate(key string, pid *actor.PID, received uint64) bool {
	sh := d.shard(key)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	la := sh.live[key]
	if la == nil || !la.pid.Equal(pid) || la.sent != received {
		return false
	}
	delete(sh.live, key)
	d.live.Add(-1)
	return true
}

// Live counts the keys that have an actor now.
func (d *Directory) Live() int { return int(d.live.Load()) }
