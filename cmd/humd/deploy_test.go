package main

import (
	"bytes"
	"crypto/sha256"
	"debug/elf"
	"encoding/hex"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/humd/humd/app/apptest"
)

func TestHealthCommand(t *testing.T) {
	s := apptest.Start(t, apptest.Options{})
	if code, out, errs := runCLI(t, "health", "--url", s.URL); code != 0 || !strings.Contains(out, "ok (humd ") {
		t.Errorf("health of a running humd = %d %q %q", code, out, errs)
	}
	// Without --url it finds humd on HUMD_ADDR, even a wildcard one.
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(s.URL, "http://"))
	t.Setenv("HUMD_ADDR", "0.0.0.0:"+port)
	if code, _, errs := runCLI(t, "health"); code != 0 {
		t.Errorf("health on HUMD_ADDR = %d %q", code, errs)
	}
	s.Stop()
	if code, _, errs := runCLI(t, "health", "--url", s.URL); code != 1 || !strings.Contains(errs, "humd health:") {
		t.Errorf("health of a stopped humd = %d %q", code, errs)
	}
}

// The Dockerfile's promises: a build stage and a small final one, a static
// binary, a non-root user, /data as a volume, and a health check that needs
// nothing but humd. It is built where a container engine runs
// (docs/operations.md#packaging); here its text is checked.
func TestDockerfile(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	src := string(raw)
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`(?m)^FROM \S+ AS build$`),
		regexp.MustCompile(`(?m)^FROM gcr\.io/distroless/static\S*:nonroot$`),
		regexp.MustCompile(`CGO_ENABLED=0 go build`),
		regexp.MustCompile(`(?m)^COPY --from=build /out/humd /usr/local/bin/humd$`),
		regexp.MustCompile(`(?m)^USER 65532:65532$`),
		regexp.MustCompile(`(?m)^VOLUME /data$`),
		regexp.MustCompile(`(?m)^HEALTHCHECK .*CMD \["/usr/local/bin/humd", "health"\]$`),
	} {
		if !want.MatchString(src) {
			t.Errorf("Dockerfile lacks %s", want)
		}
	}
	if strings.Contains(src, "curl") && strings.Contains(src, "HEALTHCHECK") && regexp.MustCompile(`HEALTHCHECK.*curl`).MatchString(src) {
		t.Error("the health check calls curl, which the image does not have")
	}
}

// deploy/compose.yaml: humd with its data on a volume, behind Caddy, which
// waits for humd's health check and proxies to it.
func TestComposeExample(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "deploy", "compose.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Services map[string]struct {
			Build       any               `json:"build"`
			Image       string            `json:"image"`
			Environment map[string]string `json:"environment"`
			Volumes     []string          `json:"volumes"`
			Ports       []string          `json:"ports"`
			DependsOn   map[string]struct {
				Condition string `json:"condition"`
			} `json:"depends_on"`
		} `json:"services"`
	}
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	humd, caddy := doc.Services["humd"], doc.Services["caddy"]
	if humd.Build == nil || humd.Environment["HUMD_DATA"] != "/data" || !strings.HasPrefix(humd.Environment["HUMD_PUBLIC_URL"], "https://") ||
		len(humd.Volumes) != 1 || !strings.HasSuffix(humd.Volumes[0], ":/data") || len(humd.Ports) != 0 {
		t.Errorf("humd service = %+v", humd)
	}
	if !strings.HasPrefix(caddy.Image, "caddy:") || caddy.DependsOn["humd"].Condition != "service_healthy" ||
		!strings.Contains(strings.Join(caddy.Ports, " "), "443:443") {
		t.Errorf("caddy service = %+v", caddy)
	}
	caddyfile, err := os.ReadFile(filepath.Join("..", "..", "deploy", "Caddyfile"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(caddyfile), "reverse_proxy humd:8080") {
		t.Errorf("Caddyfile does not proxy to humd:\n%s", caddyfile)
	}
}

// deploy/humd.service passes systemd-analyze verify without a word, and
// its hardening keeps systemd's exposure score OK (2.5 or less of 10).
func TestSystemdUnit(t *testing.T) {
	sa, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("systemd-analyze is not installed")
	}
	raw, err := os.ReadFile(filepath.Join("..", "..", "deploy", "humd.service"))
	if err != nil {
		t.Fatal(err)
	}
	// verify wants ExecStart to exist: any executable stands in for humd.
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	unit := filepath.Join(t.TempDir(), "humd.service")
	if err := os.WriteFile(unit, bytes.ReplaceAll(raw, []byte("/usr/local/bin/humd"), []byte(self)), 0o644); err != nil {
		t.Fatal(err)
	}
	// Unknown keys and bad values are only warnings: any output fails.
	if out, err := exec.Command(sa, "verify", unit).CombinedOutput(); err != nil || len(bytes.TrimSpace(out)) > 0 {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
	out, err := exec.Command(sa, "security", "--offline=yes", unit).CombinedOutput()
	if err != nil {
		t.Skipf("systemd-analyze security --offline is not supported here: %v", err)
	}
	m := regexp.MustCompile(`Overall exposure level for humd\.service: ([0-9.]+)`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("no exposure level in:\n%s", out)
	}
	if score, _ := strconv.ParseFloat(string(m[1]), 64); score > 2.5 {
		t.Errorf("exposure %.1f, want 2.5 or less:\n%s", score, out)
	}
}

// make release builds stamped static binaries with their checksums; one
// platform (this one, so the binary can be run) stands for the four.
func TestMakeRelease(t *testing.T) {
	if testing.Short() {
		t.Skip("builds humd")
	}
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("make is not installed")
	}
	dist := t.TempDir()
	platform := runtime.GOOS + "/" + runtime.GOARCH
	cmd := exec.Command("make", "release", "PLATFORMS="+platform, "VERSION=9.8.7-test", "DIST="+dist)
	cmd.Dir = filepath.Join("..", "..")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("make release: %v\n%s", err, out)
	}
	name := "humd-9.8.7-test-" + runtime.GOOS + "-" + runtime.GOARCH
	bin, err := os.ReadFile(filepath.Join(dist, name))
	if err != nil {
		t.Fatal(err)
	}
	sums, err := os.ReadFile(filepath.Join(dist, "SHA256SUMS"))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(bin)
	if want := hex.EncodeToString(sum[:]) + "  " + name + "\n"; string(sums) != want {
		t.Errorf("SHA256SUMS = %q, want %q", sums, want)
	}
	if runtime.GOOS == "linux" {
		f, err := elf.Open(filepath.Join(dist, name))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		for _, p := range f.Progs {
			if p.Type == elf.PT_INTERP {
				t.Error("the release binary wants a dynamic loader; it should be static")
			}
		}
	}
	out, err := exec.Command(filepath.Join(dist, name), "--version").Output()
	if err != nil || string(out) != "humd 9.8.7-test\n" {
		t.Errorf("--version = %q %v", out, err)
	}
}
