package storage

import "testing"

// A key a commit is writing is neither answered from the cache nor stored
// in it until the commit's forget: once any key of a commit is visible, no
// reader takes another key's old value from the cache.
func TestReadCacheSkipsKeysBeingWritten(t *testing.T) {
	c := newReadCache([]string{"contact/"}, 1<<20)
	k := []byte("contact/a")
	_, _, _, gen := c.get(k)
	c.put(k, []byte("old"), gen)
	if _, found, cached, _ := c.get(k); !cached || !found {
		t.Fatal("the value was not cached")
	}
	c.begin([][]byte{k})
	if _, _, cached, _ := c.get(k); cached {
		t.Fatal("a key being written was answered from the cache")
	}
	_, _, _, gen = c.get(k)
	c.put(k, []byte("old"), gen)
	if _, _, cached, _ := c.get(k); cached {
		t.Fatal("a key being written was stored in the cache")
	}
	c.forget([][]byte{k})
	_, _, _, gen = c.get(k)
	c.put(k, []byte("new"), gen)
	if v, _, cached, _ := c.get(k); !cached || string(v) != "new" {
		t.Fatalf("after the commit: %q cached %v", v, cached)
	}
}
