package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
	"unicode"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// The docs are a contract with a new user: every shell block of README.md
// and docs/*.md is run, as written, against a fresh humd, so an example
// cannot rot (a send_at date that passed, a host resolved on save, a
// placeholder SID). Blocks that cannot run here say so, with a reason, in
// an HTML comment on the line before the fence:
//
//	<!-- norun: starts a server in the foreground -->
//	```sh
//
// Each page runs in one bash session (set -euo pipefail), its blocks in
// order, against its own humd on a fresh data dir, with KEY, HUMD and
// RECEIVER exported and the built humd first on PATH. curl is told (through
// a curlrc the docs do not show) to fail on an HTTP error and say so, since
// `curl -s` alone would let a 422 pass for a working example.
// HUMD_DOCS_OUTPUT=1 logs every page's output.

const (
	docsReadmeMax = 12 * 1024
	docsKey       = "hum_live_docs_example_key_0123456789"
	docsPageLimit = 3 * time.Minute
)

// docsBlock is one fenced shell block of a page.
type docsBlock struct {
	n     int // 1-based among the page's shell blocks
	line  int // the fence's line
	text  string
	norun string // the reason, when the block is not run
}

var (
	fenceRE = regexp.MustCompile("^```\\s*([A-Za-z0-9_-]*)")
	norunRE = regexp.MustCompile(`^<!--\s*norun:\s*(.*?)\s*-->\s*$`)
)

// parseDocsBlocks answers the shell blocks (sh, bash) of a Markdown page.
func parseDocsBlocks(src string) ([]docsBlock, error) {
	var (
		out     []docsBlock
		inFence bool
		shell   bool
		cur     docsBlock
		pending string // a norun reason waiting for its fence
		pendAt  int
		body    strings.Builder
	)
	for i, line := range strings.Split(src, "\n") {
		n := i + 1
		if inFence {
			if strings.HasPrefix(strings.TrimSpace(line), "```") {
				inFence = false
				if shell {
					cur.text = body.String()
					out = append(out, cur)
				}
				continue
			}
			if shell {
				body.WriteString(line)
				body.WriteByte('\n')
			}
			continue
		}
		if m := norunRE.FindStringSubmatch(line); m != nil {
			if m[1] == "" {
				return nil, fmt.Errorf("line %d: a norun marker needs a reason", n)
			}
			pending, pendAt = m[1], n
			continue
		}
		if m := fenceRE.FindStringSubmatch(line); m != nil {
			inFence = true
			shell = m[1] == "sh" || m[1] == "bash"
			if pending != "" && !shell {
				return nil, fmt.Errorf("line %d: norun marker before a %q block, not a shell block", pendAt, m[1])
			}
			if shell {
				body.Reset()
				cur = docsBlock{n: len(out) + 1, line: n, norun: pending}
			}
			pending = ""
			continue
		}
		if pending != "" && strings.TrimSpace(line) != "" {
			return nil, fmt.Errorf("line %d: norun marker not followed by a shell block", pendAt)
		}
	}
	if inFence {
		return nil, fmt.Errorf("unclosed code fence")
	}
	return out, nil
}

func TestParseDocsBlocks(t *testing.T) {
	src := "text\n```sh\necho a\n```\n<!-- norun: needs Twilio -->\n\n```bash\nmake run\n```\n```json\n{}\n```\n```\nplain\n```\n"
	bs, err := parseDocsBlocks(src)
	if err != nil {
		t.Fatal(err)
	}
	if len(bs) != 2 || bs[0].text != "echo a\n" || bs[0].norun != "" || bs[1].norun != "needs Twilio" || bs[1].line != 7 {
		t.Fatalf("blocks = %+v", bs)
	}
	for _, bad := range []string{"<!-- norun: x -->\n```json\n{}\n```\n", "<!-- norun: x -->\ntext\n```sh\nx\n```\n", "```sh\nx\n", "<!-- norun: -->\n```sh\nx\n```\n"} {
		if _, err := parseDocsBlocks(bad); err == nil {
			t.Errorf("parseDocsBlocks(%q) accepted", bad)
		}
	}
}

// docsPages answers README.md and then docs/*.md, relative to the repository.
func docsPages(t *testing.T, root string) []string {
	t.Helper()
	pages, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(pages)
	out := []string{"README.md"}
	for _, p := range pages {
		rel, _ := filepath.Rel(root, p)
		out = append(out, filepath.ToSlash(rel))
	}
	return out
}

var (
	mdLinkRE = regexp.MustCompile(`\]\(([^)\s]+)\)`)
	// References to documents a user does not have: specification
	// sections, decision and seed numbers, internal notes.
	literalURLRE = regexp.MustCompile(`\b(?:https?|wss?)://[^\s'"]+`)
	foreignRefRE = regexp.MustCompile(`\bSPEC\b|\bD-\d+\b|\bA\d{2,3}\b|\bseeds? \d{3}\b|LIBRARIES\.md|STYLE\.md|HELPERS\.md|DESIGN\d*\.md`)
)

