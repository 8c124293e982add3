package consolebrowser_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/humd/humd/app"
	"github.com/humd/humd/app/apptest"
	"github.com/humd/humd/storage/tenancy"
)

// orderDesk is a shop's order API on loopback: the target of a flow's HTTP
// tool. It records the requests that reach it.
type orderDesk struct {
	URL string
	mu  sync.Mutex
	got []string
}

func startOrderDesk(t *testing.T) *orderDesk {
	t.Helper()
	d := &orderDesk{}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d.mu.Lock()
		d.got = append(d.got, r.Method+" "+r.URL.Path)
		d.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"status":"shipped"}`))
	}))
	t.Cleanup(ts.Close)
	d.URL = ts.URL
	return d
}

func (d *orderDesk) requests() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return slices.Clone(d.got)
}

// flowIDOf is the flow id of a flow page's location.
func flowIDOf(t *testing.T, loc string) string {
	t.Helper()
	_, rest, ok := strings.Cut(loc, "/flows/")
	if !ok {
		t.Fatalf("not a flow page: %s", loc)
	}
	id, _, _ := strings.Cut(rest, "?")
	return id
}

// An admin writes a texting flow in the browser (business hours, a
// validation error shown beside its day, built-in tools, an HTTP tool
// tried against a real receiver), assigns it to the sandbox number and
// texts it from the sandbox phone. The built-in local model offers no HTTP
// tool call: it looks the question up in the knowledge base (the one tool
// it uses) and answers with the passage, so the receiver sees only the
// test request.
func TestBrowserFlowAnswersInSandbox(t *testing.T) {
	desk := startOrderDesk(t)
	s := serve(t, app.Config{AllowPrivateWebhooks: true})
	u := newUser(t, s)
	u.open("/flows/new")
	u.signIn(adminEmail, adminPassword)
	u.typeInto("Name", "Night desk")
	u.typeInto("System prompt", "You answer texts for the shop. Use lookup_knowledge for facts.")
	u.setChecked("Always open (ignore the schedule below)", false)
	u.typeInto("Time zone", "America/New_York")
	u.typeInto("Monday opens", "17:00")
	u.typeInto("Monday closes", "09:00")
	u.typeInto("Wait before answering (ms)", "0")
	u.setChecked("Offer every built-in tool (the list below is ignored)", false)
	u.setChecked("lookup_knowledge: search the knowledge base (calls and texts)", true)
	u.click(button, "Create flow")
	// The service's error, beside Monday's hours; the form kept as typed.
	u.waitText(`//*[@role="group"][@aria-label="Monday"]//*[@class="field-error"]`, "open must be before close")
	if n := len(s.JSON("GET", "/api/flows", adminKey, nil, 200)["data"].([]any)); n != 2 {
		t.Fatalf("%d flows after a refused create; want the 2 seeded", n)
	}

	u.typeInto("Monday opens", "09:00")
	u.typeInto("Monday closes", "17:00")
	u.typeInto("Tuesday opens", "09:00")
	u.typeInto("Tuesday closes", "12:00")
	u.click(button, "Add Tuesday hours") // a second window, added by htmx
	u.do("second Tuesday window", chromedp.WaitVisible(`(//input[@name="open_tue"])[2]`),
		chromedp.SendKeys(`(//input[@name="open_tue"])[2]`, "13:00"), chromedp.SendKeys(`(//input[@name="close_tue"])[2]`, "17:00"))
	u.typeInto("Closed date", "2099-12-25")
	u.click(button, "Create flow")
	u.waitText(`//*[@role="status"]`, "Flow created.")
	id := flowIDOf(t, u.location())

	f := s.JSON("GET", "/api/flows/"+id, adminKey, nil, 200)
	var bh struct {
		Timezone    string                `json:"timezone"`
		Weekly      map[string][][]string `json:"weekly"`
		ClosedDates []string              `json:"closed_dates"`
	}
	raw, _ := json.Marshal(f["business_hours_json"])
	if err := json.Unmarshal(raw, &bh); err != nil {
		t.Fatalf("business_hours_json = %s: %v", raw, err)
	}
	if bh.Timezone != "America/New_York" || fmt.Sprint(bh.Weekly["mon"]) != "[[09:00 17:00]]" ||
		fmt.Sprint(bh.Weekly["tue"]) != "[[09:00 12:00] [13:00 17:00]]" || len(bh.Weekly) != 2 || fmt.Sprint(bh.ClosedDates) != "[2099-12-25]" {
		t.Fatalf("business_hours_json = %s", raw)
	}
	if got := fmt.Sprint(f["tools_json"]); got != "map[builtin:[lookup_knowledge]]" {
		t.Fatalf("tools_json = %s", got)
	}
	if got := f["sms_config_json"].(map[string]any)["debounce_ms"]; got != 0.0 {
		t.Fatalf("debounce_ms = %v; want 0", got)
	}

	// An HTTP tool, and one test request to the receiver.
	u.typeInto("Tool name", "order_status")
	u.typeInto("Description for the AI", "Look up an order")
	u.typeInto("URL", desk.URL+"/orders/{{urlpath .args.order_id}}")
	u.typeInto("Parameters (JSON Schema)", `{"type":"object","properties":{"order_id":{"type":"string"}}}`)
	u.typeInto("Output template", "Order {{.args.order_id}}: {{.json.status}}")
	u.click(button, "Add HTTP tool")
	u.waitText(`//*[@role="status"]`, "HTTP tool order_status added.")
	if n := len(desk.requests()); n != 0 {
		t.Fatalf("adding the tool sent %d requests", n)
	}
	u.typeInto("Arguments for order_status (JSON)", `{"order_id":"A1"}`)
	u.click(button, "Send a test request")
	u.waitText(`//*[@class="trial"]`, "HTTP 200")
	u.waitText(`//*[@class="trial"]//pre`, `{"status":"shipped"}`)
	u.waitText(`//*[@class="trial"]//pre`, "Order A1: shipped")
	if got := desk.requests(); len(got) != 1 || got[0] != "GET /orders/A1" {
		t.Fatalf("the receiver got %v; want one GET /orders/A1", got)
	}
	u.screenshot("flow-edit")

	// Edit the tool: the form shows it as stored; an emptied description
	// is cleared, the rest kept.
	u.click(link, "Edit tool order_status")
	u.waitText(`//fieldset/legend`, "Edit the HTTP tool order_status")
	u.typeInto("Output template", "Order {{.args.order_id}} is {{.json.status}}")
	u.do("clear the description", chromedp.Clear("textbox Description for the AI", byName("textbox", "Description for the AI")))
	u.click(button, "Save HTTP tool")
	u.waitText(`//*[@role="status"]`, "HTTP tool saved.")
	tools := s.JSON("GET", "/api/flows/"+id+"/tools", adminKey, nil, 200)["data"].([]any)
	if len(tools) != 1 {
		t.Fatalf("%d tools after the edit; want 1", len(tools))
	}
	tool := tools[0].(map[string]any)
	if tool["output_template"] != "Order {{.args.order_id}} is {{.json.status}}" || tool["description"] != "" ||
		tool["url"] != desk.URL+"/orders/{{urlpath .args.order_id}}" {
		t.Fatalf("the edited tool = %v", tool)
	}

	// Not used by any number yet: "try it" says so.
	u.click(link, "Try it in the sandbox phone")
	u.waitText(`//*[@role="alert"]`, "No number uses this flow yet")

	// Assign it to the sandbox number's texts.
	u.open("/numbers")
	u.choose("SMS flow", id)
	u.click(button, "Save "+app.SandboxNumber)
	u.waitText(`//*[@role="status"]`, "Number saved.")
	nums := s.JSON("GET", "/api/numbers", adminKey, nil, 200)["data"].([]any)
	if got := nums[0].(map[string]any)["sms_flow_id"]; got != id {
		t.Fatalf("sms_flow_id = %v; want %s", got, id)
	}
	u.open("/flows")
	u.waitText(`//table[@aria-label="Flows"]//tr[contains(., "Night desk")]`, app.SandboxNumber+" (texts)")
	u.screenshot("flows")

	// Try it: the sandbox phone on that number, and the flow answers.
	u.open("/flows/" + id)
	u.click(link, "Try it in the sandbox phone")
	u.waitText(`//h1`, "Sandbox phone")
	if loc := pathOf(s, u.location()); loc != "/sandbox?to=%2B15005550006" {
		t.Fatalf("try it opened %s", loc)
	}
	u.typeInto("Message", "When are you open?")
	u.click(button, "Send text")
	conv := ""
	s.WaitFor("the sandbox thread", func() error {
		for _, c := range s.JSON("GET", "/api/sms/conversations", adminKey, nil, 200)["data"].([]any) {
			if c.(map[string]any)["contact_e164"] == "+15555550100" {
				conv = c.(map[string]any)["id"].(string)
				return nil
			}
		}
		return fmt.Errorf("no thread yet")
	})
	// The run starts on the fake clock's debounce timer (0 ms, but a
	// timer still) and the number's sender paces on it too: move time on
	// until the reply has left.
	s.WaitFor("the AI's reply sent", func() error {
		s.Clock.Advance(time.Second)
		for _, m := range s.Messages(conv) {
			if m["direction"] == "outbound" && m["status"] != "queued" {
				return nil
			}
		}
		return fmt.Errorf("no reply sent yet")
	})
	// The open phone shows the reply without a reload: its live refresh
	// sits outside what the send's answer replaces, so a refresh queued
	// behind the send is not dropped with the old element.
	u.waitText(`//ol[@aria-label="Sandbox messages"]`, "We are open Monday to Friday, 9am to 5pm Eastern.")
	u.waitText(`//details[contains(@class,"run")]`, "lookup_knowledge")
	if got := thread(s, conv)["flow_id"]; got != id {
		t.Fatalf("the thread's flow = %v; want %s", got, id)
	}
	if got := desk.requests(); len(got) != 1 {
		t.Fatalf("the receiver got %v; the local model calls no HTTP tool", got)
	}
}

