package app

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/humd/humd/actors/clock"
	"github.com/humd/humd/storage"
)

// backups serialises backups (one checkpoint at a time) and runs the
// scheduled ones on the injected clock.
type backups struct {
	mu     sync.Mutex
	closed bool
	timer  clock.Timer
	// unavailable says why this store cannot be backed up (an in-memory
	// filesystem in tests), empty when it can.
	unavailable string
}

// errBackupUnavailable is a backup asked of a store that is not on disk.
var errBackupUnavailable = fmt.Errorf("backups need a store on disk: %w", storage.ErrConflict)

// scheduledPrefix names scheduled backups; only these are pruned.
const scheduledPrefix = "humd-"

// Backup writes a verified online backup of the store into dir, which must
// not exist yet and whose parent must.
func (a *App) Backup(dir string) (*storage.BackupManifest, error) {
	if !filepath.IsAbs(dir) {
		return nil, storage.Invalid("dir", "must be an absolute path on the server")
	}
	dir = filepath.Clean(dir)
	if st, err := os.Stat(filepath.Dir(dir)); err != nil || !st.IsDir() {
		return nil, storage.Invalid("dir", "its parent directory "+filepath.Dir(dir)+" does not exist")
	}
	if _, err := os.Stat(dir); err == nil {
		return nil, fmt.Errorf("backup into %s: it already exists: %w", dir, storage.ErrConflict)
	}
	a.bk.mu.Lock()
	defer a.bk.mu.Unlock()
	if a.bk.unavailable != "" {
		return nil, errBackupUnavailable
	}
	if a.bk.closed {
		return nil, storage.ErrClosed
	}
	return storage.Backup(a.Store, a.cfg.DataDir, dir, a.Clock.Now())
}

// scheduleBackups arms the next scheduled backup (HUMD_BACKUP_EVERY).
func (a *App) scheduleBackups() {
	if a.cfg.BackupEvery <= 0 {
		return
	}
	a.bk.mu.Lock()
	defer a.bk.mu.Unlock()
	if !a.bk.closed {
		a.bk.timer = a.Clock.AfterFunc(a.cfg.BackupEvery, a.scheduledBackup)
	}
}

func (a *App) scheduledBackup() {
	if err := a.backupAndPrune(); err != nil {
		a.log.Error("scheduled backup failed", "dir", a.cfg.BackupDir, "err", err)
	}
	a.scheduleBackups()
}

func (a *App) backupAndPrune() error {
	dir, err := filepath.Abs(a.cfg.BackupDir)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	name := scheduledPrefix + a.Clock.Now().UTC().Format("20060102T150405Z")
	m, err := a.Backup(filepath.Join(dir, name))
	if errors.Is(err, storage.ErrClosed) {
		return nil
	}
	if err != nil {
		return err
	}
	a.log.Info("backup written", "dir", m.Dir, "records", m.Records, "bytes", m.Bytes)
	return a.pruneBackups(dir)
}

// pruneBackups keeps the newest BackupKeep finished scheduled backups in
// dir and deletes older ones; backups made by hand are never touched.
func (a *App) pruneBackups(dir string) error {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	var done []string
	for _, e := range ents {
		n := e.Name()
		if !e.IsDir() || !strings.HasPrefix(n, scheduledPrefix) || strings.Contains(n, ".partial-") {
			continue
		}
		if _, err := os.Stat(filepath.Join(dir, n, storage.BackupManifestFile)); err == nil {
			done = append(done, n)
		}
	}
	sort.Strings(done) // the names are UTC times, so oldest first
	var errs []error
	for len(done) > a.cfg.BackupKeep {
		errs = append(errs, os.RemoveAll(filepath.Join(dir, done[0])))
		done = done[1:]
	}
	return errors.Join(errs...)
}

// stopBackups disarms the schedule and waits for a backup in progress.
func (a *App) stopBackups() {
	a.bk.mu.Lock()
	defer a.bk.mu.Unlock()
	a.bk.closed = true
	if a.bk.timer != nil {
		a.bk.timer.Stop()
	}
}
