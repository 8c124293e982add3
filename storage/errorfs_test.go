package storage_test

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/cockroachdb/pebble/v2/vfs/errorfs"

	"github.com/humd/humd/storage"
)

// Error-path tests run Pebble over errorfs, which fails chosen filesystem
// operations with errorfs.ErrInjected. Pebble treats some I/O failures as
// fatal by design (a failed WAL write or fsync, a failed MANIFEST write) and
// reports them through Logger.Fatalf, which storage hands to Options.OnFatal
// (exit by default; these tests make it panic, see panicOnFatal). These
// tests pin down what is defined: which failures come back as errors, and
// that a failed fsync is never reported as a successful Sync commit.

// openOutcome opens a store on fs and turns a panic into panicMsg.
func openOutcome(fs vfs.FS) (s *storage.Pebble, panicMsg string, err error) {
	defer func() {
		if r := recover(); r != nil {
			panicMsg = fmt.Sprint(r)
		}
	}()
	s, err = storage.Open("db", storage.Options{FS: fs, OnFatal: panicOnFatal})
	return s, "", err
}

func panicOnFatal(msg string) { panic("pebble: " + msg) }

// TestPebble_FatalExitsByDefault runs a WAL fsync failure in a child process
// with the default OnFatal: the process must exit non-zero rather than go on
// acknowledging writes.
func TestPebble_FatalExitsByDefault(t *testing.T) {
	if os.Getenv("HUMD_STORAGE_FATAL_CHILD") == "1" {
		var armed atomic.Bool
		inj := errorfs.InjectorFunc(func(op errorfs.Op) error {
			if armed.Load() && (op.Kind == errorfs.OpFileSync || op.Kind == errorfs.OpFileSyncData) && strings.HasSuffix(op.Path, ".log") {
				return errorfs.ErrInjected
			}
			return nil
		})
		s, err := storage.Open("db", storage.Options{FS: errorfs.Wrap(vfs.NewMem(), inj)})
		if err != nil {
			t.Fatal(err)
		}
		armed.Store(true)
		b := s.NewBatch()
		b.Set([]byte("k"), []byte("v"))
		err = b.Commit(storage.Sync)
		fmt.Println("COMMIT RETURNED", err)
		os.Exit(0)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestPebble_FatalExitsByDefault$")
	cmd.Env = append(os.Environ(), "HUMD_STORAGE_FATAL_CHILD=1")
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 || strings.Contains(string(out), "COMMIT RETURNED") {
		t.Fatalf("child = %v, output:\n%s\nwant exit status 1 before Commit returns", err, out)
	}
}

// TestPebble_OpenInjectedErrors fails the 1st, 2nd, 3rd, ... write operation
// of Open in turn. Each time Open either returns an error that wraps
// ErrInjected, or succeeds with a working store (the failed operation was
// best-effort, such as removing an old marker file), or panics because the
// failure hit the MANIFEST or a directory fsync, which Pebble treats as fatal.
func TestPebble_OpenInjectedErrors(t *testing.T) {
	var errs, panics, oks int
	for i := int32(0); ; i++ {
		if i == 1000 {
			t.Fatalf("Open still hits an injected error at its %dth write", i)
		}
		var armed atomic.Bool
		var countdown atomic.Int32
		var failed atomic.Pointer[errorfs.Op]
		armed.Store(true)
		countdown.Store(i)
		inj := errorfs.InjectorFunc(func(op errorfs.Op) error {
			if !armed.Load() || op.Kind.ReadOrWrite() != errorfs.OpIsWrite || countdown.Add(-1) != -1 {
				return nil
			}
			failed.Store(&op)
			return errorfs.ErrInjected
		})
		s, panicMsg, err := openOutcome(errorfs.Wrap(vfs.NewMem(), inj))
		armed.Store(false) // background work after Open runs without faults
		op := failed.Load()
		if op == nil {
			if err != nil || panicMsg != "" {
				t.Fatalf("Open with no injected error = %v (panic %q)", err, panicMsg)
			}
			_ = s.Close()
			break // i is past Open's last write
		}
		what := fmt.Sprintf("write #%d (op %d on %q)", i, op.Kind, op.Path)
		switch {
		case panicMsg != "":
			panics++
			fatal := strings.Contains(op.Path, "MANIFEST") || op.Kind == errorfs.OpFileSync && !strings.Contains(op.Path, ".")
			if !strings.Contains(panicMsg, "injected error") || !fatal {
				t.Errorf("%s: Open panicked with %q; want an error (only MANIFEST and directory fsync failures are fatal)", what, panicMsg)
			}
		case err != nil:
			errs++
			if !errors.Is(err, errorfs.ErrInjected) || !strings.HasPrefix(err.Error(), "storage: open") {
				t.Errorf("%s: Open = %v; want a storage error wrapping ErrInjected", what, err)
			}
		default:
			oks++
			b := s.NewBatch()
			b.Set([]byte("k"), []byte("v"))
			if err := b.Commit(storage.Sync); err != nil {
				t.Errorf("%s: Open succeeded but Commit = %v", what, err)
			}
			if v, err := s.Get([]byte("k")); err != nil || string(v) != "v" {
				t.Errorf("%s: Open succeeded but Get(k) = %q, %v", what, v, err)
			}
			if err := s.Close(); err != nil {
				t.Errorf("%s: Close = %v", what, err)
			}
		}
	}
	if errs == 0 {
		t.Errorf("no injected failure came back from Open as an error")
	}
	t.Logf("Open under injected write failures: %d errors, %d fatal panics, %d recovered", errs, panics, oks)
}

// TestPebble_WALFailureIsNeverSuccess fails writes, or fsyncs, of the WAL
// after the store is open. A Sync commit must not report success: Pebble
// treats it as fatal, so Commit panics with the injected error. The failure
// is sticky: with the fault gone, later Sync commits still do not succeed, and
// Close reports it.
//
// The panic is the only signal. Pebble has by then applied the batch to its
// memtable (Get sees it) and keeps accepting NoSync commits, so a caller must
// let the process die rather than recover and carry on.
func TestPebble_WALFailureIsNeverSuccess(t *testing.T) {
	for _, tc := range []struct {
		name  string
		kinds []errorfs.OpKind
	}{
		{"write", []errorfs.OpKind{errorfs.OpFileWrite, errorfs.OpFileWriteAt}},
		{"fsync", []errorfs.OpKind{errorfs.OpFileSync, errorfs.OpFileSyncData}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var armed atomic.Bool
			inj := errorfs.InjectorFunc(func(op errorfs.Op) error {
				for _, k := range tc.kinds {
					if armed.Load() && op.Kind == k && strings.HasSuffix(op.Path, ".log") {
						return errorfs.ErrInjected
					}
				}
				return nil
			})
			s := openPebble(t, errorfs.Wrap(vfs.NewMem(), inj), "db")
			if panicMsg, err := tryCommit(s, "before", storage.Sync); err != nil || panicMsg != "" {
				t.Fatalf("Commit before the fault = %v (panic %q)", err, panicMsg)
			}

			armed.Store(true)
			panicMsg, err := tryCommit(s, "during", storage.Sync)
			t.Logf("Sync Commit with a failing WAL %s: err=%v, panic=%q", tc.name, err, panicMsg)
			if err == nil && panicMsg == "" {
				t.Fatalf("Sync Commit with a failing WAL %s = nil; want a failure", tc.name)
			}
			if err != nil && !errors.Is(err, errorfs.ErrInjected) {
				t.Errorf("Sync Commit = %v; want an error wrapping ErrInjected", err)
			}
			if panicMsg != "" && !strings.Contains(panicMsg, "injected error") {
				t.Errorf("Sync Commit panicked with %q; want the injected error", panicMsg)
			}

			armed.Store(false)
			if panicMsg, err := tryCommit(s, "after", storage.Sync); err == nil && panicMsg == "" {
				t.Errorf("Sync Commit after the WAL failed = nil; want a failure (the WAL is unusable)")
			}
			if err := s.Close(); !errors.Is(err, errorfs.ErrInjected) {
				t.Errorf("Close() = %v; want an error wrapping ErrInjected", err)
			}
		})
	}
}

// tryCommit commits key with durability d and turns a panic into panicMsg.
func tryCommit(s storage.Store, key string, d storage.Durability) (panicMsg string, err error) {
	defer func() {
		if r := recover(); r != nil {
			panicMsg = fmt.Sprint(r)
		}
	}()
	b := s.NewBatch()
	b.Set([]byte(key), []byte("v"))
	return "", b.Commit(d)
}
