package sandbox

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/sms"
)

func TestAvailableHonoursAreaCodeAndInventory(t *testing.T) {
	c := New(Config{})
	got := c.Available(sms.NumberSearch{AreaCode: 317, Region: "in", Limit: 2})
	if len(got) != 2 || got[0].E164 != "+13175550100" || got[1].E164 != "+13175550101" || got[0].Region != "IN" {
		t.Fatalf("available = %+v; want +1 317 555 0100 and 0101 in IN", got)
	}
	if def := c.Available(sms.NumberSearch{}); len(def) != 20 || !strings.HasPrefix(def[0].E164, "+1500555") {
		t.Errorf("default = %+v; want 20 in the 500 range", def)
	}
	if fr := c.Available(sms.NumberSearch{Country: "FR"}); len(fr) != 0 {
		t.Errorf("FR = %+v; want none", fr)
	}
	p, err := c.Buy(got[0].E164)
	if err != nil || p.SID != SID(got[0].E164) || !slices.Contains(c.Numbers(), got[0].E164) {
		t.Fatalf("buy = %+v, %v; numbers %v", p, err, c.Numbers())
	}
	if after := c.Available(sms.NumberSearch{AreaCode: 317, Limit: 1}); after[0].E164 != "+13175550101" {
		t.Errorf("after buying 0100 the search offers %v", after)
	}
	if _, err := c.Buy(got[0].E164); !errors.Is(err, storage.ErrConflict) {
		t.Errorf("buying an owned number = %v; want a conflict", err)
	}
	if err := c.Release(p.SID); err != nil || slices.Contains(c.Numbers(), got[0].E164) {
		t.Errorf("release = %v; numbers %v", err, c.Numbers())
	}
	if err := c.Release(p.SID); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("releasing twice = %v; want not found", err)
	}
}

// New copies the configured numbers: Buy must not write into the caller's array.
func TestBuyLeavesConfigSliceAlone(t *testing.T) {
	mine := make([]string, 1, 4)
	mine[0] = DefaultNumber
	c := New(Config{Numbers: mine})
	if _, err := c.Buy("+13175550100"); err != nil {
		t.Fatal(err)
	}
	if full := mine[:2]; full[1] != "" {
		t.Errorf("Buy wrote %q into the caller's slice", full[1])
	}
}
