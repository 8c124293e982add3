package consolebrowser_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/accessibility"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/dom"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/humd/humd/app"
	"github.com/humd/humd/app/apptest"
)

const (
	adminEmail    = "admin@localhost"
	adminPassword = "correct horse battery"
	adminKey      = apptest.AdminKey
	// waitFor bounds every wait for the page (2 busy cores, a cold
	// chromium).
	waitFor = 20 * time.Second
)

// The one chromium of the package, started by the first test that needs it
// and stopped by TestMain.
var (
	browserOnce sync.Once
	browserRoot context.Context
	browserErr  error
	stopBrowser = func() {}
)

func TestMain(m *testing.M) {
	code := m.Run()
	stopBrowser()
	os.Exit(code)
}

// chromiumPath finds Debian's chromium (or another build of it).
func chromiumPath() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// root answers the shared browser, or skips the test without one.
func root(t *testing.T) context.Context {
	t.Helper()
	path := chromiumPath()
	if path == "" {
		t.Skip("chromium not installed: browser tests skipped")
	}
	browserOnce.Do(func() {
		opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.DisableGPU,
			chromedp.Flag("disable-dev-shm-usage", true), chromedp.WindowSize(1280, 900))
		if os.Geteuid() == 0 {
			opts = append(opts, chromedp.NoSandbox) // root cannot use chromium's sandbox
		}
		alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
		ctx, cancel := chromedp.NewContext(alloc)
		// The first Do starts chromium and binds it to ctx itself: a
		// deadline here would be the browser's lifetime.
		if err := chromedp.Do(ctx); err != nil {
			browserErr = err
		}
		browserRoot = ctx
		stopBrowser = func() { cancel(); cancelAlloc() }
	})
	if browserErr != nil {
		t.Fatalf("start chromium: %v", browserErr)
	}
	return browserRoot
}

// user is one person at the browser: a tab in a browser context of its own
// (its own cookies), and the server it talks to.
type user struct {
	t   *testing.T
	s   *apptest.Server
	ctx context.Context
}

func newUser(t *testing.T, s *apptest.Server) *user {
	t.Helper()
	ctx, cancel := chromedp.NewContext(root(t), chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	// The first Do opens the tab and binds it to ctx (a deadline here
	// would close it).
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("open a tab: %v", err)
	}
	return &user{t: t, s: s, ctx: ctx}
}

// do runs actions with a deadline.
func (u *user) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	u.t.Helper()
	ctx, cancel := context.WithTimeout(u.ctx, waitFor)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		u.t.Fatalf("%s: %v (at %s)", what, err, u.location())
	}
}

func (u *user) location() string {
	ctx, cancel := context.WithTimeout(u.ctx, 2*time.Second)
	defer cancel()
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	return loc
}

// open loads a page of the server.
func (u *user) open(path string) {
	u.t.Helper()
	u.do("open "+path, chromedp.Navigate(u.s.URL+path))
}

// waitText waits until an element of an XPath shows text (WaitVisible
// polls the page until the deadline).
func (u *user) waitText(xpath, text string) {
	u.t.Helper()
	sel := fmt.Sprintf(`%s[contains(normalize-space(.), %s)]`, xpath, xpathString(text))
	ctx, cancel := context.WithTimeout(u.ctx, waitFor)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.WaitVisible(sel)); err != nil {
		shown, _ := eval2[string](u, `document.body ? document.body.innerText : ""`)
		u.t.Fatalf("%s never showed %q: %v (at %s); the page shows:\n%s", xpath, text, err, u.location(), shown)
	}
}

// xpathString quotes s for XPath 1.0 (which has no escapes).
func xpathString(s string) string {
	if !strings.Contains(s, `"`) {
		return `"` + s + `"`
	}
	return `'` + s + `'`
}

func eval2[T any](u *user, expr string) (T, error) {
	ctx, cancel := context.WithTimeout(u.ctx, 5*time.Second)
	defer cancel()
	return chromedp.Run(ctx, chromedp.Evaluate[T](expr))
}

