package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestHelpListsEveryCommand(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"-h"}, {"help"}} {
		code, out, errs := runCLI(t, args...)
		if code != 0 {
			t.Errorf("%v = %d %s", args, code, errs)
		}
		for _, c := range []string{"serve", "import", "sandbox", "admin", "backup", "restore", "health", "completion", "version"} {
			if !regexp.MustCompile(`(?m)^  ` + c + `\s`).MatchString(out) {
				t.Errorf("%v does not list %s:\n%s", args, c, out)
			}
		}
	}
	for _, args := range [][]string{{"sandbox", "send", "--help"}, {"sandbox", "call", "--help"}, {"import", "providers", "--help"}} {
		code, out, _ := runCLI(t, args...)
		if code != 0 || !strings.Contains(out, "--url") && !strings.Contains(out, "--data") {
			t.Errorf("%v = %d\n%s", args, code, out)
		}
	}
	// Subcommands without their arguments keep their usage and exit 2.
	for _, args := range [][]string{{"sandbox"}, {"import"}, {"import", "providers"}, {"admin"}} {
		if code, _, errs := runCLI(t, args...); code != 2 || !strings.Contains(errs, "usage") {
			t.Errorf("%v = %d %q", args, code, errs)
		}
	}
}

func TestVersionAndCompletion(t *testing.T) {
	for _, args := range [][]string{{"--version"}, {"version"}} {
		if code, out, _ := runCLI(t, args...); code != 0 || out != "humd 0.1.0\n" {
			t.Errorf("%v = %d %q", args, code, out)
		}
	}
	for _, sh := range []string{"bash", "zsh", "fish"} {
		if code, out, errs := runCLI(t, "completion", sh); code != 0 || !strings.Contains(out, "humd") || len(out) < 500 {
			t.Errorf("completion %s = %d %q", sh, code, errs)
		}
	}
}

// A flag wins over its environment variable, which wins over the config
// file; every source is checked.
func TestSettingsPrecedence(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "humd.yaml")
	if err := os.WriteFile(cfg, []byte("addr: 127.0.0.1:7001\ndata: /srv/from-file\nmodel: from-file\nkey-rate-limit: 5\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("HUMD_DATA", "/srv/from-env")
	t.Setenv("HUMD_MODEL", "from-env")
	t.Setenv("OPENAI_API_KEY", "sk-test-not-a-real-key")
	code, out, errs := runCLI(t, "serve", "--config", cfg, "--check-config", "--model", "from-flag")
	if code != 0 || !strings.Contains(out, "addr 127.0.0.1:7001") || !strings.Contains(out, "data /srv/from-env") || !strings.Contains(out, "model from-flag") {
		t.Errorf("= %d %q %q; want addr from the file, data from the env, model from the flag", code, out, errs)
	}
	// HUMD_CONFIG names the file too, and the root command is serve.
	t.Setenv("HUMD_CONFIG", cfg)
	if code, out, _ := runCLI(t, "-check-config"); code != 0 || !strings.Contains(out, "addr 127.0.0.1:7001") {
		t.Errorf("HUMD_CONFIG = %d %q", code, out)
	}
	if err := os.WriteFile(cfg, []byte("adress: x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, errs := runCLI(t, "-check-config"); code != 2 || !strings.Contains(errs, `"adress" is not a setting`) {
		t.Errorf("unknown key = %d %q", code, errs)
	}
	t.Setenv("HUMD_CONFIG", "")
	t.Setenv("HUMD_KEY_RATE_LIMIT", "lots")
	if code, _, errs := runCLI(t, "-check-config"); code != 2 || !strings.Contains(errs, "HUMD_KEY_RATE_LIMIT") {
		t.Errorf("malformed variable = %d %q", code, errs)
	}
	t.Setenv("HUMD_KEY_RATE_LIMIT", "")
	t.Setenv("HUMD_LOG_FORMAT", "xml")
	if code, _, errs := runCLI(t, "-check-config"); code != 2 || !strings.Contains(errs, "HUMD_LOG_FORMAT") {
		t.Errorf("bad log format = %d %q", code, errs)
	}
}

// Every setting is documented once, in docs/configuration.md's table, and
// named in humd serve --help; the table names no setting humd lacks.
func TestSettingsDocumented(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "docs", "configuration.md"))
	if err != nil {
		t.Fatal(err)
	}
	var table strings.Builder
	for _, line := range strings.Split(string(raw), "\n") {
		if strings.HasPrefix(line, "| `") {
			table.WriteString(line + "\n")
		}
	}
	_, help, _ := runCLI(t, "serve", "--help")
	known := map[string]bool{"HUMD_CONFIG": true}
	for _, s := range settingsTable {
		known[s.env] = true
		if !strings.Contains(table.String(), "`"+s.env+"`") {
			t.Errorf("docs/configuration.md's table lacks %s", s.env)
		}
	}
	for _, name := range serverSettings {
		s, _ := lookupSetting(name)
		if !strings.Contains(help, "--"+name) || !strings.Contains(help, s.env) {
			t.Errorf("humd serve --help lacks --%s (%s)", name, s.env)
		}
	}
	for _, env := range regexp.MustCompile("`((?:HUMD|TWILIO|OPENAI)_[A-Z_]+)`").FindAllStringSubmatch(table.String(), -1) {
		if !known[env[1]] {
			t.Errorf("docs/configuration.md documents %s, which is no setting", env[1])
		}
	}
}

