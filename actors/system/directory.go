package system

import (
	"fmt"
	"hash/maphash"
	"sync"
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/asynkron/protoactor-go/extensions"
)

// Kind names a family of actors reached by id: "conv", "call", "sender"...
type Kind string

// Ref is an actor's identity: its kind and its id within the kind (a call
// id, "<org>/<number>/<e164>" for a thread, "" for a singleton). It is all a
// caller keeps of another actor; a PID is never held across messages.
type Ref struct {
	Kind Kind
	ID   string
}

func (r Ref) String() string { return string(r.Kind) + "/" + r.ID }

// Directory reaches every humd actor by identity. It is the one place that
// decides where an actor runs: today the Registry of this process, later a
// cluster's placement.
type Directory interface {
	// Tell posts msg to ref's actor, spawning it if it is not running.
	Tell(ref Ref, msg any)
	// Request posts msg to ref's actor and answers the future of its reply
	// (see Await).
	Request(ref Ref, msg any, timeout time.Duration) *actor.Future
}

// Registry is the Directory of one actor system: every actor kind registers
// how to build the actor of an id, and the registry spawns it on the first
// message and finds it for the next ones.
//
// It is also the other half of passivation. Every message goes through it
// and is counted; an idle actor may stop only when it has received
// everything the registry sent it (Passivate). That closes the race in which
// a message posted to a stopping actor would be lost: protoactor drops
// whatever is still in a stopped actor's mailbox, without a dead-letter
// reply.
type Registry struct {
	root  *actor.RootContext
	mu    sync.Mutex                        // serialises Register
	kinds atomic.Pointer[map[Kind]*kindDir] // copied on Register, read lock-free
}

var _ Directory = (*Registry)(nil)

// kindDir is the live actors of one kind, sharded by id.
type kindDir struct {
	kind   Kind
	props  atomic.Pointer[func(id string) *actor.Props]
	seed   maphash.Seed
	shards [64]dirShard
	live   atomic.Int64
	// queued counts messages posted to this kind's mailboxes and not yet
	// received (mailboxDepth), for humd_actor_mailbox_messages.
	queued atomic.Int64
}

type dirShard struct {
	mu   sync.Mutex
	live map[string]*liveActor
}

type liveActor struct {
	pid  *actor.PID
	sent uint64
}

var registryID = extensions.NextExtensionID()

// ExtensionID makes the registry a protoactor extension of its actor system
// (as protoactor's cluster is), so it is found from any actor.Context.
func (r *Registry) ExtensionID() extensions.ExtensionID { return registryID }

func newRegistry(root *actor.RootContext) *Registry {
	r := &Registry{root: root}
	r.kinds.Store(&map[Kind]*kindDir{})
	return r
}

// RegistryOf answers the registry of an actor system made by New.
func RegistryOf(sys *actor.ActorSystem) *Registry {
	r, _ := sys.Extensions.Get(registryID).(*Registry)
	if r == nil {
		panic("system: the actor system was not made by system.New")
	}
	return r
}

// Register says how to build the actor of an id of kind. Registering a kind
// again replaces how its next actors are built; running ones keep theirs.
func (r *Registry) Register(kind Kind, props func(id string) *actor.Props) {
	r.mu.Lock()
	defer r.mu.Unlock()
	old := *r.kinds.Load()
	if d := old[kind]; d != nil {
		d.props.Store(&props)
		return
	}
	d := &kindDir{kind: kind, seed: maphash.MakeSeed()}
	d.props.Store(&props)
	for i := range d.shards {
		d.shards[i].live = map[string]*liveActor{}
	}
	next := make(map[Kind]*kindDir, len(old)+1)
	for k, v := range old {
		next[k] = v
	}
	next[kind] = d
	r.kinds.Store(&next)
}

func (r *Registry) kind(k Kind) *kindDir {
	d := (*r.kinds.Load())[k]
	if d == nil {
		panic(fmt.Sprintf("system: no actor kind %q registered", k))
	}
	return d
}

func (d *kindDir) shard(id string) *dirShard {
	return &d.shards[maphash.String(d.seed, id)%uint64(len(d.shards))]
}

// get answers id's live actor, spawning it if there is none. The caller
// holds sh.mu.
func (r *Registry) get(d *kindDir, sh *dirShard, id string) *liveActor {
	la := sh.live[id]
	if la == nil {
		p := (*d.props.Load())(id)
		actor.WithMailbox(actor.Unbounded((*mailboxDepth)(d)))(p)
		la = &liveActor{pid: r.root.SpawnPrefix(p, string(d.kind)+"/"+id+"/")}
		sh.live[id] = la
		d.live.Add(1)
	}
	return la
}

// Tell implements Directory. The shard lock is held while posting, which
// never blocks, and never while waiting on an actor.
func (r *Registry) Tell(ref Ref, msg any) {
	d := r.kind(ref.Kind)
	sh := d.shard(ref.ID)
	sh.mu.Lock()
	la := r.get(d, sh, ref.ID)
	la.sent++
	r.root.Send(la.pid, msg)
	sh.mu.Unlock()
}

// Request implements Directory.
func (r *Registry) Request(ref Ref, msg any, timeout time.Duration) *actor.Future {
	d := r.kind(ref.Kind)
	sh := d.shard(ref.ID)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	la := r.get(d, sh, ref.ID)
	la.sent++
	return r.root.RequestFuture(la.pid, msg, timeout)
}

// Ensure spawns ref's actor if it is not running, sending it nothing: for
// actors that start working by themselves (the scheduler, a webhook
// endpoint's delivery loop).
func (r *Registry) Ensure(ref Ref) {
	d := r.kind(ref.Kind)
	sh := d.shard(ref.ID)
	sh.mu.Lock()
	r.get(d, sh, ref.ID)
	sh.mu.Unlock()
}

// Passivate removes ref's actor if it is pid and has received every message
// sent to it; it answers whether the actor may now stop itself. Called from
// the actor's own Receive; received counts the messages it got through the
// registry (not its timers, not replies to its own requests).
func (r *Registry) Passivate(ref Ref, pid *actor.PID, received uint64) bool {
	d := r.kind(ref.Kind)
	sh := d.shard(ref.ID)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	la := sh.live[ref.ID]
	if la == nil || !la.pid.Equal(pid) || la.sent != received {
		return false
	}
	delete(sh.live, ref.ID)
	d.live.Add(-1)
	return true
}

// Live counts the actors of kind running now.
func (r *Registry) Live(kind Kind) int {
	d := (*r.kinds.Load())[kind]
	if d == nil {
		return 0
	}
	return int(d.live.Load())
}
