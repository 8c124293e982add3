package storage_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/humd/humd/storage"
)

func TestBackupVerifyRestore(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	st, err := storage.Open(data, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	b := st.NewBatch()
	for i := range 500 {
		b.Set([]byte(fmt.Sprintf("k/%04d", i)), []byte("v"))
	}
	if err := b.Commit(storage.Sync); err != nil {
		t.Fatal(err)
	}
	dest := filepath.Join(t.TempDir(), "b1")
	m, err := storage.Backup(st, data, dest, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if m.Records != 500 || !m.SecretsKey || len(m.Files) == 0 {
		t.Fatalf("manifest = %+v", m)
	}
	if _, err := storage.Backup(st, data, dest, time.Now()); !errors.Is(err, storage.ErrBackup) {
		t.Errorf("backup onto an existing dir = %v", err)
	}
	if _, err := storage.VerifyBackup(dest); err != nil {
		t.Fatal(err)
	}

	// Restore refuses a data dir in use, then fills an empty one.
	if _, err := storage.Restore(dest, data); !errors.Is(err, storage.ErrBackup) {
		t.Errorf("restore onto a non-empty dir = %v", err)
	}
	into := filepath.Join(t.TempDir(), "restored")
	if err := os.Mkdir(into, 0o700); err != nil {
		t.Fatal(err)
	}
	if _, err := storage.Restore(dest, into); err != nil {
		t.Fatal(err)
	}
	if n, err := storage.CountRecords(into); err != nil || n != 500 {
		t.Errorf("restored = %d, %v", n, err)
	}
	if _, err := os.Stat(filepath.Join(into, storage.SecretsKeyFile)); err != nil {
		t.Errorf("secrets key not restored: %v", err)
	}

	// A damaged backup is refused and nothing is left behind.
	f := m.Files[len(m.Files)-1]
	if err := os.WriteFile(filepath.Join(dest, f.Name), []byte("garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := storage.VerifyBackup(dest); !errors.Is(err, storage.ErrBackup) {
		t.Errorf("verify of a damaged backup = %v", err)
	}
	other := filepath.Join(t.TempDir(), "other")
	if _, err := storage.Restore(dest, other); !errors.Is(err, storage.ErrBackup) {
		t.Errorf("restore of a damaged backup = %v", err)
	}
	if ents, _ := filepath.Glob(other + "*"); len(ents) != 0 {
		t.Errorf("a failed restore left %v", ents)
	}
}

func TestLocked(t *testing.T) {
	dir := t.TempDir()
	st, err := storage.Open(dir, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	_, err = storage.Open(dir, storage.Options{})
	if !storage.Locked(err) {
		t.Errorf("second open = %v; want Locked", err)
	}
	if storage.Locked(errors.New("disk on fire")) {
		t.Error("any error is Locked")
	}
}
