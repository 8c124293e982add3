package main

import (
	"bufio"
	"encoding/json"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/humd/humd/app/apptest"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/tenancy"
)

// HUMD_LOG_FORMAT=json writes one JSON object a line, redacted like text,
// and each request's line carries its request id and org.
func TestJSONLogs(t *testing.T) {
	var buf syncBuffer
	log, err := newLogger(&buf, "info", "json")
	if err != nil {
		t.Fatal(err)
	}
	s := apptest.Start(t, apptest.Options{Logger: log})
	log.Info("dial", "err", "POST failed: Authorization: Bearer "+apptest.AdminKey)
	s.JSON("GET", "/api/me", apptest.AdminKey, nil, 200)
	s.Stop()
	var sawRequest, sawRedacted bool
	for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("not a JSON line: %q: %v", line, err)
		}
		if strings.Contains(line, apptest.AdminKey) {
			t.Errorf("secret in the log: %s", line)
		}
		if rec["msg"] == "dial" && strings.Contains(rec["err"].(string), logRedacted) {
			sawRedacted = true
		}
		if rec["msg"] == "http" && rec["route"] == "/api/me" {
			sawRequest = true
			if id, _ := rec["request_id"].(string); !strings.HasPrefix(id, "req_") || rec["org"] != s.OrgID() {
				t.Errorf("request line = %v; want its request_id and org %s", rec, s.OrgID())
			}
		}
	}
	if !sawRequest || !sawRedacted {
		t.Errorf("request line %v, redacted line %v in:\n%s", sawRequest, sawRedacted, buf.String())
	}
	if _, err := newLogger(&buf, "info", "xml"); err == nil {
		t.Error("log format xml accepted")
	}
}

const logRedacted = "[redacted]"

// stoppedData makes a data directory as a first start leaves it, and
// answers it with its org's id.
func stoppedData(t *testing.T) (string, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "data")
	s := apptest.Start(t, apptest.Options{Dir: dir})
	org := s.OrgID()
	s.Stop()
	return dir, org
}

func authenticate(t *testing.T, dir, key string) *tenancy.Principal {
	t.Helper()
	st, err := storage.Open(dir, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	p, err := (&tenancy.Repo{Store: st}).Authenticate(key)
	if err != nil {
		t.Fatalf("the printed key does not work: %v", err)
	}
	return p
}

func TestAdminCreateKey(t *testing.T) {
	dir, org := stoppedData(t)
	code, out, errs := runCLI(t, "admin", "create-key", "--data", dir, "--org", org, "--role", "operator")
	if code != 0 {
		t.Fatalf("create-key = %d %s", code, errs)
	}
	if p := authenticate(t, dir, strings.TrimSpace(out)); p.OrgID != org || p.Role != tenancy.Operator || p.SiteAdmin {
		t.Errorf("operator key = %+v", p)
	}
	code, out, errs = runCLI(t, "admin", "create-key", "--data", dir, "--org", "My Organization", "--site-admin")
	if code != 0 {
		t.Fatalf("create-key --site-admin = %d %s", code, errs)
	}
	if p := authenticate(t, dir, strings.TrimSpace(out)); p.Role != tenancy.Admin || !p.SiteAdmin {
		t.Errorf("site admin key = %+v", p)
	}
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--data", dir, "--org", "nope"}, 1, "no org"},
		{[]string{"--data", dir, "--org", org, "--role", "root"}, 1, "role"},
		{[]string{"--data", filepath.Join(dir, "missing"), "--org", org}, 1, "no humd data"},
		{[]string{"--data", dir}, 2, "org"},
	} {
		if code, out, errs := runCLI(t, append([]string{"admin", "create-key"}, tc.args...)...); code != tc.code || out != "" || !strings.Contains(errs, tc.want) {
			t.Errorf("%v = %d %q %q; want %d naming %q", tc.args, code, out, errs, tc.code, tc.want)
		}
	}

	// Another process holding the directory: refused, with the way out.
	holder := exec.Command(os.Args[0], "-test.run=^TestHelperHoldData$")
	holder.Env = append(os.Environ(), "HUMD_TEST_HOLD="+dir)
	stdin, _ := holder.StdinPipe()
	stdout, _ := holder.StdoutPipe()
	if err := holder.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { stdin.Close(); _ = holder.Wait() }()
	if line, err := bufio.NewReader(stdout).ReadString('\n'); err != nil || line != "holding\n" {
		t.Fatalf("holder: %q %v", line, err)
	}
	code, out, errs = runCLI(t, "admin", "create-key", "--data", dir, "--org", org)
	if code != 1 || out != "" || !strings.Contains(errs, "in use by a running humd") || !strings.Contains(errs, "POST /api/api-keys") {
		t.Errorf("create-key on a held dir = %d %q %q", code, out, errs)
	}
}