// The retention settings come from flags, the environment or the file like
// every other, and -check-config refuses values retention cannot use.
func TestRetentionSettingsValidated(t *testing.T) {
	for _, tc := range []struct {
		args []string
		env  map[string]string
		bad  string // "" when valid
	}{
		{args: []string{"--retention-events", "2160h", "--retention-ai-runs", "8760h", "--retention-every", "15m", "--retention-batch", "500"}},
		{env: map[string]string{"HUMD_RETENTION_WEBHOOK_DELIVERIES": "48h", "HUMD_RETENTION_SANDBOX": "1h"}},
		{args: []string{"--retention-events", "30m"}, bad: "HUMD_RETENTION_EVENTS"},
		{env: map[string]string{"HUMD_RETENTION_AI_RUNS": "-1h"}, bad: "HUMD_RETENTION_AI_RUNS"},
		{env: map[string]string{"HUMD_RETENTION_WEBHOOK_DELIVERIES": "10s"}, bad: "HUMD_RETENTION_WEBHOOK_DELIVERIES"},
		{args: []string{"--retention-sandbox", "59m"}, bad: "HUMD_RETENTION_SANDBOX"},
		{args: []string{"--retention-every", "10s"}, bad: "HUMD_RETENTION_EVERY"},
		{args: []string{"--retention-batch", "-1"}, bad: "HUMD_RETENTION_BATCH"},
		{env: map[string]string{"HUMD_RETENTION_BATCH": "2000000"}, bad: "HUMD_RETENTION_BATCH"},
		{env: map[string]string{"HUMD_RETENTION_EVENTS": "a month"}, bad: "HUMD_RETENTION_EVENTS"},
	} {
		for k, v := range tc.env {
			t.Setenv(k, v)
		}
		code, _, errs := runCLI(t, append([]string{"serve", "--check-config"}, tc.args...)...)
		switch {
		case tc.bad == "" && code != 0:
			t.Errorf("%v %v = %d %q; want valid", tc.args, tc.env, code, errs)
		case tc.bad != "" && (code != 2 || !strings.Contains(errs, tc.bad)):
			t.Errorf("%v %v = %d %q; want 2 naming %s", tc.args, tc.env, code, errs, tc.bad)
		}
		for k := range tc.env {
			t.Setenv(k, "")
		}
	}
}
