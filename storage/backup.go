package storage

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/cockroachdb/pebble/v2"
)

// BackupManifestFile is written into every backup directory last: a
// directory without it is not a finished backup.
const BackupManifestFile = "humd-backup.json"

// ErrBackup marks a backup or restore that did not verify, or a destination
// it may not use.
var ErrBackup = errors.New("storage: backup")

// BackupManifest says what a backup holds, so a restore can check it got
// exactly that.
type BackupManifest struct {
	Format    int       `json:"format"`
	CreatedAt time.Time `json:"created_at"`
	Dir       string    `json:"dir"`
	// Records is the number of keys the backup holds, counted by opening
	// it after it was written.
	Records int64 `json:"records"`
	// SecretsKey tells whether the data directory's secrets.key was copied;
	// without it (HUMD_SECRETS_KEY was used) the restored humd needs the
	// same HUMD_SECRETS_KEY to open integration secrets.
	SecretsKey bool         `json:"secrets_key"`
	Bytes      int64        `json:"bytes"`
	Files      []BackupFile `json:"files"`
}

// BackupFile is one file of a backup and its checksum.
type BackupFile struct {
	Name   string `json:"name"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// Backup writes a consistent copy of the open store into dest, which must
// not exist yet, while it keeps serving: a Pebble checkpoint (sstables
// hard-linked where the filesystem allows, the WAL flushed and copied),
// never a copy of live files. It is written under a temporary name, opened
// and counted, checksummed and only then renamed to dest, so dest is
// either a whole, verified backup or absent. dataDir's secrets.key goes
// with it.
func Backup(p *Pebble, dataDir, dest string, now time.Time) (*BackupManifest, error) {
	if _, err := os.Stat(dest); err == nil {
		return nil, fmt.Errorf("%w: %s already exists", ErrBackup, dest)
	}
	tmp := dest + ".partial-" + randHex()
	if !p.enter() {
		return nil, ErrClosed
	}
	err := p.db.Checkpoint(tmp, pebble.WithFlushedWAL())
	p.exit()
	if err != nil {
		_ = os.RemoveAll(tmp)
		return nil, fmt.Errorf("storage: checkpoint into %s: %w", tmp, err)
	}
	m, err := finishBackup(dataDir, tmp, dest, now)
	if err != nil {
		_ = os.RemoveAll(tmp)
		return nil, err
	}
	return m, nil
}

func finishBackup(dataDir, tmp, dest string, now time.Time) (*BackupManifest, error) {
	m := &BackupManifest{Format: 1, CreatedAt: now.UTC(), Dir: dest}
	if err := copyFile(filepath.Join(dataDir, SecretsKeyFile), filepath.Join(tmp, SecretsKeyFile)); err == nil {
		m.SecretsKey = true
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	n, err := CountRecords(tmp)
	if err != nil {
		return nil, err
	}
	m.Records = n
	if m.Files, err = checksums(tmp); err != nil {
		return nil, err
	}
	for _, f := range m.Files {
		m.Bytes += f.Size
	}
	raw, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := writeSynced(filepath.Join(tmp, BackupManifestFile), raw); err != nil {
		return nil, err
	}
	if err := os.Rename(tmp, dest); err != nil {
		return nil, fmt.Errorf("storage: backup: %w", err)
	}
	return m, syncDir(filepath.Dir(dest))
}

// VerifyBackup checks a backup directory against its manifest: every file
// there with its size and checksum, nothing missing, and the record count
// when opened.
func VerifyBackup(dir string) (*BackupManifest, error) {
	raw, err := os.ReadFile(filepath.Join(dir, BackupManifestFile))
	if err != nil {
		return nil, fmt.Errorf("%w: %s is not a humd backup (no %s): %w", ErrBackup, dir, BackupManifestFile, err)
	}
	var m BackupManifest
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrBackup, BackupManifestFile, err)
	}
	return &m, verifyAgainst(dir, &m)
}

func verifyAgainst(dir string, m *BackupManifest) error {
	got, err := checksums(dir)
	if err != nil {
		return err
	}
	have := map[string]BackupFile{}
	for _, f := range got {
		have[f.Name] = f
	}
	for _, want := range m.Files {
		if f, ok := have[want.Name]; !ok || f != want {
			return fmt.Errorf("%w: %s: %s is missing or changed", ErrBackup, dir, want.Name)
		}
	}
	n, err := CountRecords(dir)
	if err != nil {
		return err
	}
	if n != m.Records {
		return fmt.Errorf("%w: %s holds %d records, the manifest says %d", ErrBackup, dir, n, m.Records)
	}
	return nil
}

// Restore puts the backup in from into dataDir, which must be absent or
// empty. It verifies the backup, copies it beside dataDir, verifies the
// copy and only then renames it into place.
func Restore(from, dataDir string) (*BackupManifest, error) {
	m, err := VerifyBackup(from)
	if err != nil {
		return nil, err
	}
	if ents, err := os.ReadDir(dataDir); err == nil && len(ents) > 0 {
		return nil, fmt.Errorf("%w: %s is not empty; restore only into an empty data directory", ErrBackup, dataDir)
	} else if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	tmp := filepath.Clean(dataDir) + ".restoring-" + randHex()
	if err := os.MkdirAll(tmp, 0o700); err != nil {
		return nil, err
	}
	ok := false
	defer func() {
		if !ok {
			_ = os.RemoveAll(tmp)
		}
	}()
	for _, f := range m.Files {
		if err := copyFile(filepath.Join(from, f.Name), filepath.Join(tmp, f.Name)); err != nil {
			return nil, err
		}
	}
	if err := syncDir(tmp); err != nil {
		return nil, err
	}
	if err := verifyAgainst(tmp, m); err != nil {
		return nil, err
	}
	// An empty dataDir (a mount point, a directory made by the package) is
	// replaced by the restored one.
	if err := os.Remove(dataDir); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	if err := os.Rename(tmp, dataDir); err != nil {
		return nil, fmt.Errorf("storage: restore: %w", err)
	}
	ok = true
	return m, syncDir(filepath.Dir(filepath.Clean(dataDir)))
}

// CountRecords opens the Pebble store in dir read-only and counts its keys.
func CountRecords(dir string) (int64, error) {
	db, err := pebble.Open(dir, &pebble.Options{ReadOnly: true, Logger: pebbleLogger{}})
	if err != nil {
		return 0, fmt.Errorf("%w: open %s: %w", ErrBackup, dir, err)
	}
	defer db.Close()
	it, err := db.NewIter(nil)
	if err != nil {
		return 0, err
	}
	var n int64
	for ok := it.First(); ok; ok = it.Next() {
		n++
	}
	if err := it.Close(); err != nil {
		return 0, fmt.Errorf("%w: read %s: %w", ErrBackup, dir, err)
	}
	return n, nil
}

// checksums lists dir's regular files (not the manifest, nor the LOCK file
// Pebble makes on every open) with their sizes and SHA-256.
func checksums(dir string) ([]BackupFile, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []BackupFile
	for _, e := range ents {
		if !e.Type().IsRegular() || e.Name() == BackupManifestFile || e.Name() == "LOCK" {
			continue
		}
		f, err := os.Open(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		h := sha256.New()
		n, err := io.Copy(h, f)
		f.Close()
		if err != nil {
			return nil, err
		}
		out = append(out, BackupFile{Name: e.Name(), Size: n, SHA256: hex.EncodeToString(h.Sum(nil))})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	st, err := in.Stat()
	if err != nil {
		return err
	}
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, st.Mode().Perm())
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

func writeSynced(name string, data []byte) error {
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

func randHex() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
