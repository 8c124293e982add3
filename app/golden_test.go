package app_test

import (
	"encoding/json"
	"flag"
	"fmt"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cockroachdb/datadriven"

	"github.com/humd/humd/actors/scheduler"
	"github.com/humd/humd/app"
	"github.com/humd/humd/app/apptest"
	"github.com/humd/humd/transport/llm/llmtest"
)

// rewriting reports datadriven's own -rewrite flag: go test -run
// TestGoldenSMS ./app/ -args -rewrite regenerates the scripts.
func rewriting() bool {
	f := flag.Lookup("rewrite")
	return f != nil && f.Value.String() == "true"
}

// TestGoldenSMS runs the scripts in testdata/sms: inbound webhooks, sends,
// status callbacks, clock advances and restarts against a real humd (sandbox
// carrier, fake clock), printing the state that results. Commands:
//
//	start [at=RFC3339]          a fresh humd with +15005550006 registered
//	hours                       PATCH the org's business hours to the JSON input
//	inbound sid= [from=] [sig=forged|token=wrong]   a signed inbound text (input is the body)
//	send [send_at=] [quiet=false]                    send the input on the thread
//	status n= status= [code=]   a signed status callback for the n-th carrier send
//	optout e164= | optin e164=  the opt-out API
//	advance d=                  move the fake clock
//	restart                     stop humd and start it on the same data
//	thread | conv | sent | events | optouts | scheduled     print state
//
// Printing commands poll until humd's state matches the script (or 5 s),
// since actors finish work after the HTTP answer.
func TestGoldenSMS(t *testing.T) { goldenWalk(t, "testdata/sms") }

// TestGoldenAI runs the scripts in testdata/ai: the SMS AI through openai-go
// against the fake Responses server (start ai, with the flow's
// sms_config_json as input), plus:
//
//	model       queue answers, one per line: "text: ...", "tool: name {json}", "fail: msg" (HTTP 500)
//	requests    the model requests made since the last "requests"
//	runs        the thread's run records, oldest first
//	pause ai=   PATCH the thread's ai_paused
func TestGoldenAI(t *testing.T) { goldenWalk(t, "testdata/ai") }

func goldenWalk(t *testing.T, dir string) {
	datadriven.Walk(t, dir, func(t *testing.T, path string) {
		g := &golden{t: t}
		datadriven.RunTest(t, path, g.run)
	})
}

type golden struct {
	t       *testing.T
	s       *apptest.Server
	conv    string
	llm     *llmtest.Server
	reqSeen int
}

func (g *golden) start(o apptest.Options) {
	g.s = apptest.Start(g.t, o)
}

func (g *golden) arg(d *datadriven.TestData, key, def string) string {
	for _, a := range d.CmdArgs {
		if a.Key == key && len(a.Vals) > 0 {
			return a.Vals[0]
		}
	}
	return def
}

