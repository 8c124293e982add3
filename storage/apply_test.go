package storage_test

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/humd/humd/storage"
)

func applyRec(t *testing.T, s *storage.Pebble, i int) *storage.Applied {
	t.Helper()
	b := s.NewBatch()
	b.Set([]byte(fmt.Sprintf("rec/%05d", i)), recValue(i))
	ap, err := b.Apply()
	if err != nil {
		t.Fatalf("Apply(rec %d) = %v", i, err)
	}
	return ap
}

// TestApply_DurableOnWaitAndBeforeLaterSync: an applied batch is visible at
// once; it survives a crash once its Wait answered, and also (Wait or not)
// once any later Sync commit answered, since the WAL is one log.
func TestApply_DurableOnWaitAndBeforeLaterSync(t *testing.T) {
	fs := vfs.NewCrashableMem()
	s := openPebble(t, fs, "db")
	waited := applyRec(t, s, 0)
	if got, err := s.Get([]byte("rec/00000")); err != nil || !bytes.Equal(got, recValue(0)) {
		t.Fatalf("applied record before Wait = %.20q, %v; want it visible", got, err)
	}
	if err := waited.Wait(); err != nil {
		t.Fatalf("Wait() = %v", err)
	}
	if err := waited.Wait(); err == nil {
		t.Fatal("second Wait() = nil; want an error")
	}
	early := openPebble(t, fs.CrashClone(vfs.CrashCloneCfg{}), "db") // a crash right after Wait
	got, err := early.Get([]byte("rec/00000"))
	if err != nil || !bytes.Equal(got, recValue(0)) {
		t.Fatalf("record 0 after a crash once its Wait answered = %.20q, %v; want it durable", got, err)
	}
	_ = early.Close()
	pending := applyRec(t, s, 1)
	commitRec(t, s, 2, storage.Sync)
	clone := fs.CrashClone(vfs.CrashCloneCfg{}) // the crash: what was fsynced by now
	if err := pending.Wait(); err != nil {
		t.Fatalf("Wait() = %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openPebble(t, clone, "db")
	defer s.Close()
	for i := range 3 {
		got, err := s.Get([]byte(fmt.Sprintf("rec/%05d", i)))
		if err != nil || !bytes.Equal(got, recValue(i)) {
			t.Fatalf("record %d after crash = %.20q, %v; want it durable", i, got, err)
		}
	}
}

// TestApply_RunsOnCommitAfterWait: counters that count what is durable run
// in Wait, never at Apply.
func TestApply_RunsOnCommitAfterWait(t *testing.T) {
	s := openPebble(t, vfs.NewMem(), "db")
	defer s.Close()
	ran := 0
	b := s.NewBatch()
	b.Set([]byte("k"), []byte("v"))
	b.OnCommit(func() { ran++ })
	ap, err := b.Apply()
	if err != nil {
		t.Fatal(err)
	}
	if ran != 0 {
		t.Fatalf("OnCommit ran %d times at Apply; want 0", ran)
	}
	if err := ap.Wait(); err != nil {
		t.Fatal(err)
	}
	if ran != 1 {
		t.Fatalf("OnCommit ran %d times after Wait; want 1", ran)
	}
}