// mdAnchors answers the anchors a Markdown renderer gives a page's
// headings: lower case, punctuation dropped, spaces as hyphens.
func mdAnchors(src string) []string {
	var out []string
	fenced := false
	for _, line := range strings.Split(src, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			fenced = !fenced
		}
		if fenced || !strings.HasPrefix(line, "#") {
			continue
		}
		var b strings.Builder
		for _, r := range strings.ToLower(strings.TrimSpace(strings.TrimLeft(line, "#"))) {
			switch {
			case r == ' ':
				b.WriteByte('-')
			case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
				b.WriteRune(r)
			}
		}
		out = append(out, b.String())
	}
	return out
}

// TestDocsShape keeps the README a front door: small, linking every page,
// and no page citing documents outside the repository.
func TestDocsShape(t *testing.T) {
	root := filepath.Join("..", "..")
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if len(readme) > docsReadmeMax {
		t.Errorf("README.md is %d bytes; keep it under %d and move reference text into docs/", len(readme), docsReadmeMax)
	}
	pages := docsPages(t, root)
	if len(pages) < 2 {
		t.Fatal("no docs/*.md pages")
	}
	for _, p := range pages[1:] {
		if !strings.Contains(string(readme), "]("+p+")") {
			t.Errorf("README.md does not link %s", p)
		}
	}
	for _, p := range pages {
		src, err := os.ReadFile(filepath.Join(root, p))
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(src), "\n") {
			if m := foreignRefRE.FindString(line); m != "" {
				t.Errorf("%s:%d: %q cites a document users do not have; say it in words", p, i+1, m)
			}
			for _, m := range mdLinkRE.FindAllStringSubmatch(line, -1) {
				target := m[1]
				if strings.Contains(target, "://") || strings.HasPrefix(target, "#") || strings.HasPrefix(target, "mailto:") {
					continue
				}
				target, anchor, _ := strings.Cut(target, "#")
				dest, err := os.ReadFile(filepath.Join(root, filepath.Dir(p), target))
				if err != nil {
					t.Errorf("%s:%d: link to %s: %v", p, i+1, m[1], err)
					continue
				}
				if anchor != "" && !slices.Contains(mdAnchors(string(dest)), anchor) {
					t.Errorf("%s:%d: link to %s: no heading with that anchor", p, i+1, m[1])
				}
			}
		}
		blocks, err := parseDocsBlocks(string(src))
		if err != nil {
			t.Errorf("%s: %v", p, err)
		}
		// A host written into an example is resolved (or refused) when
		// humd saves it, and example hosts do not resolve: examples reach
		// other systems through $RECEIVER, or humd through $HUMD.
		for _, b := range blocks {
			if b.norun == "" {
				for _, u := range literalURLRE.FindAllString(b.text, -1) {
					t.Errorf("%s block %d (line %d): literal URL %s; use $HUMD or $RECEIVER", p, b.n, b.line, u)
				}
			}
		}
	}
}

// TestDocsExamples runs the shell blocks of every page (see the top of the
// file).
func TestDocsExamples(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs humd")
	}
	for _, tool := range []string{"bash", "curl", "python3"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("the docs' examples need %s: %v", tool, err)
		}
	}
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	type page struct {
		path   string
		blocks []docsBlock
	}
	var all []page
	for _, p := range docsPages(t, root) {
		src, err := os.ReadFile(filepath.Join(root, p))
		if err != nil {
			t.Fatal(err)
		}
		bs, err := parseDocsBlocks(string(src))
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		all = append(all, page{p, bs})
	}

	bin := t.TempDir()
	build := exec.Command("go", "build", "-o", filepath.Join(bin, "humd"), ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	curlHome := t.TempDir()
	if err := os.WriteFile(filepath.Join(curlHome, ".curlrc"), []byte("fail-with-body\nshow-error\nmax-time = 30\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	recv := startDocsReceiver(t)

	var mu sync.Mutex
	ran, skipped := 0, 0
	t.Run("pages", func(t *testing.T) {
		for _, pg := range all {
			t.Run(pg.path, func(t *testing.T) {
				t.Parallel()
				var run []docsBlock
				for _, b := range pg.blocks {
					if b.norun != "" {
						t.Logf("%s block %d (line %d) not run: %s", pg.path, b.n, b.line, b.norun)
						continue
					}
					run = append(run, b)
				}
				mu.Lock()
				ran, skipped = ran+len(run), skipped+len(pg.blocks)-len(run)
				mu.Unlock()
				if len(run) == 0 {
					return
				}
				humd := startDocsHumd(t, filepath.Join(bin, "humd"))
				runDocsPage(t, pg.path, run, docsEnv(bin, curlHome, humd, recv))
			})
		}
	})
	t.Logf("ran %d shell blocks; %d marked norun", ran, skipped)
}

// docsEnv is the environment of the examples: the caller's, without any
// humd, Twilio or OpenAI setting, plus what the README tells a user to
// export.
func docsEnv(bin, curlHome, humd, recv string) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "HUMD") || strings.HasPrefix(k, "TWILIO_") || strings.HasPrefix(k, "OPENAI_") ||
			k == "KEY" || k == "RECEIVER" || k == "PATH" || k == "CURL_HOME" {
			continue
		}
		env = append(env, kv)
	}
	return append(env, "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"), "CURL_HOME="+curlHome,
		"KEY="+docsKey, "HUMD="+humd, "RECEIVER="+recv)
}

