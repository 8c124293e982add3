package app_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/humd/humd/app"
	"github.com/humd/humd/app/apptest"
)

// jsonLines decodes a JSON log, one object a line.
func jsonLines(t *testing.T, raw string) []map[string]any {
	t.Helper()
	var out []map[string]any
	sc := bufio.NewScanner(strings.NewReader(raw))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("a log line is not JSON: %v\n%s", err, sc.Text())
		}
		out = append(out, m)
	}
	return out
}

// In JSON log mode, the lines of an inbound text (the Twilio webhook's
// access line and the thread actor's lines) carry the request id, the org
// and the conversation, and the lines of a failing webhook delivery carry
// the org, the endpoint and the delivery; none holds a credential.
func TestLogLinesCarryTheirIDs(t *testing.T) {
	var log logBuffer
	s := apptest.Start(t, apptest.Options{Config: app.Config{AllowPrivateWebhooks: true},
		Logger: slog.New(slog.NewJSONHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	s.AddNumber(ourNumber, 1)
	rcv := newReceiver(t)
	rcv.answer(500)
	const headerSecret = "Bearer hdr-credential-0042-abcdefghijkl"
	ep := s.JSON("POST", "/api/webhooks", adminKey, map[string]any{"url": rcv.URL + "/hooks", "events": []string{"sms.received"},
		"headers": map[string]string{"Authorization": headerSecret}}, 201)
	epID, secret := ep["id"].(string), ep["signing_secret"].(string)
	inbound(t, s, "SM00000000000000000000000000007001", contact, "hello")
	rcv.waitN(t, s, 1)
	s.WaitFor("the failed attempt's log line", func() error {
		if !strings.Contains(log.String(), "webhook attempt failed") {
			return fmt.Errorf("not logged yet")
		}
		return nil
	})
	convs := s.JSON("GET", "/api/sms/conversations", adminKey, nil, 200)["data"].([]any)
	conv := convs[0].(map[string]any)["id"].(string)
	dlvs := s.JSON("GET", "/api/webhooks/"+epID+"/deliveries", adminKey, nil, 200)["data"].([]any)
	dlv := dlvs[0].(map[string]any)["id"].(string)

	out := log.String()
	var access, thread, delivery int
	for _, l := range jsonLines(t, out) {
		switch {
		case l["msg"] == "http" && l["path"] == "/twilio/sms":
			access++
			if l["request_id"] == "" || l["request_id"] == nil || l["org"] != s.OrgID() || l["conversation"] != conv || l["message"] == nil {
				t.Errorf("the inbound text's access line %v; want its request id, org %s, conversation %s and message", l, s.OrgID(), conv)
			}
		case l["actor"] == "conversation":
			thread++
			if l["org"] != s.OrgID() || l["conversation"] != conv || l["number"] == nil {
				t.Errorf("a thread's line %v; want org %s, conversation %s and number", l, s.OrgID(), conv)
			}
		case l["actor"] == "webhook":
			if l["org"] != s.OrgID() || l["endpoint"] != epID {
				t.Errorf("a webhook line %v; want org %s and endpoint %s", l, s.OrgID(), epID)
			}
			if l["msg"] == "webhook attempt failed" {
				delivery++
				if l["delivery"] != dlv || l["response_status"] != float64(500) || l["next_retry_at"] == nil {
					t.Errorf("the failed attempt's line %v; want delivery %s, status 500 and the next retry", l, dlv)
				}
			}
		}
	}
	if access != 1 || thread == 0 || delivery != 1 {
		t.Errorf("%d access lines of the text, %d thread lines, %d failed-attempt lines; want 1, some, 1:\n%s", access, thread, delivery, out)
	}
	for _, sec := range []string{adminKey, secret, strings.TrimPrefix(secret, "whsec_"), "hdr-credential-0042", s.App.SandboxToken} {
		if strings.Contains(out, sec) {
			t.Errorf("the log holds the secret %q", sec)
		}
	}
}