// signInViewer makes vera a viewer of the org with a password.
func signInViewer(t *testing.T, s *apptest.Server) {
	t.Helper()
	s.JSON("POST", "/api/team/invites", adminKey, map[string]any{"email": "vera@example.com", "role": tenancy.Viewer, "confirm": true}, 201)
	ten := &tenancy.Repo{Store: s.App.Store}
	vera, err := ten.SignInVerified("vera@example.com", "Vera")
	if err != nil {
		t.Fatal(err)
	}
	if err := ten.SetPassword(vera.ID, "vera's password"); err != nil {
		t.Fatal(err)
	}
}

// postFromPage posts a form from the page's session, with its CSRF token
// (as a tampered page would), and answers the status.
func postFromPage(u *user, path, body string) int {
	u.t.Helper()
	expr := fmt.Sprintf(`fetch(%q, {method: "POST", redirect: "manual", headers: {"Content-Type": "application/x-www-form-urlencoded",
		"X-CSRF-Token": JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRF-Token"]}, body: %q}).then(r => r.status)`, path, body)
	status, err := chromedp.Run(u.ctx, chromedp.Evaluate[int](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		u.t.Fatalf("post %s: %v", path, err)
	}
	return status
}

// A viewer reads a flow but cannot change it: no controls, and a save or
// a duplicate posted from the viewer's session anyway is refused by the
// server. The admin's delete of a flow a number uses is refused with the
// service's reason.
func TestBrowserViewerReadsFlow(t *testing.T) {
	s := serve(t, app.Config{})
	signInViewer(t, s)
	list := s.JSON("GET", "/api/flows?channel=sms", adminKey, nil, 200)["data"].([]any)
	id := list[0].(map[string]any)["id"].(string)

	v := newUser(t, s)
	v.open("/flows/" + id)
	v.signIn("vera@example.com", "vera's password")
	v.waitText(`//h1`, "Sandbox texting agent")
	v.waitText(`//main`, "Your role may read this flow, not change it.")
	v.absent("button", "Save flow")
	v.absent("button", "Duplicate")
	v.absent("button", "Add HTTP tool")
	if !eval[bool](v, `document.getElementById("f-name").matches(":disabled")`) {
		t.Error("the viewer's name field is editable")
	}
	if st := postFromPage(v, "/flows/"+id, "name=Hacked&channel=sms&kind=inbound&always_open=on&builtin_all=on"); st != 403 {
		t.Fatalf("a viewer's save answered %d; want 403", st)
	}
	if st := postFromPage(v, "/flows/"+id+"/duplicate", ""); st != 403 {
		t.Fatalf("a viewer's duplicate answered %d; want 403", st)
	}
	if st := postFromPage(v, "/flows/"+id+"/tools/ftl_none/test", ""); st != 403 {
		t.Fatalf("a viewer's test request answered %d; want 403", st)
	}
	num := s.JSON("GET", "/api/numbers", adminKey, nil, 200)["data"].([]any)[0].(map[string]any)["id"].(string)
	if st := postFromPage(v, "/numbers/"+num+"/release", "confirm=%2B15005550006"); st != 403 {
		t.Fatalf("a viewer's release answered %d; want 403", st)
	}
	s.JSON("GET", "/api/numbers/"+num, adminKey, nil, 200)
	if got := s.JSON("GET", "/api/flows/"+id, adminKey, nil, 200)["name"]; got != "Sandbox texting agent" {
		t.Fatalf("the flow's name = %v after a viewer's save", got)
	}
	if n := len(s.JSON("GET", "/api/flows", adminKey, nil, 200)["data"].([]any)); n != 2 {
		t.Fatalf("%d flows after a viewer's duplicate; want 2", n)
	}

	a := newUser(t, s)
	a.open("/flows/" + id)
	a.signIn(adminEmail, adminPassword)
	a.do("open the delete step", chromedp.Click(`//summary[contains(., "Delete this flow")]`))
	a.click(button, "Delete flow")
	a.waitText(`//*[@role="alert"]`, "Not deleted: a number, an unfinished campaign or another flow's transfer still uses this flow")
	s.JSON("GET", "/api/flows/"+id, adminKey, nil, 200)

	// A copy is nobody's: it can be deleted.
	a.click(button, "Duplicate")
	a.waitText(`//*[@role="status"]`, "This is a copy")
	copyID := flowIDOf(t, a.location())
	if copyID == id {
		t.Fatal("duplicate stayed on the original")
	}
	a.do("open the delete step", chromedp.Click(`//summary[contains(., "Delete this flow")]`))
	a.click(button, "Delete flow")
	a.waitText(`//h1`, "Flows")
	s.JSON("GET", "/api/flows/"+copyID, adminKey, nil, 404)
}

// Knowledge: add a document, find it with the search preview, edit it,
// delete it.
func TestBrowserKnowledge(t *testing.T) {
	s := serve(t, app.Config{})
	u := newUser(t, s)
	u.open("/knowledge")
	u.signIn(adminEmail, adminPassword)
	u.typeInto("Title", "Parking")
	u.typeInto("Text", "Free parking behind the store.")
	u.click(button, "Add document")
	u.waitText(`//*[@role="status"]`, "Document added.")
	u.typeInto("Search as the AI would", "where can I park")
	u.click(button, "Search")
	u.waitText(`//ol[@aria-label="Passages found"]/li[1]`, "Free parking behind the store.")
	u.screenshot("knowledge")
	u.click(link, "Parking")
	u.typeInto("Text", "Free parking behind the store.\n\nBikes go by the door.")
	u.click(button, "Save document")
	u.waitText(`//*[@role="status"]`, "Saved.")
	u.do("open the delete step", chromedp.Click(`//summary[contains(., "Delete this document")]`))
	u.click(button, "Delete document")
	u.waitText(`//*[@role="status"]`, "Document deleted.")
	u.absent("link", "Parking")
}

// Numbers: search the sandbox carrier and buy the number picked, sync,
// and release it again after typing it (a wrong confirmation is refused
// beside its field).
func TestBrowserBuySyncReleaseNumber(t *testing.T) {
	s := serve(t, app.Config{})
	u := newUser(t, s)
	u.open("/numbers")
	u.signIn(adminEmail, adminPassword)
	u.typeInto("Area code", "317")
	u.click(button, "Search numbers")
	u.waitText(`//table[@aria-label="Numbers for sale"]`, "+1317555")
	e164 := strings.TrimSpace(eval[string](u, `document.querySelector('table[aria-label="Numbers for sale"] tbody td').textContent`))
	u.click(button, "Buy "+e164)
	u.waitText(`//*[@role="status"]`, "Number bought")
	if n := len(s.JSON("GET", "/api/numbers", adminKey, nil, 200)["data"].([]any)); n != 2 {
		t.Fatalf("%d numbers after buying; want 2", n)
	}
	u.screenshot("numbers")
	u.click(button, "Sync from the carrier")
	u.waitText(`//*[@role="status"]`, "Synced from sandbox")

	card := `//article[@aria-label="Number ` + e164 + `"]`
	u.do("open the release step", chromedp.Click(card+`//summary`))
	u.typeInto("Type "+e164+" to confirm", "+1")
	u.click(button, "Release "+e164)
	u.waitText(card+`//*[@class="field-error"]`, "exactly to release it")
	if n := len(s.JSON("GET", "/api/numbers", adminKey, nil, 200)["data"].([]any)); n != 2 {
		t.Fatalf("%d numbers after a wrong confirmation; want 2", n)
	}
	u.typeInto("Type "+e164+" to confirm", e164)
	u.click(button, "Release "+e164)
	u.waitText(`//*[@role="status"]`, "Number released")
	nums := s.JSON("GET", "/api/numbers", adminKey, nil, 200)["data"].([]any)
	if len(nums) != 1 || nums[0].(map[string]any)["e164"] != app.SandboxNumber {
		t.Fatalf("numbers after the release = %v", nums)
	}
	// The carrier has it back: a sync does not bring it back.
	u.click(button, "Sync from the carrier")
	u.waitText(`//*[@role="status"]`, "0 added")
	if n := len(s.JSON("GET", "/api/numbers", adminKey, nil, 200)["data"].([]any)); n != 1 {
		t.Fatalf("%d numbers after a sync; the released number came back", n)
	}
}
