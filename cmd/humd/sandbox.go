package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"
)

// The sandbox commands talk to a running humd in sandbox mode:
//
//	humd sandbox send --from +13175550123 --to +15005550006 --body "hi"
//	humd sandbox call --to +15005550006
//
// send injects an inbound text through POST /api/sandbox/inbound, as if the
// contact had texted the sandbox number, then prints the thread's newest
// messages once the AI (if any) has had time to answer. call places a
// simulated voice call (see sandbox_call.go).

// sendOpts are humd sandbox send's flags.
type sendOpts struct {
	from, to, body, url, key *string
	wait                     *time.Duration
}

func sandboxSendFlags(fs *flag.FlagSet) *sendOpts {
	return &sendOpts{
		from: fs.String("from", "", "the contact's number (E.164)"),
		to:   fs.String("to", "+15005550006", "your sandbox number (E.164; the seeded one by default)"),
		body: fs.String("body", "", "the text"),
		url:  fs.String("url", defaultURL(), "humd base URL (HUMD_URL)"),
		key:  fs.String("key", os.Getenv("HUMD_API_KEY"), "an operator or admin API key (HUMD_API_KEY)"),
		wait: fs.Duration("wait", 5*time.Second, "how long to wait for replies before printing the thread"),
	}
}

func sandboxSend(o *sendOpts, stdout, stderr io.Writer) int {
	from, to, body, url, key, wait := o.from, o.to, o.body, o.url, o.key, o.wait
	if *from == "" || *to == "" || *key == "" {
		fmt.Fprintln(stderr, "humd sandbox send: --from, --to and --key (or HUMD_API_KEY) are required")
		return 2
	}
	cl := &client{base: strings.TrimRight(*url, "/"), key: *key, http: &http.Client{Timeout: 15 * time.Second}}
	var sent struct {
		Message struct {
			ConversationID string `json:"conversation_id"`
			ID             string `json:"id"`
		} `json:"message"`
		Keyword string `json:"keyword"`
	}
	if err := cl.do("POST", "/api/sandbox/inbound", map[string]string{"from": *from, "to": *to, "body": *body}, &sent); err != nil {
		fmt.Fprintln(stderr, "humd sandbox send:", err)
		return 1
	}
	fmt.Fprintf(stdout, "delivered %s to %s (conversation %s)\n", sent.Message.ID, *to, sent.Message.ConversationID)
	deadline := time.Now().Add(*wait)
	for time.Now().Before(deadline) {
		<-time.After(250 * time.Millisecond)
	}
	var page struct {
		Data []struct {
			Direction string `json:"direction"`
			Body      string `json:"body"`
			Status    string `json:"status"`
			CreatedAt string `json:"created_at"`
		} `json:"data"`
	}
	if err := cl.do("GET", "/api/sms/conversations/"+sent.Message.ConversationID+"/messages?limit=10", nil, &page); err != nil {
		fmt.Fprintln(stderr, "humd sandbox send:", err)
		return 1
	}
	for i := len(page.Data) - 1; i >= 0; i-- {
		m := page.Data[i]
		arrow := "->"
		if m.Direction == "outbound" {
			arrow = "<-"
		}
		fmt.Fprintf(stdout, "%s %s [%s] %s\n", m.CreatedAt, arrow, m.Status, m.Body)
	}
	return 0
}

type client struct {
	base, key string
	http      *http.Client
}

func (c *client) do(method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		raw, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, c.base+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		return fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, raw)
	}
	return json.Unmarshal(raw, out)
}
