package app_test

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/humd/humd/app"
	"github.com/humd/humd/app/apptest"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/sms"
)

// A backup taken through the API while texts keep arriving holds every
// text acknowledged before it began; restored into an empty data dir it
// starts a humd that serves them and takes new ones.
func TestBackupUnderIngestRestores(t *testing.T) {
	s := apptest.Start(t, apptest.Options{})
	s.AddNumber(ourNumber, 1)
	const clients, perClient = 4, 40
	var mu sync.Mutex
	acked := map[string]string{}
	half := make(chan map[string]string, 1)
	var wg sync.WaitGroup
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perClient {
				sid := fmt.Sprintf("SM%08d%024d", c, i)
				body := fmt.Sprintf("client %d text %d", c, i)
				st, _ := s.PostTwilio("/twilio/sms", s.App.SandboxToken,
					apptest.InboundForm(sid, fmt.Sprintf("+1317555%04d", 100+c), ourNumber, body), "")
				mu.Lock()
				if st == 200 {
					acked[sid] = body
					if len(acked) == clients*perClient/2 {
						half <- maps.Clone(acked)
					}
				}
				mu.Unlock()
			}
		}()
	}
	before := <-half // the backup begins after these were acknowledged, while the rest arrive
	dest := filepath.Join(t.TempDir(), "backup-1")
	res := s.JSON("POST", "/api/admin/backup", adminKey, map[string]any{"dir": dest}, 201)
	wg.Wait()
	if res["dir"] != dest || res["records"].(float64) <= 0 {
		t.Fatalf("backup = %v", res)
	}
	if _, err := storage.VerifyBackup(dest); err != nil {
		t.Fatal(err)
	}
	s.Stop()

	data := filepath.Join(t.TempDir(), "restored")
	if _, err := storage.Restore(dest, data); err != nil {
		t.Fatal(err)
	}
	r := apptest.Start(t, apptest.Options{Dir: data})
	for sid, body := range before {
		ref, err := sms.LookupSID(r.App.Store, sid)
		if err != nil {
			t.Fatalf("acknowledged %s missing from the backup: %v", sid, err)
		}
		if m, err := sms.GetMessage(r.App.Store, ref.OrgID, ref.ConvID, ref.Seq); err != nil || m.Body != body {
			t.Fatalf("%s: %+v, %v; want %q", sid, m, err, body)
		}
	}
	r.JSON("GET", "/api/health", "", nil, 200)
	inbound(t, r, "SM99999999999999999999999999999999", contact, "after the restore")
	t.Logf("%d acknowledged before the backup, %d in all; the backup holds %v records", len(before), len(acked), res["records"])
}

func TestBackupRoute(t *testing.T) {
	s := apptest.Start(t, apptest.Options{})
	dir := t.TempDir()
	for _, tc := range []struct {
		body any
		want int
	}{
		{map[string]any{"dir": "relative/path"}, 422},
		{map[string]any{"dir": ""}, 422},
		{map[string]any{"dir": filepath.Join(dir, "no", "such", "parent")}, 422},
		{map[string]any{"dir": dir}, 409}, // exists
		{map[string]any{"dir": dir, "extra": 1}, 422},
	} {
		if st, raw := s.Do("POST", "/api/admin/backup", adminKey, tc.body); st != tc.want || !strings.Contains(string(raw), `"error"`) {
			t.Errorf("backup %v = %d %s; want %d", tc.body, st, raw, tc.want)
		}
	}
	// An org admin who is not a site admin may not.
	org := s.JSON("POST", "/api/admin/orgs", adminKey, map[string]any{"name": "Other"}, 201)
	if st, _ := s.Do("POST", "/api/admin/backup", org["api_key"].(string), map[string]any{"dir": filepath.Join(dir, "b")}); st != 403 {
		t.Errorf("backup with a plain admin key = %d; want 403", st)
	}
}

// Scheduled backups run on the injected clock and keep the newest few.
func TestScheduledBackups(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "backups")
	s := apptest.Start(t, apptest.Options{Config: app.Config{BackupDir: dir, BackupEvery: time.Hour, BackupKeep: 2}})
	handMade := filepath.Join(t.TempDir(), "by-hand")
	s.JSON("POST", "/api/admin/backup", adminKey, map[string]any{"dir": handMade}, 201)
	for range 3 {
		s.Clock.Advance(time.Hour)
	}
	s.WaitFor("two scheduled backups kept", func() error {
		ents, err := os.ReadDir(dir)
		if err != nil {
			return err
		}
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		sort.Strings(names)
		want := []string{"humd-20261125T170000Z", "humd-20261125T180000Z"}
		if fmt.Sprint(names) != fmt.Sprint(want) {
			return fmt.Errorf("backups = %v; want %v", names, want)
		}
		return nil
	})
	for _, n := range []string{"humd-20261125T170000Z", "humd-20261125T180000Z"} {
		if _, err := storage.VerifyBackup(filepath.Join(dir, n)); err != nil {
			t.Error(err)
		}
	}
	if _, err := storage.VerifyBackup(handMade); err != nil {
		t.Errorf("a backup made by hand was touched: %v", err)
	}
}
