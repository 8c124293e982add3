package storage

import (
	"hash/fnv"
	"sync"
)

// Stripes serialise read-check-write sequences per key (a uniqueness check
// and its write, say) without a lock per key: the key's hash picks one of 64
// mutexes. Two keys may share a stripe; that only costs a little waiting.
type Stripes struct{ mu [64]sync.Mutex }

// Lock takes the key's stripe and answers the function that releases it.
func (s *Stripes) Lock(key string) (unlock func()) {
	h := fnv.New32a()
	_, _ = h.Write([]byte(key))
	m := &s.mu[h.Sum32()%uint32(len(s.mu))]
	m.Lock()
	return m.Unlock
}
