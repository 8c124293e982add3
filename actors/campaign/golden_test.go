package campaign_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/cockroachdb/datadriven"

	"github.com/humd/humd/actors/actortest"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/campaigns"
	"github.com/humd/humd/storage/sms"
	"github.com/humd/humd/storage/tenancy"
)

// TestGoldenCampaign runs the scripts in testdata: campaigns through the
// real conversation actors and senders of an actortest.World (fake clock,
// in-memory Pebble, fake carrier). Commands, besides World.Common's:
//
//	start [at=RFC3339] [mps=]   a fresh world with +15005550006 (mps texts a second, default 100)
//	hours                       the org's business_hours_json (the input)
//	create                      a campaign from the input (the create body; the number is filled in)
//	launch | pause | cancel     the state changes, printing the new status
//	campaign                    the campaign's status and counts, once settled
//	recipients                  each row's effective status
//	inbound from= sid=          a text from a contact (input is the body)
//	optout e164= | block e164=  a person opts a contact out, or blocks them
func TestGoldenCampaign(t *testing.T) {
	datadriven.Walk(t, "testdata", func(t *testing.T, path string) {
		t.Parallel()
		g := &campaignScript{}
		datadriven.RunTest(t, path, g.run)
	})
}

type campaignScript struct {
	w  *actortest.World
	n  *sms.Number
	id string
}

func (g *campaignScript) run(t *testing.T, d *datadriven.TestData) string {
	w := g.w
	if out, ok := actortest.Prelude(t, w, d); ok {
		return out
	}
	switch d.Cmd {
	case "start":
		g.w = actortest.NewWorld(t, actortest.Options{Now: actortest.StartTime(t, d)})
		var mps float64
		fmt.Sscan(actortest.Arg(d, "mps", "100"), &mps)
		g.n = g.w.AddNumber("+15005550006", mps)
		return "ok"
	case "hours":
		if _, err := w.Tenancy.PatchOrg(w.OrgID, tenancy.OrgPatch{BusinessHoursJSON: storage.Some(json.RawMessage(d.Input))}); err != nil {
			return refusal(err)
		}
		return "ok"
	case "create":
		var body map[string]any
		if err := json.Unmarshal([]byte(d.Input), &body); err != nil {
			t.Fatalf("%s: %v", d.Pos, err)
		}
		body["twilio_number_id"] = g.n.ID
		raw, _ := json.Marshal(body)
		var in campaigns.CreateIn
		if err := fromJSON(raw, &in); err != nil {
			return refusal(err)
		}
		v, err := w.Campaigns.Create(w.OrgID, "user_golden", true, &in)
		if err != nil {
			return refusal(err)
		}
		g.id = v.Campaign.ID
		return view(v)
	case "launch", "pause", "cancel":
		op := map[string]func(org, id string) (*campaigns.View, error){"launch": w.Campaigns.Launch, "pause": w.Campaigns.Pause,
			"cancel": w.Campaigns.Cancel}[d.Cmd]
		v, err := op(w.OrgID, g.id)
		if err != nil {
			return refusal(err)
		}
		// Only the status: the counts go on changing as the texts already
		// handed out are answered (the campaign command prints them settled).
		return status(v.Campaign)
	case "campaign":
		return actortest.Poll(d, func() string {
			v, err := w.Campaigns.Get(w.OrgID, g.id)
			if err != nil {
				return refusal(err)
			}
			return view(v)
		})
	case "recipients":
		return actortest.Poll(d, func() string {
			rows, _, err := w.Campaigns.Recipients(w.OrgID, g.id, "", storage.PageRequest{Limit: 200})
			if err != nil {
				return refusal(err)
			}
			var lines []string
			for _, r := range rows {
				line := r.E164 + " " + r.Status
				if r.Error != "" {
					line += " (" + r.Error + ")"
				}
				lines = append(lines, line)
			}
			return actortest.OrNone(lines)
		})
	case "inbound":
		if _, err := w.Inbound(actortest.Arg(d, "sid", ""), actortest.Arg(d, "from", ""), g.n.E164, d.Input); err != nil {
			return refusal(err)
		}
		return "ok"
	case "optout":
		if _, _, err := sms.RecordOptOut(w.Store, &sms.OptOut{OrgID: w.OrgID, E164: actortest.Arg(d, "e164", ""), Source: "api",
			CreatedAt: w.Clock.Now()}, nil); err != nil {
			return refusal(err)
		}
		return "ok"
	case "block":
		if _, err := sms.AddBlock(w.Store, w.OrgID, sms.ListEntry{E164: actortest.Arg(d, "e164", "")}, w.Clock.Now()); err != nil {
			return refusal(err)
		}
		return "ok"
	}
	t.Fatalf("%s: unknown command %q", d.Pos, d.Cmd)
	return ""
}

// view prints a campaign's status, its reasons and its non-zero counts.
func view(v *campaigns.View) string {
	n := v.Counts
	out := status(v.Campaign) + fmt.Sprintf(" total=%d", n.Total)
	for _, b := range []struct {
		name string
		n    int
	}{{"pending", n.Pending}, {"sending", n.Sending}, {"sent", n.Sent}, {"delivered", n.Delivered}, {"failed", n.Failed},
		{"opted_out", n.OptedOut}, {"skipped", n.Skipped}, {"cancelled", n.Cancelled}, {"unknown", n.Unknown}} {
		if b.n > 0 {
			out += fmt.Sprintf(" %s=%d", b.name, b.n)
		}
	}
	return out
}

// status prints a campaign's status and why humd put it there.
func status(c *campaigns.Campaign) string {
	out := c.Status
	if c.PauseReason != "" {
		out += " (" + c.PauseReason + ")"
	}
	if c.FailReason != "" {
		out += " (" + c.FailReason + ")"
	}
	return out
}

// refusal prints an error as its API code when it has one.
func refusal(err error) string {
	var ce *storage.ConflictError
	var ve *storage.ValidationError
	switch {
	case errors.As(err, &ce):
		return "409 " + ce.Code
	case errors.As(err, &ve):
		return "invalid " + strings.Join(slices.Sorted(maps.Keys(ve.Fields)), ",")
	}
	return "error: " + err.Error()
}

// fromJSON builds a typed input from JSON as a test writes it; unknown keys
// fail. Decoding requests is transport's (transport/wire); this package takes
// the typed value.
func fromJSON(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}
