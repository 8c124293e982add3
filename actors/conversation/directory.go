package conversation

import (
	"hash/maphash"
	"sync"
	"time"

	"github.com/asynkron/protoactor-go/actor"
)

// Directory is the only way to reach a thread's actor. It spawns actors on
// demand and is the other half of passivation: every message goes through
// it and is counted, and an idle actor may stop only when it has received
// everything the directory sent it. That closes the race in which a message
// posted to a stopping actor would be lost (protoactor drops what is still in
// a stopped actor's mailbox).
type Directory struct {
	Root   *actor.RootContext
	Deps   *Deps
	seed   maphash.Seed
	shards [64]dirShard
}

type dirShard struct {
	mu   sync.Mutex
	live map[string]*liveThread
}

type liveThread struct {
	pid  *actor.PID
	sent uint64
}

// NewDirectory fills Deps' defaults and answers a directory over them.
func NewDirectory(root *actor.RootContext, d *Deps) *Directory {
	d.defaults()
	dir := &Directory{Root: root, Deps: d, seed: maphash.MakeSeed()}
	for i := range dir.shards {
		dir.shards[i].live = map[string]*liveThread{}
	}
	d.dir = dir
	return dir
}

func threadKey(numberID, e164 string) string { return numberID + "/" + e164 }

func (d *Directory) shard(key string) *dirShard {
	return &d.shards[maphash.String(d.seed, key)%uint64(len(d.shards))]
}

// with runs fn with the live actor of the thread (spawned if needed) while
// holding its shard lock, and counts the message fn posts.
func (d *Directory) with(orgID, numberID, e164 string, fn func(pid *actor.PID)) {
	key := threadKey(numberID, e164)
	sh := d.shard(key)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	lt := sh.live[key]
	if lt == nil {
		pid := d.Root.SpawnPrefix(Props(d.Deps, orgID, numberID, e164), "conv/"+key+"/")
		lt = &liveThread{pid: pid}
		sh.live[key] = lt
	}
	lt.sent++
	fn(lt.pid)
}

// Tell posts msg to the thread's actor without waiting.
func (d *Directory) Tell(orgID, numberID, e164 string, msg any) {
	d.with(orgID, numberID, e164, func(pid *actor.PID) { d.Root.Send(pid, msg) })
}

// Request posts msg to the thread's actor and answers the future of its reply.
func (d *Directory) Request(orgID, numberID, e164 string, msg any, timeout time.Duration) *actor.Future {
	var f *actor.Future
	d.with(orgID, numberID, e164, func(pid *actor.PID) { f = d.Root.RequestFuture(pid, msg, timeout) })
	return f
}

// passivate removes the actor from the directory if it has received every
// message sent to it; the caller then stops. Called from the actor's own
// Receive; the shard lock is never held while waiting on an actor.
func (d *Directory) passivate(numberID, e164 string, pid *actor.PID, received uint64) bool {
	key := threadKey(numberID, e164)
	sh := d.shard(key)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	lt := sh.live[key]
	if lt == nil || !lt.pid.Equal(pid) || lt.sent != received {
		return false
	}
	delete(sh.live, key)
	return true
}

// Live counts the threads that have an actor now (for metrics and tests).
func (d *Directory) Live() int {
	n := 0
	for i := range d.shards {
		d.shards[i].mu.Lock()
		n += len(d.shards[i].live)
		d.shards[i].mu.Unlock()
	}
	return n
}