// runDocsPage runs a page's blocks in one bash session, in order, and fails
// with the page, block and its output at the first that fails.
func runDocsPage(t *testing.T, path string, blocks []docsBlock, env []string) {
	dir := t.TempDir()
	mark := fmt.Sprintf("@@docs-block-%d@@", time.Now().UnixNano())
	var script strings.Builder
	script.WriteString("set -euo pipefail\n")
	for _, b := range blocks {
		f := filepath.Join(dir, fmt.Sprintf("block%02d.sh", b.n))
		if err := os.WriteFile(f, []byte(b.text), 0o600); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&script, "echo '%s %d'\nsource %s\necho\n", mark, b.n, f)
	}
	ctx, cancel := context.WithTimeout(context.Background(), docsPageLimit)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-c", script.String())
	cmd.Dir = dir
	cmd.Env = env
	cmd.Stdin = strings.NewReader("")
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	cmd.WaitDelay = 5 * time.Second
	err := cmd.Run()
	if os.Getenv("HUMD_DOCS_OUTPUT") != "" {
		t.Logf("%s output:\n%s", path, out.String())
	}
	if err == nil {
		return
	}
	// The last marker names the block that was running.
	outs := strings.Split(out.String(), mark+" ")
	last := outs[len(outs)-1]
	num, rest, _ := strings.Cut(last, "\n")
	for _, b := range blocks {
		if fmt.Sprint(b.n) == num {
			t.Fatalf("%s block %d (line %d) failed: %v\n--- block\n%s--- output\n%s", path, b.n, b.line, err, b.text, rest)
		}
	}
	t.Fatalf("%s: bash failed before any block: %v\n%s", path, err, out.String())
}

// startDocsHumd starts the built humd on a fresh data dir and a free
// loopback port, answers its base URL once /api/health answers, and stops
// it when the test ends.
func startDocsHumd(t *testing.T, bin string) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	cmd := exec.Command(bin, "serve")
	cmd.Dir = t.TempDir()
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if !strings.HasPrefix(k, "HUMD") && !strings.HasPrefix(k, "TWILIO_") && !strings.HasPrefix(k, "OPENAI_") {
			env = append(env, kv)
		}
	}
	cmd.Env = append(env, "HUMD_ADDR="+addr, "HUMD_DATA="+filepath.Join(cmd.Dir, "data"), "HUMD_ADMIN_KEY="+docsKey,
		"HUMD_ALLOW_PRIVATE_WEBHOOKS=true", "HUMD_LOG_LEVEL=warn")
	var logs syncBuffer
	cmd.Stdout = &logs
	cmd.Stderr = &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		if t.Failed() {
			t.Logf("humd's output:\n%s", logs.String())
		}
	})
	base := "http://" + addr
	deadline := time.Now().Add(30 * time.Second)
	for {
		select {
		case err := <-done:
			t.Fatalf("humd exited: %v\n%s", err, logs.String())
		case <-time.After(50 * time.Millisecond):
		}
		resp, err := http.Get(base + "/api/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return base
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("humd did not answer /api/health: %v\n%s", err, logs.String())
		}
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startDocsReceiver is "your system" of the docs ($RECEIVER): it answers
// webhooks, the CRM contract, HTTP tools and an MCP server with one tool,
// on loopback (humd runs with HUMD_ALLOW_PRIVATE_WEBHOOKS=true to reach it).
func startDocsReceiver(t *testing.T) string {
	t.Helper()
	srv := mcp.NewServer(&mcp.Implementation{Name: "shop", Version: "1"}, nil)
	type orderArgs struct {
		OrderID string `json:"order_id" jsonschema:"the order number"`
	}
	mcp.AddTool(srv, &mcp.Tool{Name: "get_order", Description: "Look up an order's status."},
		func(_ context.Context, _ *mcp.CallToolRequest, in orderArgs) (*mcp.CallToolResult, any, error) {
			return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: "order " + in.OrderID + " shipped on Monday"}}}, nil, nil
		})
	mcpHandler := mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return srv }, &mcp.StreamableHTTPOptions{Stateless: true, JSONResponse: true})
	mux := http.NewServeMux()
	mux.Handle("/mcp", mcpHandler)
	answer := func(v any) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(v)
		}
	}
	mux.Handle("POST /crm/contacts/lookup", answer(map[string]any{"found": false}))
	mux.Handle("POST /crm/contacts", answer(map[string]any{"contact": map[string]any{"id": "crm_1001"}}))
	mux.Handle("/", answer(map[string]any{"ok": true, "status": "shipped", "name": "Ada Lovelace"}))
	ts := httptest.NewServer(mux)
	t.Cleanup(ts.Close)
	return ts.URL
}
