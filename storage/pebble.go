package storage

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/bloom"
	"github.com/cockroachdb/pebble/v2/vfs"
	json "github.com/goccy/go-json" // records are encoded on every write; about twice as fast as encoding/json here
)

// Options configure the Pebble store. The zero value works.
type Options struct {
	// FS replaces the real filesystem (tests pass vfs.NewMem or vfs.NewCrashableMem).
	FS vfs.FS
	// CacheBytes is the block cache size; 0 means 256 MiB. Pebble charges
	// memtables to this cache, so it must be well above MemTableBytes or
	// point reads (dedupe, opt-out checks) miss it and go to disk; humbench
	// measured a 15% hit rate at 64 MiB and 97% at 256 MiB.
	CacheBytes int64
	// MemTableBytes is the memtable size; 0 means 32 MiB.
	MemTableBytes uint64
	// Logger receives Pebble's own log lines at debug level; nil silences them.
	Logger *slog.Logger
	// OnFatal handles an error Pebble cannot recover from, such as a failed
	// WAL fsync. The default logs and exits the process: by then Pebble has
	// applied the batch in memory, so carrying on (an actor supervisor
	// recovering the panic) could acknowledge a write that is not durable.
	// Tests that inject faults set it to panic.
	OnFatal func(msg string)
	// CachedPrefixes are the key families whose values and absences are kept
	// in memory (see readCache); nil means DefaultCachedPrefixes, an empty
	// slice turns the cache off.
	CachedPrefixes []string
	// ReadCacheBytes bounds that cache; 0 means 32 MiB.
	ReadCacheBytes int64
	// WALMinSyncInterval spaces WAL fsyncs that are asked for back to back
	// while at least walCrowd Sync commits are in progress, so each fsync
	// carries more of them; 0 means 500 µs, negative means never (Pebble's
	// default). humbench measured ingest at 9,913/s without and 12,470/s
	// with it (64 webhooks in flight); a lone writer is not slowed down.
	WALMinSyncInterval time.Duration
	// SecretsKey seals integration secrets (Sealer); nil reads or creates
	// the data directory's secrets.key, or, on an FS other than the real
	// one, uses a key that lives as long as the store.
	SecretsKey []byte
}

// walCrowd is how many Sync commits must be in progress for the WAL to space
// its fsyncs (Options.WALMinSyncInterval).
const walCrowd = 4

// Pebble is the Store backed by cockroachdb/pebble v2.
type Pebble struct {
	db    *pebble.DB
	cache *readCache // nil when off
	// syncing counts Sync commits in progress, for the WAL's sync spacing.
	syncing atomic.Int64

	seqMu sync.Mutex
	seqs  map[string]*seqState

	// users counts operations in progress; closed turns new ones away, so a
	// worker finishing after shutdown gets ErrClosed rather than Pebble's
	// panic on a closed DB.
	users  atomic.Int64
	closed atomic.Bool

	sealer *Sealer
}

// enter admits an operation unless the store is closing. The count goes up
// before the check, so Close never misses an operation it let in.
func (p *Pebble) enter() bool {
	p.users.Add(1)
	if p.closed.Load() {
		p.users.Add(-1)
		return false
	}
	return true
}

func (p *Pebble) exit() { p.users.Add(-1) }

var _ Store = (*Pebble)(nil)

// Open opens (creating if needed) the store in dir.
func Open(dir string, o Options) (*Pebble, error) {
	if o.CacheBytes == 0 {
		o.CacheBytes = 256 << 20
	}
	if o.MemTableBytes == 0 {
		o.MemTableBytes = 32 << 20
	}
	po := &pebble.Options{
		FormatMajorVersion: pebble.FormatNewest,
		CacheSize:          o.CacheBytes,
		MemTableSize:       o.MemTableBytes,
		FS:                 o.FS,
		Logger:             pebbleLogger{l: o.Logger, fatal: o.OnFatal},
	}
	if o.WALMinSyncInterval == 0 {
		o.WALMinSyncInterval = 500 * time.Microsecond
	}
	p := &Pebble{seqs: map[string]*seqState{}}
	if iv := o.WALMinSyncInterval; iv > 0 {
		po.WALMinSyncInterval = func() time.Duration {
			// Asked right after each fsync. Only a crowd of commits gains from
			// waiting for company; a lone writer going commit after commit
			// (a campaign's dispatch) would just be slowed down.
			if p.syncing.Load() >= walCrowd {
				return iv
			}
			return 0
		}
	}
	// Bloom filters on every level: most point reads on the inbound path are
	// misses (a new MessageSid, a contact that is neither blocked nor opted
	// out), and without a filter each miss reads index and data blocks of
	// every overlapping table.
	for i := range po.Levels {
		po.Levels[i].FilterPolicy = bloom.FilterPolicy(10)
	}
	db, err := pebble.Open(dir, po)
	if err != nil {
		return nil, fmt.Errorf("storage: open %s: %w", dir, err)
	}
	p.db = db
	key := o.SecretsKey
	switch {
	case key != nil:
	case o.FS == nil:
		if key, err = SecretsKey(dir, ""); err != nil {
			_ = db.Close()
			return nil, err
		}
	default:
		key = make([]byte, 32)
		_, _ = rand.Read(key)
	}
	if p.sealer, err = NewSealer(key); err != nil {
		_ = db.Close()
		return nil, err
	}
	if o.CachedPrefixes == nil {
		o.CachedPrefixes = DefaultCachedPrefixes
	}
	if o.ReadCacheBytes == 0 {
		o.ReadCacheBytes = 32 << 20
	}
	if len(o.CachedPrefixes) > 0 {
		p.cache = newReadCache(o.CachedPrefixes, o.ReadCacheBytes)
	}
	return p, nil
}