// eval runs an expression in the page.
func eval[T any](u *user, expr string) T {
	u.t.Helper()
	ctx, cancel := context.WithTimeout(u.ctx, waitFor)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		u.t.Fatalf("eval %s: %v", expr, err)
	}
	return v
}

// byName finds elements of a role by their accessible name, as assistive
// technology names them (a field by its label, a button by its text).
func byName(role, name string) chromedp.QueryOption {
	return chromedp.ByFunc(func(ctx context.Context, t *chromedp.Target, n *chromedp.Node) ([]cdp.NodeID, error) {
		res, err := cdp.Call(ctx, t, accessibility.QueryAXTree, accessibility.QueryAXTreeParams{NodeID: n.NodeID, AccessibleName: name, Role: role})
		if err != nil {
			return nil, err
		}
		var backend []cdp.BackendNodeID
		for _, ax := range res.Nodes {
			if !ax.Ignored && ax.BackendDOMNodeID != 0 {
				backend = append(backend, ax.BackendDOMNodeID)
			}
		}
		if len(backend) == 0 {
			return nil, nil
		}
		ids, err := cdp.Call(ctx, t, dom.PushNodesByBackendIDsToFrontend, dom.PushNodesByBackendIDsToFrontendParams{BackendNodeIDs: backend})
		return ids.NodeIDs, err
	})
}

// field, button and link are the controls of that accessible name.
func field(name string) (string, chromedp.QueryOption) {
	return "field " + name, byName("textbox", name)
}
func button(name string) (string, chromedp.QueryOption) {
	return "button " + name, byName("button", name)
}
func link(name string) (string, chromedp.QueryOption) { return "link " + name, byName("link", name) }

func (u *user) typeInto(name, text string) {
	u.t.Helper()
	label, by := field(name)
	u.do("find "+name, chromedp.WaitVisible(label, by))
	ctx, cancel := context.WithTimeout(u.ctx, waitFor)
	defer cancel()
	if v, err := chromedp.Run(ctx, chromedp.Value(label, by)); err != nil {
		u.t.Fatalf("read %s: %v", name, err)
	} else if v != "" {
		u.do("clear "+name, chromedp.Clear(label, by))
	}
	u.do("type into "+name, chromedp.SendKeys(label, text, by))
}

func (u *user) click(sel func(string) (string, chromedp.QueryOption), name string) {
	u.t.Helper()
	label, by := sel(name)
	u.do("click "+label, chromedp.WaitVisible(label, by), chromedp.Click(label, by))
}

// absent checks that no control of that role and name is on the page.
func (u *user) absent(role, name string) {
	u.t.Helper()
	ctx, cancel := context.WithTimeout(u.ctx, waitFor)
	defer cancel()
	nodes, err := chromedp.Run(ctx, chromedp.QueryNodeIDs("", byName(role, name), chromedp.AtLeast(0)))
	if err != nil {
		u.t.Fatalf("look for %s %q: %v", role, name, err)
	}
	if len(nodes) > 0 {
		u.t.Errorf("the page at %s shows a %s named %q", u.location(), role, name)
	}
}

// signIn uses the password form, from wherever the browser was sent.
func (u *user) signIn(email, password string) {
	u.t.Helper()
	u.typeInto("Email", email)
	u.typeInto("Password", password)
	u.click(button, "Sign in")
}

// screenshot saves the page as name.png under HUMD_SCREENSHOTS.
func (u *user) screenshot(name string) {
	u.t.Helper()
	dir := os.Getenv("HUMD_SCREENSHOTS")
	if dir == "" {
		return
	}
	ctx, cancel := context.WithTimeout(u.ctx, waitFor)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		u.t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		u.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		u.t.Fatal(err)
	}
}

