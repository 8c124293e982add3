package events

import (
	"sync"
	"sync/atomic"

	"github.com/humd/humd/storage"
)

// Watching an org's log: a browser console shows new texts and calls as
// they happen, without polling. Append registers, on the batch it writes
// into, a commit hook that tells the org's watchers the event's type; a
// watcher hears only committed events, and a discarded batch tells nobody.
// The hook is added only while someone watches the store, so a humd
// without an open console pays one atomic load per event.

// feed is one store's watchers by org.
type feed struct {
	n    atomic.Int64 // watchers of every org, for Append's fast path
	mu   sync.Mutex
	orgs map[string]map[*Watcher]struct{}
}

// feeds holds a feed per store (keyed by the Store value: each open store
// is its own pointer), so two humds in one process never hear each other.
var feeds sync.Map // storage.Store -> *feed

func feedOf(s storage.Store) *feed {
	if f, ok := feeds.Load(s); ok {
		return f.(*feed)
	}
	f, _ := feeds.LoadOrStore(s, &feed{orgs: map[string]map[*Watcher]struct{}{}})
	return f.(*feed)
}

// Watcher hears the types of an org's committed events. C fires (at most
// one pending signal) when something arrived since the last Take; a slow
// reader loses nothing but the repeats: Take answers each type once.
type Watcher struct {
	C    <-chan struct{}
	c    chan struct{}
	f    *feed
	org  string
	mu   sync.Mutex
	seen map[string]struct{}
	once sync.Once
}

// Watch starts hearing org's events on s until Close.
func Watch(s storage.Store, org string) *Watcher {
	f := feedOf(s)
	c := make(chan struct{}, 1)
	w := &Watcher{C: c, c: c, f: f, org: org, seen: map[string]struct{}{}}
	f.mu.Lock()
	if f.orgs[org] == nil {
		f.orgs[org] = map[*Watcher]struct{}{}
	}
	f.orgs[org][w] = struct{}{}
	f.mu.Unlock()
	f.n.Add(1)
	return w
}

// Take answers the event types heard since the last Take, in no order.
func (w *Watcher) Take() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make([]string, 0, len(w.seen))
	for t := range w.seen {
		out = append(out, t)
	}
	clear(w.seen)
	return out
}

// Close stops the watcher; C is never closed (readers select on their own
// context too).
func (w *Watcher) Close() {
	w.once.Do(func() {
		f := w.f
		f.mu.Lock()
		delete(f.orgs[w.org], w)
		if len(f.orgs[w.org]) == 0 {
			delete(f.orgs, w.org)
		}
		f.mu.Unlock()
		f.n.Add(-1)
	})
}

func (w *Watcher) hear(typ string) {
	w.mu.Lock()
	w.seen[typ] = struct{}{}
	w.mu.Unlock()
	select {
	case w.c <- struct{}{}:
	default:
	}
}

// watchCommit makes b tell org's watchers about typ once it commits.
func watchCommit(s storage.Store, b *storage.Batch, org, typ string) {
	v, ok := feeds.Load(s)
	if !ok || v.(*feed).n.Load() == 0 {
		return
	}
	f := v.(*feed)
	b.OnCommit(func() {
		f.mu.Lock()
		ws := make([]*Watcher, 0, len(f.orgs[org]))
		for w := range f.orgs[org] {
			ws = append(ws, w)
		}
		f.mu.Unlock()
		for _, w := range ws {
			w.hear(typ)
		}
	})
}
