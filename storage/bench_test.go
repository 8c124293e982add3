package storage_test

import (
	"bytes"
	"encoding/binary"
	"sync/atomic"
	"testing"

	"github.com/humd/humd/storage"
)

// Micro benchmarks of the Pebble store on a real directory, so that Sync
// commits pay a real fsync. Records are a 24-byte key and a 176-byte value,
// the shape used for the Pebble measurements in shared/LIBRARIES.md.
//
//	go test -run '^$' -bench . -benchmem ./storage/

var benchValue = bytes.Repeat([]byte("v"), 176)

func openBench(b *testing.B) *storage.Pebble {
	b.Helper()
	s, err := storage.Open(b.TempDir(), storage.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = s.Close() })
	return s
}

// benchKey writes "bench/recs/abcd/" plus 8 big-endian bytes of n into buf (24 bytes).
func benchKey(buf []byte, n uint64) []byte {
	return binary.BigEndian.AppendUint64(append(buf[:0], "bench/recs/abcd/"...), n)
}

func benchPut(b *testing.B, d storage.Durability) {
	s := openBench(b)
	b.ReportAllocs()
	var key []byte
	for i := uint64(0); b.Loop(); i++ {
		key = benchKey(key, i)
		batch := s.NewBatch()
		batch.Set(key, benchValue)
		if err := batch.Commit(d); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkStore_PutSync(b *testing.B)   { benchPut(b, storage.Sync) }
func BenchmarkStore_PutNoSync(b *testing.B) { benchPut(b, storage.NoSync) }

// BenchmarkStore_PutSyncParallel shows Pebble's group commit: concurrent Sync
// commits share fsyncs.
func BenchmarkStore_PutSyncParallel(b *testing.B) {
	s := openBench(b)
	b.ReportAllocs()
	b.SetParallelism(8)
	var next atomic.Uint64
	b.RunParallel(func(pb *testing.PB) {
		var key []byte
		for pb.Next() {
			key = benchKey(key, next.Add(1))
			batch := s.NewBatch()
			batch.Set(key, benchValue)
			if err := batch.Commit(storage.Sync); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// fillBench commits n records with keys benchKey(0..n-1).
func fillBench(b *testing.B, s storage.Store, n int) {
	b.Helper()
	var key []byte
	for start := 0; start < n; start += 1000 {
		batch := s.NewBatch()
		for i := start; i < min(start+1000, n); i++ {
			key = benchKey(key, uint64(i))
			batch.Set(key, benchValue)
		}
		if err := batch.Commit(storage.NoSync); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkStore_Get(b *testing.B) {
	const n = 10_000
	s := openBench(b)
	fillBench(b, s, n)
	b.ReportAllocs()
	var key []byte
	for i := uint64(0); b.Loop(); i++ {
		key = benchKey(key, i*7919%n)
		if _, err := s.Get(key); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStore_Scan100 reads a page of 100 records from a random place in
// 10,000, the way a list endpoint does.
func BenchmarkStore_Scan100(b *testing.B) {
	const n, page = 10_000, 100
	s := openBench(b)
	fillBench(b, s, n)
	prefix := []byte("bench/recs/abcd/")
	b.ReportAllocs()
	var after []byte
	for i := uint64(0); b.Loop(); i++ {
		after = benchKey(after, i*7919%(n-page))
		seen := 0
		err := s.Scan(prefix, storage.ScanOptions{After: after, Limit: page}, func(_, _ []byte) (bool, error) {
			seen++
			return true, nil
		})
		if err != nil || seen != page {
			b.Fatalf("Scan = %d keys, %v; want %d", seen, err, page)
		}
	}
}

func BenchmarkStore_Sequence(b *testing.B) {
	s := openBench(b)
	key := []byte("seq/org_bench/session")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Sequence(key); err != nil {
			b.Fatal(err)
		}
	}
}
