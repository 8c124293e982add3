package events

import (
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

	"github.com/humd/humd/storage"
)

func counterValue(t *testing.T, c interface{ Write(*dto.Metric) error }) float64 {
	t.Helper()
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		t.Fatal(err)
	}
	return m.GetCounter().GetValue()
}

// Texts are counted when the batch that records them commits: a discarded
// batch counts nothing.
func TestTextsCountedOnCommitOnly(t *testing.T) {
	st, err := storage.Open(t.TempDir(), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	in := textsTotal.WithLabelValues("in", "received")
	all := eventsTotal.WithLabelValues(SMSReceived)
	before, beforeAll := counterValue(t, in), counterValue(t, all)
	b := st.NewBatch()
	if _, err := Append(st, b, "org_1", SMSReceived, time.Now(), map[string]any{}); err != nil {
		t.Fatal(err)
	}
	b.Discard()
	if got := counterValue(t, in); got != before {
		t.Fatalf("a discarded batch counted a text: %v -> %v", before, got)
	}
	b = st.NewBatch()
	for range 2 {
		if _, err := Append(st, b, "org_1", SMSReceived, time.Now(), map[string]any{}); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Commit(storage.Sync); err != nil {
		t.Fatal(err)
	}
	if got := counterValue(t, in); got != before+2 {
		t.Fatalf("humd_texts_total{in,received} = %v; want %v", got, before+2)
	}
	if got := counterValue(t, all); got != beforeAll+2 {
		t.Fatalf("humd_events_total{sms.received} = %v; want %v", got, beforeAll+2)
	}
}