// Sealer implements Store.
func (p *Pebble) Sealer() *Sealer { return p.sealer }

// DB exposes the underlying Pebble handle for benchmarks and crash tests.
func (p *Pebble) DB() *pebble.DB { return p.db }

// Get implements Store.
func (p *Pebble) Get(key []byte) ([]byte, error) {
	if !p.cache.covers(key) {
		return p.get(key)
	}
	v, found, cached, gen := p.cache.get(key)
	if cached {
		if !found {
			return nil, ErrNotFound
		}
		return bytes.Clone(v), nil
	}
	v, err := p.get(key)
	switch {
	case err == nil:
		p.cache.put(key, bytes.Clone(v), gen)
	case errors.Is(err, ErrNotFound):
		p.cache.put(key, nil, gen)
	}
	return v, err
}

func (p *Pebble) get(key []byte) ([]byte, error) {
	if !p.enter() {
		return nil, ErrClosed
	}
	defer p.exit()
	v, closer, err := p.db.Get(key)
	if errors.Is(err, pebble.ErrNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("storage: get %q: %w", key, err)
	}
	out := bytes.Clone(v)
	if out == nil {
		out = []byte{}
	}
	if err := closer.Close(); err != nil {
		return nil, fmt.Errorf("storage: get %q: %w", key, err)
	}
	return out, nil
}

