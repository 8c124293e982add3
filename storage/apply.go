package storage

import (
	"fmt"

	"github.com/cockroachdb/pebble/v2"
)

// Applied is a batch that is visible but maybe not yet durable: Apply's
// answer. Wait must be called exactly once, usually on another goroutine.
type Applied struct {
	b    *Batch
	done bool
}

// Apply is Commit with Sync split in two: it returns once the batch is in
// the WAL buffer and visible to reads, in commit order with every other
// commit, and has asked for the fsync without waiting for it; Wait answers
// once the batch is on stable storage. A writer that must not wait on a
// disk (a call actor relaying a model's tokens) applies in its mailbox and
// waits elsewhere. Since the WAL is one log, any later Sync commit is
// durable only after this batch is too: an answer committed with Sync
// after Apply never outlives, in a crash, what was applied before it.
// OnCommit's functions run in Wait, once durable.
func (b *Batch) Apply() (*Applied, error) {
	if b.closed {
		return nil, errBatchClosed
	}
	if b.err != nil {
		b.release()
		return nil, b.err
	}
	if !b.p.enter() {
		b.release()
		return nil, ErrClosed
	}
	b.p.syncing.Add(1)
	if len(b.cached) > 0 {
		b.p.cache.begin(b.cached)
	}
	// Pebble's ApplyNoSyncWait is the Sync commit without its wait: the
	// batch joins the same commit pipeline and sync queue as any other.
	err := b.p.db.ApplyNoSyncWait(b.b, pebble.Sync)
	if len(b.cached) > 0 {
		b.p.cache.forget(b.cached)
	}
	if err != nil {
		b.p.syncing.Add(-1)
		b.p.exit()
		b.closed = true // a failed batch must not go back to Pebble's pool
		return nil, fmt.Errorf("storage: apply: %w", err)
	}
	return &Applied{b: b}, nil
}

// Wait blocks until the applied batch is durable, then releases it and runs
// its OnCommit functions. The store does not finish closing while a Wait
// is owed (up to Close's grace), so call it promptly.
func (a *Applied) Wait() error {
	if a.done {
		return errBatchClosed
	}
	a.done = true
	b := a.b
	err := b.b.SyncWait()
	b.p.syncing.Add(-1)
	b.p.exit()
	if err != nil {
		b.closed = true
		return fmt.Errorf("storage: sync: %w", err)
	}
	b.release()
	for _, fn := range b.after {
		fn()
	}
	return nil
}
