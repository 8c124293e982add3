package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"sync"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/humd/humd/actors/clock"
	"github.com/humd/humd/actors/sender"
	"github.com/humd/humd/app"
	"github.com/humd/humd/storage/campaigns"
	"github.com/humd/humd/transport/sandbox"
)

// Campaign is the campaign workload's shape: one campaign of Recipients at
// the highest throttle (600/min) from a number at the highest rate, every
// OptOutEvery-th recipient opted out before launch. The humd runs on a fake
// clock that the workload advances as fast as sends come out, so the figure
// is how fast the dispatch machinery goes, not the throttle.
type Campaign struct {
	Recipients, OptOutEvery int
}

func (c *Campaign) defaults() error {
	if c.Recipients <= 0 {
		c.Recipients = campaigns.MaxRecipients
	}
	if c.OptOutEvery <= 0 {
		c.OptOutEvery = 100
	}
	if c.Recipients > campaigns.MaxRecipients {
		return fmt.Errorf("bench: campaign recipients %d: at most %d", c.Recipients, campaigns.MaxRecipients)
	}
	return nil
}

// CampaignCheck is the campaign workload's verdict.
type CampaignCheck struct {
	Recipients int     `json:"recipients"`
	OptedOut   int     `json:"opted_out"`
	CreateMs   float64 `json:"create_ms"`
	// Sent reached the carrier; TextedTwice recipients got more than one;
	// ToOptedOut texts went to an opted-out contact; Missing recipients that
	// should have been texted were not.
	Sent        int     `json:"sent"`
	TextedTwice int     `json:"texted_twice"`
	ToOptedOut  int     `json:"to_opted_out"`
	Missing     int     `json:"missing"`
	Status      string  `json:"status"`
	SendsPerSec float64 `json:"sends_per_wall_sec"`
	FirstErr    string  `json:"first_error,omitempty"`
}

// Err is nil when every recipient but the opted-out ones got exactly one text.
func (c *CampaignCheck) Err() error {
	if c.TextedTwice+c.ToOptedOut+c.Missing > 0 || c.Status != campaigns.Completed || c.FirstErr != "" {
		return fmt.Errorf("campaign %s: %d texted twice, %d texts to opted-out contacts, %d missing (%s)",
			c.Status, c.TextedTwice, c.ToOptedOut, c.Missing, c.FirstErr)
	}
	return nil
}

func (c *CampaignCheck) verdict() string {
	v := "ok"
	if c.Err() != nil {
		v = "FAILED"
	}
	return fmt.Sprintf("%s (%d sent once, %d opted out skipped)", v, c.Sent, c.OptedOut)
}

// countingCarrier counts texts per recipient, then hands them to the sandbox.
type countingCarrier struct {
	inner *sandbox.Carrier
	mu    sync.Mutex
	to    map[string]int
	n     int
}

func (c *countingCarrier) Send(ctx context.Context, m *sender.Outbound) (*sender.Accepted, error) {
	c.mu.Lock()
	c.to[m.To]++
	c.n++
	c.mu.Unlock()
	return c.inner.Send(ctx, m)
}

func (c *countingCarrier) sent() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}

func campaignRecipient(i int) string { return fmt.Sprintf("+1319%03d%04d", 555+i/9000, 1000+i%9000) }

