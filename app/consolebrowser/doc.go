// Package consolebrowser holds the console's tests in a real browser: they
// start a humd on loopback (app/apptest) and drive Debian's chromium,
// headless, through the DevTools protocol (chromedp): sign in with a
// password and through OpenID Connect, watch a sandbox text arrive in the
// inbox without a reload, reply, assign and close, approve a tool call,
// review a sandbox call's transcript, and check what a viewer may not see.
//
// The tests find fields and buttons by their accessible names ("Email",
// "Password", "Sign in", "Message", "Send"), as a screen reader would, so a
// page that loses a label fails them. One chromium serves every test of
// the package (a fresh browser context, so fresh cookies, per user). Without
// chromium the tests skip with "chromium not installed: browser tests
// skipped"; make test says so too.
//
// With HUMD_SCREENSHOTS=<dir> the tests also save PNGs of the main pages
// there (make screenshots writes docs/console/).
package consolebrowser
