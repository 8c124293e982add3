package conversation_test

import (
	"log/slog"
	"testing"

	"github.com/humd/humd/actors/actortest"
	"github.com/humd/humd/actors/clock"
	"github.com/humd/humd/actors/conversation"
	"github.com/humd/humd/actors/sender"
	"github.com/humd/humd/actors/system"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/sms"
	"github.com/humd/humd/storage/tenancy"
)

// threads bootstraps an org with one number on st and answers a
// thread directory over it; d's Store, Clock, Logger, Org, Hours and
// Senders are filled in, the rest is the caller's.
func threads(tb testing.TB, st storage.Store, clk clock.Clock, d conversation.Deps) (org string, n *sms.Number, dir *conversation.Directory) {
	tb.Helper()
	ten := &tenancy.Repo{Store: st, Now: clk.Now}
	boot, err := ten.Bootstrap("hum_live_testkey0000000000000000000000")
	if err != nil {
		tb.Fatal(err)
	}
	if n, err = sms.RegisterNumber(st, boot.Org.ID, "+15005550006", "main", "sandbox", clk.Now()); err != nil {
		tb.Fatal(err)
	}
	sys := system.New(slog.New(slog.DiscardHandler))
	tb.Cleanup(sys.Shutdown)
	logger := slog.New(slog.DiscardHandler)
	d.Store, d.Clock, d.Logger, d.Org = st, clk, logger, ten.Org
	d.Hours = func(*tenancy.Org) (conversation.QuietHours, error) { return nil, nil }
	d.Senders = sender.NewDirectory(sys.Root, sender.Config{Carrier: actortest.NewCarrier(clk), Clock: clk, Store: st, Logger: logger})
	return boot.Org.ID, n, conversation.NewDirectory(sys.Root, &d)
}