func (g *golden) run(t *testing.T, d *datadriven.TestData) string {
	s := g.s
	if s == nil && d.Cmd != "start" {
		t.Fatalf("%s: start first", d.Pos)
	}
	switch d.Cmd {
	case "start":
		o := apptest.Options{}
		if at := g.arg(d, "at", ""); at != "" {
			ts, err := time.Parse(time.RFC3339, at)
			if err != nil {
				t.Fatal(err)
			}
			o.Now = ts
		}
		if len(d.CmdArgs) > 0 && d.CmdArgs[0].Key == "ai" {
			// The AI through openai-go against the fake Responses server.
			g.llm = llmtest.Start(t)
			o.Config = app.Config{OpenAIKey: "sk-test", OpenAIBaseURL: g.llm.BaseURL()}
		}
		g.start(o)
		n := g.s.AddNumber(ourNumber, 100) // a fast sender: scripts test order and state, not throttling
		if g.llm != nil {
			var cfg any
			if err := json.Unmarshal([]byte(d.Input), &cfg); err != nil {
				t.Fatalf("%s: sms_config_json: %v", d.Pos, err)
			}
			body := map[string]any{"name": "Texts", "channel": "sms", "trigger_type": "message",
				"system_prompt": "You are the shop's texting assistant.", "sms_config_json": cfg}
			for _, a := range d.CmdArgs { // start ai builtin=(a,b): tools_json's allow-list
				if a.Key == "builtin" {
					body["tools_json"] = map[string]any{"builtin": a.Vals}
				}
			}
			f := g.s.JSON("POST", "/api/flows", adminKey, body, 201)
			id := f["id"].(string)
			n.SMSFlowID = &id
			g.s.PutNumber(n)
		}
		return "ok"
	case "model":
		for _, line := range strings.Split(d.Input, "\n") {
			kind, rest, _ := strings.Cut(line, ": ")
			switch kind {
			case "text":
				g.llm.ReplyText(rest)
			case "tool":
				name, args, _ := strings.Cut(rest, " ")
				g.llm.ReplyToolCall(name, args)
			case "fail":
				g.llm.FailNext(500, rest)
			default:
				t.Fatalf("%s: model line %q", d.Pos, line)
			}
		}
		return "ok"
	case "requests":
		return g.poll(d, func() string {
			reqs := g.llm.Requests()
			var lines []string
			for i, r := range reqs[g.reqSeen:] {
				par := "unset"
				if r.ParallelToolCalls != nil {
					par = fmt.Sprint(*r.ParallelToolCalls)
				}
				lines = append(lines, fmt.Sprintf("request %d: tools=%d parallel_tool_calls=%s tool_choice=%s", g.reqSeen+i+1, len(r.Tools), par, r.ToolChoice))
				for _, in := range r.Input {
					switch in.Type {
					case "function_call":
						lines = append(lines, fmt.Sprintf("  call %s %s", in.Name, in.Arguments))
					case "function_call_output":
						lines = append(lines, fmt.Sprintf("  output %s", in.Output))
					default:
						lines = append(lines, fmt.Sprintf("  %s: %s", in.Role, in.Content))
					}
				}
			}
			if len(lines) == 0 {
				return "none"
			}
			return idPattern.ReplaceAllString(strings.Join(lines, "\n"), "${1}_ID")
		}) + g.markSeen()
	case "runs":
		return g.poll(d, func() string {
			var lines []string
			data := s.JSON("GET", "/api/sms/conversations/"+g.conv+"/runs", adminKey, nil, 200)["data"].([]any)
			for i := len(data) - 1; i >= 0; i-- {
				r := data[i].(map[string]any)
				var tools []string
				for _, tc := range r["tool_calls"].([]any) {
					tools = append(tools, tc.(map[string]any)["name"].(string))
				}
				lines = append(lines, fmt.Sprintf("%s inbound=%d tools=[%s] outbound=%d", r["status"], len(r["inbound_message_ids"].([]any)),
					strings.Join(tools, " "), len(r["outbound_message_ids"].([]any))))
			}
			if len(lines) == 0 {
				return "none"
			}
			return strings.Join(lines, "\n")
		})
	case "pause":
		st, raw := s.Do("PATCH", "/api/sms/conversations/"+g.conv, adminKey, map[string]any{"ai_paused": g.arg(d, "ai", "true") == "true"})
		return answer(st, raw)
	case "hours":
		var h any
		if err := json.Unmarshal([]byte(d.Input), &h); err != nil {
			t.Fatalf("%s: %v", d.Pos, err)
		}
		st, raw := s.Do("PATCH", "/api/org", adminKey, map[string]any{"business_hours_json": h})
		return answer(st, raw)
	case "inbound":
		form := apptest.InboundForm(g.arg(d, "sid", ""), g.arg(d, "from", contact), ourNumber, d.Input)
		token, sig := s.App.SandboxToken, ""
		if g.arg(d, "sig", "") == "forged" {
			sig = "Zm9yZ2VkIHNpZ25hdHVyZQ=="
		}
		if g.arg(d, "token", "") == "wrong" {
			token = "not-the-token"
		}
		st, _ := s.PostTwilio("/twilio/sms", token, form, sig)
		if st == 200 && g.conv == "" {
			g.conv = onlyConversation(t, s)["id"].(string)
		}
		return fmt.Sprint(st)
	case "send":
		body := map[string]any{"body": d.Input}
		if at := g.arg(d, "send_at", ""); at != "" {
			body["send_at"] = at
		}
		if g.arg(d, "quiet", "") == "false" {
			body["honor_quiet_hours"] = false
		}
		st, raw := s.Do("POST", "/api/sms/conversations/"+g.conv+"/messages", adminKey, body)
		var res struct {
			Message struct {
				Status       string  `json:"status"`
				Source       string  `json:"source"`
				ScheduledFor *string `json:"scheduled_for"`
			} `json:"message"`
		}
		if err := json.Unmarshal(raw, &res); err != nil || res.Message.Status == "" {
			return answer(st, raw)
		}
		out := fmt.Sprintf("%d status=%s source=%s", st, res.Message.Status, res.Message.Source)
		if res.Message.ScheduledFor != nil {
			out += " scheduled_for=" + *res.Message.ScheduledFor
		}
		return out
	case "status":
		var n int
		fmt.Sscan(g.arg(d, "n", "1"), &n)
		var sid string
		s.WaitFor(fmt.Sprintf("%s: carrier send #%d", d.Pos, n), func() error {
			if sent := s.App.Sandbox.Sent(); len(sent) >= n {
				sid = sent[n-1].SID
				return nil
			}
			return fmt.Errorf("%d sends", len(s.App.Sandbox.Sent()))
		})
		form := url.Values{"MessageSid": {sid}, "SmsSid": {sid}, "MessageStatus": {g.arg(d, "status", "")},
			"AccountSid": {"ACsandbox"}, "From": {ourNumber}, "To": {contact}}
		if c := g.arg(d, "code", ""); c != "" {
			form.Set("ErrorCode", c)
		}
		st, _ := s.PostTwilio("/twilio/sms/status", s.App.SandboxToken, form, "")
		return fmt.Sprint(st)
	case "optout":
		st, raw := s.Do("POST", "/api/sms/opt-outs", adminKey, map[string]any{"e164": g.arg(d, "e164", contact)})
		return answer(st, raw)
	case "optin":
		st, raw := s.Do("DELETE", "/api/sms/opt-outs/"+url.PathEscape(g.arg(d, "e164", contact)), adminKey, nil)
		return answer(st, raw)
	case "advance":
		dur, err := time.ParseDuration(g.arg(d, "d", "0s"))
		if err != nil {
			t.Fatal(err)
		}
		// Minute by minute, with a drain of the scheduler after each step,
		// so due sends go out at their minute however slow the machine.
		for step := time.Minute; dur > 0; dur -= step {
			s.Clock.Advance(min(step, dur))
			if _, err := s.App.Actors.Request(scheduler.Ref, &scheduler.Tick{}, 5*time.Second).Result(); err != nil {
				t.Fatalf("%s: scheduler drain: %v", d.Pos, err)
			}
		}
		return s.Clock.Now().UTC().Format(time.RFC3339)
	case "restart":
		dir, now := s.Dir, s.Clock.Now()
		s.Stop()
		g.s = apptest.Start(t, apptest.Options{Dir: dir, Now: now})
		return "ok"
	case "thread":
		return g.poll(d, func() string {
			var lines []string
			for _, m := range s.Messages(g.conv) {
				dir := "in "
				if m["direction"] == "outbound" {
					dir = "out"
				}
				line := fmt.Sprintf("%s %-9s %q", dir, m["status"], m["body"])
				if m["is_system"] == true {
					line += " system"
				}
				if c, ok := m["error_code"].(float64); ok && c != 0 {
					line += fmt.Sprintf(" error=%d", int(c))
				}
				if m["opt_out_suspected"] == true {
					line += " opt_out_suspected"
				}
				lines = append(lines, line)
			}
			return strings.Join(lines, "\n")
		})
	case "conv":
		return g.poll(d, func() string {
			c := s.JSON("GET", "/api/sms/conversations/"+g.conv, adminKey, nil, 200)
			return fmt.Sprintf("status=%v ai_paused=%v reason=%v", c["status"], c["ai_paused"], c["ai_paused_reason"])
		})
	case "sent":
		return g.poll(d, func() string {
			var lines []string
			for _, r := range s.App.Sandbox.Sent() {
				lines = append(lines, fmt.Sprintf("%s %s %q", r.At.UTC().Format(time.RFC3339), r.To, r.Body))
			}
			if len(lines) == 0 {
				return "none"
			}
			return strings.Join(lines, "\n")
		})
	case "events":
		// Counts per type: threads and carrier answers interleave, so the
		// log's order across them is not part of the contract.
		return g.poll(d, func() string {
			count := map[string]int{}
			for _, e := range s.EventTypes() {
				count[e]++
			}
			var lines []string
			for _, k := range slices.Sorted(maps.Keys(count)) {
				lines = append(lines, fmt.Sprintf("%s x%d", k, count[k]))
			}
			return strings.Join(lines, "\n")
		})
	case "optouts":
		return g.poll(d, func() string {
			var lines []string
			for _, r := range s.JSON("GET", "/api/sms/opt-outs", adminKey, nil, 200)["data"].([]any) {
				o := r.(map[string]any)
				lines = append(lines, fmt.Sprintf("%s source=%s keyword=%v", o["e164"], o["source"], o["keyword"]))
			}
			if len(lines) == 0 {
				return "none"
			}
			return strings.Join(lines, "\n")
		})
	case "scheduled":
		return g.poll(d, func() string {
			var lines []string
			for _, r := range s.JSON("GET", "/api/sms/scheduled?status=all", adminKey, nil, 200)["data"].([]any) {
				o := r.(map[string]any)
				lines = append(lines, fmt.Sprintf("%s %s %s %q", o["send_at"], o["source"], o["status"], o["body"]))
			}
			if len(lines) == 0 {
				return "none"
			}
			return strings.Join(lines, "\n")
		})
	}
	t.Fatalf("%s: unknown command %q", d.Pos, d.Cmd)
	return ""
}