// humd admin reset-password gives a console user a new password on a
// stopped humd's data.
func TestAdminResetPassword(t *testing.T) {
	dir, _ := stoppedData(t)
	code, out, errs := runCLI(t, "admin", "reset-password", "--data", dir, "--email", "admin@localhost")
	if code != 0 {
		t.Fatalf("reset-password = %d %s", code, errs)
	}
	st, err := storage.Open(dir, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = (&tenancy.Repo{Store: st}).CheckPassword("admin@localhost", strings.TrimSpace(out))
	st.Close()
	if err != nil {
		t.Fatalf("the printed password does not sign in: %v", err)
	}
	if code, out, errs := runCLI(t, "admin", "reset-password", "--data", dir, "--email", "nobody@example.com"); code != 1 || out != "" || errs == "" {
		t.Errorf("unknown email = %d %q %q; want 1 and a reason", code, out, errs)
	}
}

// TestHelperHoldData is not a test: TestAdminCreateKey runs it in another
// process to hold a data directory open until its stdin closes.
func TestHelperHoldData(t *testing.T) {
	dir := os.Getenv("HUMD_TEST_HOLD")
	if dir == "" {
		t.Skip("a helper process")
	}
	st, err := storage.Open(dir, storage.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	os.Stdout.WriteString("holding\n")
	_, _ = bufio.NewReader(os.Stdin).ReadString('\n')
	_ = st.Close()
}

// humd backup asks a running humd for a backup and verifies it; humd
// restore fills an empty data dir only, and a humd starts on it.
func TestBackupAndRestoreCommands(t *testing.T) {
	s := apptest.Start(t, apptest.Options{})
	to := filepath.Join(t.TempDir(), "b1")
	if code, _, errs := runCLI(t, "backup", "--url", s.URL, "--to", to); code != 2 || !strings.Contains(errs, "--key") {
		t.Errorf("backup without a key = %d %q", code, errs)
	}
	code, out, errs := runCLI(t, "backup", "--url", s.URL, "--key", apptest.AdminKey, "--to", to)
	if code != 0 || !strings.Contains(out, "(verified)") {
		t.Fatalf("backup = %d %q %q", code, out, errs)
	}
	if code, _, errs := runCLI(t, "backup", "--url", s.URL, "--key", apptest.AdminKey, "--to", to); code != 1 || !strings.Contains(errs, "409") {
		t.Errorf("backup onto an existing dir = %d %q", code, errs)
	}
	org := s.OrgID()
	s.Stop()
	data := filepath.Join(t.TempDir(), "restored")
	if code, out, errs := runCLI(t, "restore", "--from", to, "--data", data); code != 0 || !strings.Contains(out, "restored") {
		t.Fatalf("restore = %d %q %q", code, out, errs)
	}
	if code, _, errs := runCLI(t, "restore", "--from", to, "--data", data); code != 1 || !strings.Contains(errs, "not empty") {
		t.Errorf("restore over data = %d %q", code, errs)
	}
	r := apptest.Start(t, apptest.Options{Dir: data})
	if got := r.JSON("GET", "/api/org", apptest.AdminKey, nil, 200)["id"]; got != org {
		t.Errorf("restored org %v; want %s", got, org)
	}
}
