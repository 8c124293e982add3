package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheckConfig(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"-check-config"}, &out, &errb); code != 0 || !strings.Contains(out.String(), "configuration ok") {
		t.Errorf("-check-config = %d %q %q", code, out.String(), errb.String())
	}
	out.Reset()
	errb.Reset()
	if code := run([]string{"serve", "-check-config", "-addr", "nope", "-public-url", "ftp://x"}, &out, &errb); code != 2 ||
		!strings.Contains(errb.String(), "HUMD_ADDR") || !strings.Contains(errb.String(), "HUMD_PUBLIC_URL") {
		t.Errorf("bad config = %d %q", code, errb.String())
	}
	errb.Reset()
	if code := run([]string{"-check-config", "-twilio-account-sid", "ACx"}, &out, &errb); code != 2 || !strings.Contains(errb.String(), "together") {
		t.Errorf("half of the Twilio credentials = %d %q", code, errb.String())
	}
}

func TestImportProviders(t *testing.T) {
	dir := t.TempDir()
	var out, errb bytes.Buffer
	code := run([]string{"import", "providers", "--data", dir, filepath.Join("..", "..", "docs", "providers-example.csv")}, &out, &errb)
	if code != 0 || !strings.Contains(out.String(), "imported 4 providers") {
		t.Fatalf("import = %d %q %q", code, out.String(), errb.String())
	}
	bad := filepath.Join(t.TempDir(), "bad.csv")
	if err := os.WriteFile(bad, []byte("zip,provider_id,provider_name,technology,max_download_mbps,max_upload_mbps,min_price_cents,telephone,url\n4803,x,X,fiber,1,1,,,\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	errb.Reset()
	if code := run([]string{"import", "providers", "--data", dir, bad}, &out, &errb); code != 1 || !strings.Contains(errb.String(), "line 2") {
		t.Errorf("bad file = %d %q; want an error naming line 2", code, errb.String())
	}
}

func TestUnknownCommand(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"frobnicate"}, &out, &errb); code != 2 {
		t.Errorf("unknown command = %d", code)
	}
}