func runCampaign(ctx context.Context, cfg *Config) (Result, error) {
	w := cfg.Campaign
	if err := w.defaults(); err != nil {
		return Result{}, err
	}
	clk := clock.NewFake(time.Date(2026, 11, 25, 16, 0, 0, 0, time.UTC)) // 11:00 in New York: inside every window
	relay := &statusRelay{}
	carrier := &countingCarrier{to: map[string]int{}, inner: sandbox.New(sandbox.Config{Clock: clk, Keep: 256, OnStatus: relay.apply})}
	number := "+12125558000"
	h, a, ids, err := launchHumd(app.Config{DataDir: filepath.Join(cfg.TempDir, fmt.Sprintf("campaign-%d", time.Now().UnixNano()))},
		app.Options{StoreOptions: cfg.StoreOptions, Clock: clk, Carrier: carrier}, number)
	if err != nil {
		return Result{}, err
	}
	relay.set(a)
	defer func() {
		relay.set(nil)
		_ = h.Close()
	}()
	c := &fasthttp.Client{MaxResponseBodySize: 64 << 20, ReadTimeout: time.Minute}
	check := &CampaignCheck{Recipients: w.Recipients}
	opted := map[string]bool{}
	rows := make([]map[string]any, w.Recipients)
	for i := range rows {
		e164 := campaignRecipient(i)
		rows[i] = map[string]any{"contact_e164": e164, "vars": map[string]any{"i": fmt.Sprint(i)}}
		if i%w.OptOutEvery == w.OptOutEvery-1 {
			if st, body, err := h.call(c, "POST", "/api/sms/opt-outs", `{"e164":"`+e164+`"}`); err != nil || st != 201 {
				return Result{}, fmt.Errorf("bench: opt out %s: %d %s %v", e164, st, body, err)
			}
			opted[e164] = true
		}
	}
	check.OptedOut = len(opted)
	raw, _ := json.Marshal(map[string]any{"name": "Bench campaign", "twilio_number_id": ids[0], "body_template": "Hi #{{vars.i}}",
		"throttle_per_minute": campaigns.MaxThrottle, "recipients": rows})
	t0 := time.Now()
	st, body, err := h.call(c, "POST", "/api/sms/campaigns", string(raw))
	if err != nil || st != 201 {
		return Result{}, fmt.Errorf("bench: create campaign: %d %.300s %v", st, body, err)
	}
	check.CreateMs = ms(time.Since(t0))
	id := jsonField(body, "id")
	before := ReadUsage()
	start := time.Now()
	if st, body, err := h.call(c, "POST", "/api/sms/campaigns/"+id+"/launch", `{}`); err != nil || st != 200 {
		return Result{}, fmt.Errorf("bench: launch: %d %s %v", st, body, err)
	}
	// Fake time runs at ten pacing intervals (one second) per millisecond of
	// wall time, so the throttle is not what limits: the figure is how fast
	// sends get through the campaign, conversation and sender actors to the
	// carrier.
	interval := time.Minute / campaigns.MaxThrottle
	want := w.Recipients - len(opted)
	deadline := time.Now().Add(10 * time.Minute)
	for ticks := 0; ; ticks++ {
		if err := ctx.Err(); err != nil {
			return Result{}, err
		}
		clk.Advance(10 * interval)
		time.Sleep(time.Millisecond)
		if ticks%64 == 0 {
			cp, err := campaigns.Get(h.Store, h.OrgID, id)
			if err != nil {
				return Result{}, err
			}
			if cp.Status != campaigns.Sending && cp.Status != campaigns.Queued {
				check.Status = cp.Status
				break
			}
			if time.Now().After(deadline) {
				check.Status, check.FirstErr = cp.Status, "timed out"
				break
			}
		}
	}
	elapsed := time.Since(start)
	after := ReadUsage()
	carrier.mu.Lock()
	for i := range w.Recipients {
		e164 := campaignRecipient(i)
		switch n := carrier.to[e164]; {
		case opted[e164] && n > 0:
			check.ToOptedOut++
		case !opted[e164] && n == 0:
			check.Missing++
		case n > 1:
			check.TextedTwice++
		}
	}
	check.Sent = carrier.n
	carrier.mu.Unlock()
	if check.Sent != want && check.FirstErr == "" && check.Missing == 0 {
		check.FirstErr = fmt.Sprintf("%d texts for %d recipients", check.Sent, want)
	}
	check.SendsPerSec = float64(check.Sent) / elapsed.Seconds()
	stats := &Stats{Name: "campaign", Requests: uint64(check.Sent), Elapsed: elapsed}
	r := cfg.result("campaign", "humd", stats, before, after)
	r.Mix, r.Contacts = fmt.Sprintf("%d recipients, 600/min on fake time", w.Recipients), w.Recipients
	r.Live = a.Threads.Live()
	r.Campaign = check
	return r, nil
}
