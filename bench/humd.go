package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/humd/humd/app"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/sms"
)

// DefaultNumber is the humd number the workloads text (a Twilio magic test
// number, valid E.164).
const DefaultNumber = "+15005550006"

// benchPublicURL is the in-process humd's HUMD_PUBLIC_URL.
const benchPublicURL = "http://humd.bench"

// benchAdminKey is the in-process humd's bootstrap admin key.
const benchAdminKey = "hum_live_benchadminkey000000000000000"

// Humd is the server under test.
type Humd struct {
	// URL is where requests go (http://host:port).
	URL string
	// PublicURL is HUMD_PUBLIC_URL, what webhook signatures cover.
	PublicURL string
	// Key is an admin API key; Token signs /twilio/* webhooks.
	Key, Token string
	// Number receives the inbound texts.
	Number string
	// Store and OrgID are set in-process only: the correctness check reads
	// Pebble directly. Remote, it pages the REST API instead.
	Store *storage.Pebble
	OrgID string
	// Live counts the conversations that have an actor now (in-process only).
	Live func() int

	close func() error
}

// Close stops an in-process humd (a no-op when remote).
func (h *Humd) Close() error {
	if h.close == nil {
		return nil
	}
	c := h.close
	h.close = nil
	return c()
}

// Addr is URL's host:port.
func (h *Humd) Addr() string {
	u, err := url.Parse(h.URL)
	if err != nil {
		return strings.TrimPrefix(h.URL, "http://")
	}
	return u.Host
}

// StartHumd runs humd in this process on a loopback port with a real clock,
// its store in dir and the sandbox carrier, and registers number with SMS
// enabled and the highest rate. store tunes Pebble (the zero value is what
// humd serve uses).
func StartHumd(dir, number string, store storage.Options) (*Humd, error) {
	h, _, _, err := launchHumd(app.Config{DataDir: dir}, app.Options{StoreOptions: store}, number)
	return h, err
}

// launchHumd runs humd with cfg and o (loopback address, bench admin key and
// public URL, no logs, no seed filled in) and registers numbers, answering
// the app and the numbers' IDs as well.
func launchHumd(cfg app.Config, o app.Options, numbers ...string) (*Humd, *app.App, []string, error) {
	cfg.Addr, cfg.AdminKey, cfg.PublicURL = "127.0.0.1:0", benchAdminKey, benchPublicURL
	cfg.KeyRequestsPerMinute = -1 // the api workload reads as fast as one key can
	o.Logger, o.NoSeed = slog.New(slog.DiscardHandler), true
	a, err := app.New(cfg, o)
	if err != nil {
		return nil, nil, nil, err
	}
	if err := a.Listen(); err != nil {
		_ = a.Close()
		return nil, nil, nil, err
	}
	org := a.Bootstrap.Org.ID
	now := time.Now()
	ids := make([]string, 0, len(numbers))
	for _, number := range numbers {
		n, err := sms.RegisterNumber(a.Store, org, number, "bench", "sandbox", now)
		if err == nil {
			on := storage.Bool(true)
			_, err = sms.PatchNumber(a.Store, org, n.ID, sms.NumberPatch{SMSEnabled: &on, MPS: storage.Some(sms.MaxMPS)}, noFlows, now)
		}
		if err != nil {
			_ = a.Close()
			return nil, nil, nil, fmt.Errorf("bench: register %s: %w", number, err)
		}
		ids = append(ids, n.ID)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Serve(ctx) }()
	url := "http://" + a.Addr()
	h := &Humd{URL: url, PublicURL: benchPublicURL, Key: benchAdminKey, Token: a.SandboxToken, Number: numbers[0],
		Store: a.Store, OrgID: org, Live: a.Threads.Live, close: func() error { cancel(); return <-done }}
	return h, a, ids, nil
}

func noFlows(_, _ string) (string, error) { return "", storage.ErrNotFound }

// Remote addresses a running humd. publicURL is its HUMD_PUBLIC_URL ("" means
// base). It registers number through the API when it is not there yet and
// turns SMS on for it.
func Remote(base, publicURL, key, token, number string) (*Humd, error) {
	base = strings.TrimRight(base, "/")
	if publicURL == "" {
		publicURL = base
	}
	h := &Humd{URL: base, PublicURL: strings.TrimRight(publicURL, "/"), Key: key, Token: token, Number: number}
	if key == "" || token == "" {
		return nil, errors.New("bench: a remote humd needs -key (admin API key) and -token (webhook auth token)")
	}
	c := &fasthttp.Client{}
	status, _, err := h.call(c, "POST", "/api/numbers", fmt.Sprintf(`{"e164":%q}`, number))
	if err != nil {
		return nil, err
	}
	if status != 201 && status != 409 {
		return nil, fmt.Errorf("bench: register %s: status %d", number, status)
	}
	id, err := h.numberID(c)
	if err != nil {
		return nil, err
	}
	status, body, err := h.call(c, "PATCH", "/api/numbers/"+id, fmt.Sprintf(`{"sms_enabled":true,"mps":%g}`, sms.MaxMPS))
	if err != nil {
		return nil, err
	}
	if status != 200 {
		return nil, fmt.Errorf("bench: enable sms on %s: status %d %s", number, status, body)
	}
	return h, nil
}

func (h *Humd) numberID(c *fasthttp.Client) (string, error) {
	cursor := ""
	for {
		status, body, err := h.call(c, "GET", "/api/numbers?limit=200&cursor="+url.QueryEscape(cursor), "")
		if err != nil {
			return "", err
		}
		var page struct {
			Data []struct {
				ID   string `json:"id"`
				E164 string `json:"e164"`
			} `json:"data"`
			Next *string `json:"next_cursor"`
		}
		if status != 200 || json.Unmarshal(body, &page) != nil {
			return "", fmt.Errorf("bench: list numbers: status %d %.200s", status, body)
		}
		for _, n := range page.Data {
			if n.E164 == h.Number {
				return n.ID, nil
			}
		}
		if page.Next == nil || *page.Next == "" {
			return "", fmt.Errorf("bench: %s is registered in another org", h.Number)
		}
		cursor = *page.Next
	}
}

// call makes one admin API request and answers the status and a copy of the body.
func (h *Humd) call(c *fasthttp.Client, method, path, body string) (int, []byte, error) {
	req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(resp)
	req.Header.SetMethod(method)
	req.SetRequestURI(h.URL + path)
	req.Header.Set("Authorization", "Bearer "+h.Key)
	if body != "" {
		req.Header.SetContentType("application/json")
		req.SetBodyString(body)
	}
	if err := c.DoTimeout(req, resp, 30*time.Second); err != nil {
		return 0, nil, fmt.Errorf("bench: %s %s: %w", method, path, err)
	}
	return resp.StatusCode(), append([]byte(nil), resp.Body()...), nil
}