// serve starts a sandbox humd on a loopback port its public URL names, so
// redirects (and the identity provider's callback) reach it. The admin
// has a password.
func serve(t *testing.T, cfg app.Config) *apptest.Server {
	t.Helper()
	root(t) // skip before starting anything when there is no chromium
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	cfg.PublicURL = "http://" + addr
	if cfg.AdminPassword == "" {
		cfg.AdminPassword = adminPassword
	}
	return apptest.Start(t, apptest.Options{Config: cfg, Seed: true, Addr: addr})
}

// pathOf is a page URL's path and query.
func pathOf(s *apptest.Server, loc string) string { return strings.TrimPrefix(loc, s.URL) }

// setChecked ticks or unticks the checkbox of that accessible name.
func (u *user) setChecked(name string, on bool) {
	u.t.Helper()
	label, by := "checkbox "+name, byName("checkbox", name)
	u.do("find "+label, chromedp.WaitVisible(label, by))
	ctx, cancel := context.WithTimeout(u.ctx, waitFor)
	defer cancel()
	checked, err := chromedp.Run(ctx, chromedp.JavascriptAttribute[bool](label, "checked", by))
	if err != nil {
		u.t.Fatalf("read %s: %v", label, err)
	}
	if checked != on {
		u.do("click "+label, chromedp.Click(label, by))
	}
}

// choose picks the option of that value in the select of that accessible
// name.
func (u *user) choose(name, value string) {
	u.t.Helper()
	label, by := "select "+name, byName("combobox", name)
	u.do("choose in "+label, chromedp.WaitVisible(label, by), chromedp.SetValue(label, value, by))
}

// labelled is the XPath of the form control whose <label> reads name.
func labelled(name string) string {
	return fmt.Sprintf(`//*[@id=//label[normalize-space(.)=%s]/@for]`, xpathString(name))
}

// setField sets the value of the control a label names: for controls whose
// typing is the browser's locale's (a date).
func (u *user) setField(name, value string) {
	u.t.Helper()
	sel := labelled(name)
	u.do("set "+name, chromedp.WaitVisible(sel), chromedp.SetValue(sel, value))
}

// count is how many nodes an XPath finds in the page now.
func (u *user) count(xpath string) int {
	u.t.Helper()
	return int(eval[float64](u, fmt.Sprintf(`document.evaluate(%q, document, null, XPathResult.NUMBER_TYPE, null).numberValue`,
		"count("+xpath+")")))
}

// lacks checks that no element of an XPath shows text; wait for the page
// to show what it should first.
func (u *user) lacks(xpath, text string) {
	u.t.Helper()
	if n := u.count(fmt.Sprintf(`%s[contains(normalize-space(.), %s)]`, xpath, xpathString(text))); n > 0 {
		shown, _ := eval2[string](u, `document.body ? document.body.innerText : ""`)
		u.t.Fatalf("%s shows %q at %s; the page shows:\n%s", xpath, text, u.location(), shown)
	}
}

// focused names the element that has the keyboard focus, as its label or
// text reads.
func (u *user) focused() string {
	u.t.Helper()
	return eval[string](u, `(() => { const e = document.activeElement; if (!e) return "";
		if (e.labels && e.labels.length) return e.labels[0].innerText.trim();
		return (e.getAttribute("aria-label") || e.innerText || "").trim().slice(0, 60); })()`)
}

// tabTo presses Tab until the control named name has the focus, as a
// keyboard user would.
func (u *user) tabTo(name string) {
	u.t.Helper()
	var seen []string
	for range 80 {
		f := u.focused()
		if f == name {
			return
		}
		seen = append(seen, f)
		u.do("press Tab", chromedp.KeyEvent(kb.Tab))
	}
	u.t.Fatalf("Tab never reached %q at %s; it went through %q", name, u.location(), seen)
}

// press sends keys to whatever has the focus (kb.Enter presses Enter).
func (u *user) press(keys string) {
	u.t.Helper()
	u.do("press keys", chromedp.KeyEvent(keys))
}

// chromedpSetSelect picks value in the select with id.
func chromedpSetSelect(id, value string) chromedp.Action[chromedp.Void] {
	return chromedp.SetValue(chromedp.ID(id), value)
}
