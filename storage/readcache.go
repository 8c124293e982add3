package storage

import (
	"bytes"
	"hash/maphash"
	"sync"
)

// DefaultCachedPrefixes are the key families every text reads and almost
// nothing writes: the number it arrived on (and the own-number check on the
// sender), the contact, and the opt-out and blocklist checks, which are
// nearly always misses (a suspected opt-out too, which every automated send
// asks about). Pebble answers each in 5-10 µs even from its block
// cache; the inbound path did seven of them per text.
var DefaultCachedPrefixes = []string{"number/", "number-e164/", "contact/", "optout/", "optout-suspect/", "block/", "flow/"}

const cacheShards = 16

// readCache keeps the values, and the absence, of keys under a few prefixes.
// Every write of humd goes through Batch, which drops the keys it wrote after
// its commit; a reader that loaded a value while a commit ran does not store
// it (the shard's generation moved), so the cache never keeps a value older
// than the last commit that returned.
type readCache struct {
	prefixes [][]byte
	budget   int // bytes per shard; a full shard is emptied, not evicted entry by entry
	seed     maphash.Seed
	shards   [cacheShards]cacheShard
}

type cacheShard struct {
	mu    sync.Mutex
	gen   uint64
	bytes int
	m     map[string][]byte // nil value: the key does not exist
	// writing counts commits in progress per key (begin..forget): such a
	// key is read from Pebble and never cached, so no reader sees an old
	// value once any key of the same commit is visible.
	writing map[string]int
}

// cacheEntryOverhead approximates a map entry's own cost beyond its key and value.
const cacheEntryOverhead = 64

func newReadCache(prefixes []string, budget int64) *readCache {
	c := &readCache{budget: int(budget / cacheShards), seed: maphash.MakeSeed()}
	for _, p := range prefixes {
		c.prefixes = append(c.prefixes, []byte(p))
	}
	for i := range c.shards {
		c.shards[i].m = map[string][]byte{}
		c.shards[i].writing = map[string]int{}
	}
	return c
}

// covers reports whether key is under one of the cached prefixes.
func (c *readCache) covers(key []byte) bool {
	if c == nil {
		return false
	}
	for _, p := range c.prefixes {
		if bytes.HasPrefix(key, p) {
			return true
		}
	}
	return false
}

func (c *readCache) shard(key []byte) *cacheShard {
	return &c.shards[maphash.Bytes(c.seed, key)%cacheShards]
}

// get answers (value, found, cached). A cached absence is (nil, false, true).
// gen is the shard's generation to hand back to put on a miss.
func (c *readCache) get(key []byte) (v []byte, found, cached bool, gen uint64) {
	s := c.shard(key)
	s.mu.Lock()
	v, cached = s.m[string(key)]
	gen = s.gen
	s.mu.Unlock()
	return v, v != nil, cached, gen
}

// begin marks keys a commit is about to write: until forget, they are
// neither answered from the cache nor stored in it. Without this, a reader
// could take a key's old cached value after the commit became visible (and
// other keys of it were read), in the moment before forget ran.
func (c *readCache) begin(keys [][]byte) {
	for _, k := range keys {
		s := c.shard(k)
		s.mu.Lock()
		s.writing[string(k)]++
		if v, ok := s.m[string(k)]; ok {
			s.bytes -= len(k) + len(v) + cacheEntryOverhead
			delete(s.m, string(k))
		}
		s.gen++
		s.mu.Unlock()
	}
}

// put stores what a read found (nil for absent) unless a commit touched the
// shard since gen was taken.
func (c *readCache) put(key, v []byte, gen uint64) {
	s := c.shard(key)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.gen != gen || s.writing[string(key)] > 0 {
		return
	}
	if v != nil && len(v) == 0 {
		v = []byte{} // an empty value exists: keep it distinct from nil
	}
	size := len(key) + len(v) + cacheEntryOverhead
	if s.bytes+size > c.budget {
		clear(s.m)
		s.bytes = 0
	}
	s.m[string(key)] = v
	s.bytes += size
}

// forget drops keys a commit wrote (begin marked them) and moves their
// shards' generations.
func (c *readCache) forget(keys [][]byte) {
	for _, k := range keys {
		s := c.shard(k)
		s.mu.Lock()
		if n := s.writing[string(k)] - 1; n > 0 {
			s.writing[string(k)] = n
		} else {
			delete(s.writing, string(k))
		}
		if v, ok := s.m[string(k)]; ok {
			s.bytes -= len(k) + len(v) + cacheEntryOverhead
			delete(s.m, string(k))
		}
		s.gen++
		s.mu.Unlock()
	}
}