// idPattern matches humd's random ids, which scripts print as <prefix>_ID.
var idPattern = regexp.MustCompile(`\b(sch|msg|conv|run|kb|num|evt|ct)_[0-9a-z]{20,}\b`)

// markSeen moves the requests cursor past what was printed.
func (g *golden) markSeen() string {
	g.reqSeen = len(g.llm.Requests())
	return ""
}

// poll renders until the output matches the script or 5 s pass; when
// rewriting, until it is stable for a few rounds.
func (g *golden) poll(d *datadriven.TestData, render func() string) string {
	want := strings.TrimSuffix(d.Expected, "\n")
	end := time.Now().Add(5 * time.Second)
	last, stable := "", 0
	// An answer must hold for a while, not just appear: "none" holds before
	// the work it rules out had a chance to happen, and "one reply" before a
	// second one would arrive (the runs are in-process, on loopback, and
	// start within milliseconds of the clock's advance).
	const need = 10
	for {
		got := render()
		if !rewriting() && got == want && stable >= need {
			return got
		}
		if got == last {
			stable++
		} else {
			last, stable = got, 0
		}
		if (rewriting() && stable >= 10) || time.Now().After(end) {
			return got
		}
		<-time.After(20 * time.Millisecond)
	}
}

func answer(st int, raw []byte) string {
	var e struct {
		Error struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	if json.Unmarshal(raw, &e) == nil && e.Error.Code != "" {
		return fmt.Sprintf("%d %s", st, e.Error.Code)
	}
	return fmt.Sprint(st)
}