// Has implements Store.
func (p *Pebble) Has(key []byte) (bool, error) {
	_, err := p.Get(key)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// NewBatch implements Store.
func (p *Pebble) NewBatch() *Batch { return &Batch{b: p.db.NewBatch(), p: p} }

// Scan implements Store.
func (p *Pebble) Scan(prefix []byte, o ScanOptions, fn func(key, value []byte) (bool, error)) error {
	if !p.enter() {
		return ErrClosed
	}
	defer p.exit()
	lower, upper := bytes.Clone(prefix), PrefixEnd(prefix)
	if len(lower) == 0 {
		// Pebble's invariants builds (-race) index a non-nil empty bound.
		lower = nil
	}
	if o.After != nil && !o.Reverse {
		lower = append(bytes.Clone(o.After), 0)
	}
	if o.After != nil && o.Reverse {
		upper = bytes.Clone(o.After)
	}
	it, err := p.db.NewIter(&pebble.IterOptions{LowerBound: lower, UpperBound: upper})
	if err != nil {
		return fmt.Errorf("storage: scan %q: %w", prefix, err)
	}
	valid, step := it.First, it.Next
	if o.Reverse {
		valid, step = it.Last, it.Prev
	}
	n := 0
	for ok := valid(); ok; ok = step() {
		v, err := it.ValueAndErr()
		if err != nil {
			_ = it.Close()
			return fmt.Errorf("storage: scan %q: %w", prefix, err)
		}
		more, err := fn(bytes.Clone(it.Key()), bytes.Clone(v))
		if err != nil {
			_ = it.Close()
			return err
		}
		n++
		if !more || (o.Limit > 0 && n >= o.Limit) {
			break
		}
	}
	if err := it.Close(); err != nil {
		return fmt.Errorf("storage: scan %q: %w", prefix, err)
	}
	return nil
}

// seqBlock is how many numbers one counter write reserves. Writing the
// counter goes through Pebble's commit pipeline, where it waits behind every
// Sync commit queued before it; doing that under seqMu for every number made
// all event appends of the process wait for one fsync each.
const seqBlock = 256

// seqState is a counter in memory: cur was issued last, hw is on disk.
type seqState struct{ cur, hw uint64 }

// Sequence implements Store. The stored value is a high-water mark reserved
// seqBlock numbers at a time, so a crash skips at most that many numbers; a
// clean Close stores the last number issued, so a restart continues without
// a gap.
func (p *Pebble) Sequence(key []byte) (uint64, error) {
	p.seqMu.Lock()
	defer p.seqMu.Unlock()
	st, ok := p.seqs[string(key)]
	if !ok {
		raw, err := p.Get(key)
		st = &seqState{}
		switch {
		case errors.Is(err, ErrNotFound):
		case err != nil:
			return 0, err
		case len(raw) == 8:
			st.cur = binary.BigEndian.Uint64(raw)
			st.hw = st.cur
		default:
			return 0, fmt.Errorf("storage: sequence %q: bad value length %d", key, len(raw))
		}
		p.seqs[string(key)] = st
	}
	next := st.cur + 1
	if next > st.hw {
		if !p.enter() {
			return 0, ErrClosed
		}
		defer p.exit()
		hw := next + seqBlock - 1
		if err := p.db.Set(key, U64(hw), pebble.NoSync); err != nil {
			return 0, fmt.Errorf("storage: sequence %q: %w", key, err)
		}
		st.hw = hw
	}
	st.cur = next
	return next, nil
}

// saveSequences stores each counter's last issued number (Close: the next
// start continues from there rather than from the reserved high-water mark).
func (p *Pebble) saveSequences() {
	p.seqMu.Lock()
	defer p.seqMu.Unlock()
	for k, st := range p.seqs {
		if st.hw != st.cur {
			_ = p.db.Set([]byte(k), U64(st.cur), pebble.Sync)
		}
	}
}

// Close implements Store.
func (p *Pebble) Close() error {
	if p.closed.Swap(true) {
		return nil
	}
	// Let admitted operations finish (they are short: a read, a scan, a commit).
	for deadline := time.Now().Add(10 * time.Second); p.users.Load() > 0 && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	p.saveSequences()
	if err := p.db.Close(); err != nil {
		return fmt.Errorf("storage: close: %w", err)
	}
	return nil
}

// Batch is an atomic group of writes. Index entries go into the same batch as
// the record they point at, so a crash never leaves one without the other.
type Batch struct {
	p      *Pebble
	b      *pebble.Batch
	err    error
	closed bool
	cached [][]byte // keys under the read cache's prefixes, dropped from it after Commit
	after  []func() // OnCommit's functions
}

// OnCommit runs fn once the batch has committed (never for a batch that is
// discarded or fails): counters of what the batch records count only what
// is durable.
func (b *Batch) OnCommit(fn func()) { b.after = append(b.after, fn) }

// release returns the pebble batch to its pool once; a second Close would
// hand the same batch to two later users.
func (b *Batch) release() {
	if !b.closed {
		b.closed = true
		_ = b.b.Close()
	}
}

// Set stores value at key.
func (b *Batch) Set(key, value []byte) {
	if b.err == nil {
		b.err = b.b.Set(key, value, nil)
		b.touch(key)
	}
}

func (b *Batch) touch(key []byte) {
	if b.p != nil && b.p.cache.covers(key) {
		b.cached = append(b.cached, bytes.Clone(key))
	}
}

// SetJSON stores v encoded as JSON; an encoding error surfaces at Commit.
func (b *Batch) SetJSON(key []byte, v any) { b.PutJSON(key, v) }

// PutJSON is SetJSON answering the encoded record, for callers that embed
// the same record in an event without encoding it twice (nil after an error).
func (b *Batch) PutJSON(key []byte, v any) []byte {
	raw, err := json.Marshal(v)
	if err != nil {
		if b.err == nil {
			b.err = fmt.Errorf("storage: encode %q: %w", key, err)
		}
		return nil
	}
	b.Set(key, raw)
	return raw
}

// Delete removes key.
func (b *Batch) Delete(key []byte) {
	if b.err == nil {
		b.err = b.b.Delete(key, nil)
		b.touch(key)
	}
}

// Empty reports whether the batch holds no writes.
func (b *Batch) Empty() bool { return b.b.Empty() }

// Commit applies the batch atomically and releases it. A batch that recorded
// an error is discarded whole. Discard after Commit is a no-op, so callers
// may defer Discard.
func (b *Batch) Commit(d Durability) error {
	if b.closed {
		return errBatchClosed
	}
	defer b.release()
	if b.err != nil {
		return b.err
	}
	opt := pebble.Sync
	if d == NoSync {
		opt = pebble.NoSync
	}
	if b.p != nil {
		if !b.p.enter() {
			return ErrClosed
		}
		defer b.p.exit()
	}
	if b.p != nil && d == Sync {
		b.p.syncing.Add(1)
		defer b.p.syncing.Add(-1)
	}
	if len(b.cached) > 0 {
		b.p.cache.begin(b.cached)
	}
	err := b.b.Commit(opt)
	if len(b.cached) > 0 {
		b.p.cache.forget(b.cached)
	}
	if err != nil {
		return fmt.Errorf("storage: commit: %w", err)
	}
	for _, fn := range b.after {
		fn()
	}
	return nil
}

var errBatchClosed = errors.New("storage: batch already committed or discarded")

// Discard releases a batch that will not be committed.
func (b *Batch) Discard() { b.release() }

type pebbleLogger struct {
	l     *slog.Logger
	fatal func(msg string)
}

func (l pebbleLogger) Infof(format string, args ...any) {
	if l.l != nil {
		l.l.Debug(fmt.Sprintf(format, args...), "component", "pebble")
	}
}

func (l pebbleLogger) Errorf(format string, args ...any) {
	if l.l != nil {
		l.l.Error(fmt.Sprintf(format, args...), "component", "pebble")
	}
}

func (l pebbleLogger) Fatalf(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if l.fatal != nil {
		l.fatal(msg)
		return
	}
	lg := l.l
	if lg == nil {
		lg = slog.Default()
	}
	lg.Error("storage: fatal, exiting: "+msg, "component", "pebble")
	os.Exit(1)
}
