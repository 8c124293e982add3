package conversation_test

import (
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/humd/humd/actors/clock"
	"github.com/humd/humd/actors/conversation"
	"github.com/humd/humd/actors/sender"
	"github.com/humd/humd/actors/system"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/sms"
	"github.com/humd/humd/storage/tenancy"
	"github.com/humd/humd/transport/actorcall"
	"github.com/humd/humd/transport/sandbox"
)

// BenchmarkInbound is one inbound text through its thread actor, from the
// ask to the durable answer (Pebble with Sync on a real disk): the part of
// the webhook path below HTTP and the signature check. Contacts rotate over
// 1,000 threads, so most texts reach a live actor; 64 asks are in flight.
func BenchmarkInbound(b *testing.B) {
	st, err := storage.Open(b.TempDir(), storage.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	clk := clock.Real{}
	ten := &tenancy.Repo{Store: st, Now: clk.Now}
	boot, err := ten.Bootstrap("hum_live_benchkey000000000000000000000")
	if err != nil {
		b.Fatal(err)
	}
	org := boot.Org.ID
	n, err := sms.RegisterNumber(st, org, "+15005550006", "bench", "sandbox", clk.Now())
	if err != nil {
		b.Fatal(err)
	}
	sys := system.New(slog.New(slog.DiscardHandler))
	defer sys.Shutdown()
	logger := slog.New(slog.DiscardHandler)
	senders := &sender.Directory{Root: sys.Root, Config: sender.Config{Carrier: sandbox.New(sandbox.Config{}), Clock: clk, Store: st, Logger: logger}}
	dir := conversation.NewDirectory(sys.Root, &conversation.Deps{Store: st, Clock: clk, Logger: logger, Org: ten.Org,
		Hours: func(*tenancy.Org) (conversation.QuietHours, error) { return nil, nil }, Senders: senders})
	b.ReportAllocs()
	b.SetParallelism(32) // webhooks arrive concurrently; Pebble groups their fsyncs
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			i++
			from := fmt.Sprintf("+1317555%04d", i%1000)
			in := &conversation.Inbound{SID: fmt.Sprintf("SM%p%030d", pb, i), From: from, To: n.E164, Body: "hello", NumSegments: 1}
			if _, err := actorcall.Await[*conversation.InboundResult](dir.Request(org, n.ID, from, in, 10*time.Second), in); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
