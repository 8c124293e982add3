package app_test

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/humd/humd/app"
	"github.com/humd/humd/app/apptest"
)

// scrape answers /metrics as text, sending token when set.
func scrape(t *testing.T, s *apptest.Server, token string) (int, string) {
	t.Helper()
	hdr := map[string]string{}
	if token != "" {
		hdr["Authorization"] = "Bearer " + token
	}
	st, _, raw := s.DoHeader("GET", "/metrics", "", nil, hdr)
	return st, string(raw)
}

// sample finds the value of the first line of name with all of labels.
func sample(body, name string, labels ...string) (float64, bool) {
	for _, line := range strings.Split(body, "\n") {
		if !strings.HasPrefix(line, name+"{") && !strings.HasPrefix(line, name+" ") {
			continue
		}
		ok := true
		for _, l := range labels {
			ok = ok && strings.Contains(line, l)
		}
		if !ok {
			continue
		}
		var v float64
		if _, err := fmt.Sscan(line[strings.LastIndexByte(line, ' ')+1:], &v); err == nil {
			return v, true
		}
	}
	return 0, false
}

// /metrics reports what an operator watches, behind HUMD_METRICS_TOKEN.
func TestMetricsThatMatter(t *testing.T) {
	s := apptest.Start(t, apptest.Options{Seed: true, Config: app.Config{MetricsToken: "scrape-secret", AllowPrivateWebhooks: true}})
	if st, _ := scrape(t, s, ""); st != 401 {
		t.Fatalf("/metrics without the token = %d; want 401", st)
	}
	if st, _ := scrape(t, s, "wrong"); st != 401 {
		t.Fatalf("/metrics with a wrong token = %d; want 401", st)
	}
	// An endpoint nobody answers keeps a backlog.
	s.JSON("POST", "/api/webhooks", apptest.AdminKey, map[string]any{"url": "http://127.0.0.1:1/hook", "events": []string{"*"}}, 201)
	if st, _ := s.PostTwilio("/twilio/sms", s.App.SandboxToken,
		apptest.InboundForm("SM00000000000000000000000000000901", "+13175550901", s.App.Seeded.Number.E164, "hello there"), ""); st != 200 {
		t.Fatalf("inbound = %d", st)
	}
	var body string
	s.WaitFor("the text's thread alive in /metrics", func() error {
		_, body = scrape(t, s, "scrape-secret")
		if v, _ := sample(body, "humd_actors_live", `kind="conv"`); v < 1 {
			return fmt.Errorf("humd_actors_live{conv} = %v", v)
		}
		return nil
	})
	s.WaitFor("the text and the AI's reply in /metrics", func() error {
		s.Clock.Advance(time.Second) // past the AI's debounce
		var st int
		if st, body = scrape(t, s, "scrape-secret"); st != 200 {
			return fmt.Errorf("/metrics = %d", st)
		}
		for _, want := range []struct {
			name   string
			labels []string
		}{
			{"humd_texts_total", []string{`direction="in"`, `status="received"`}},
			{"humd_ai_runs_total", []string{`channel="sms"`}},
			{"humd_webhook_backlog_events", nil},
			{"humd_pebble_disk_usage_bytes", nil},
			{"humd_pebble_wal_fsync_seconds_count", nil},
			{"humd_actor_mailbox_messages", []string{`kind="conv"`}},
		} {
			if v, ok := sample(body, want.name, want.labels...); !ok || (v <= 0 && want.name != "humd_actor_mailbox_messages") {
				return fmt.Errorf("%s%v = %v (present %v)", want.name, want.labels, v, ok)
			}
		}
		return nil
	})
}

// The Grafana dashboard in docs/ uses only metrics humd has.
func TestGrafanaDashboardUsesOnlyMetricsThatExist(t *testing.T) {
	raw, err := os.ReadFile("../docs/grafana-dashboard.json")
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		Panels []struct {
			Title   string `json:"title"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(raw, &d); err != nil {
		t.Fatal(err)
	}
	s := apptest.Start(t, apptest.Options{})
	s.JSON("GET", "/api/health", "", nil, 200)
	known := map[string]bool{"humd_records_skipped_total": true} // registered by storage.Skips
	for _, n := range s.App.MetricNames() {
		known[n] = true
	}
	_, body := scrape(t, s, "")
	for _, line := range strings.Split(body, "\n") {
		if strings.HasPrefix(line, "# TYPE ") {
			known[strings.Fields(line)[2]] = true
		}
	}
	name := regexp.MustCompile(`humd_[a-z0-9_]+`)
	exprs := 0
	for _, p := range d.Panels {
		for _, tg := range p.Targets {
			exprs++
			for _, n := range name.FindAllString(tg.Expr, -1) {
				base := n
				for _, suf := range []string{"_bucket", "_sum", "_count"} {
					if b, ok := strings.CutSuffix(n, suf); ok && known[b] {
						base = b
					}
				}
				if !known[base] {
					t.Errorf("panel %q uses %s, which humd does not export", p.Title, n)
				}
			}
		}
	}
	if exprs < 10 {
		t.Fatalf("the dashboard has %d expressions; it lost its panels", exprs)
	}
}
