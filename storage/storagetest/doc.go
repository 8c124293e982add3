// Package storagetest holds the conformance suite every storage.Store must
// pass. A Store implementation (Pebble on an in-memory filesystem, or any
// wrapper around a Store) calls Run from its own tests:
//
//	func TestPebble_Conformance(t *testing.T) {
//		storagetest.Run(t, func(t *testing.T) storage.Store {
//			s, err := storage.Open("", storage.Options{FS: vfs.NewMem()})
//			if err != nil {
//				t.Fatal(err)
//			}
//			return s
//		})
//	}
//
// The suite checks the contract written on storage.Store, storage.Batch and
// storage.ScanOptions: reads return copies, batches are invisible until
// Commit, Scan honours prefix, order, After, Limit and early stops, and
// Sequence hands out distinct numbers starting at 1. Durability across a
// crash is not part of it (it needs a crashable filesystem); see the storage
// package's crash tests.
//
// Concurrency: Run drives each store from the test goroutine except in the
// subtests that check the store is safe for concurrent use, which call it
// from several goroutines at once. Run is meant for the race detector.
package storagetest
