package conversation_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/humd/humd/actors/clock"
	"github.com/humd/humd/actors/conversation"
	"github.com/humd/humd/actors/system"
	"github.com/humd/humd/storage"
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
	org, n, dir := threads(b, st, clock.Real{}, conversation.Deps{})
	b.ReportAllocs()
	b.SetParallelism(32) // webhooks arrive concurrently; Pebble groups their fsyncs
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			i++
			from := fmt.Sprintf("+1317555%04d", i%1000)
			in := &conversation.Inbound{SID: fmt.Sprintf("SM%p%030d", pb, i), From: from, To: n.E164, Body: "hello", NumSegments: 1}
			if _, err := system.Await[*conversation.InboundResult](dir.Request(org, n.ID, from, in, 10*time.Second), in); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
