package app_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/humd/humd/app/apptest"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/sms"
)

// TestCrashKeepsEveryAckedInboundOnce posts inbound webhooks from several
// clients while the store's filesystem is "crashed" (a crash clone of
// Pebble's crashable in-memory FS, keeping none or a random share of the
// unsynced data). humd restarted on the clone holds every message it had
// acknowledged before the crash, each exactly once, and Twilio's retries of
// the acknowledged ones change nothing.
func TestCrashKeepsEveryAckedInboundOnce(t *testing.T) {
	for _, pct := range []int{0, 50, 100} {
		t.Run(fmt.Sprintf("unsynced=%d", pct), func(t *testing.T) { crashRun(t, pct) })
	}
}

func crashRun(t *testing.T, pct int) {
	fs := vfs.NewCrashableMem()
	s := apptest.Start(t, apptest.Options{FS: fs})
	s.AddNumber(ourNumber, 1)
	org := s.OrgID()
	const clients, perClient = 6, 40
	var mu sync.Mutex
	acked := map[string]string{} // sid -> body
	var clone *vfs.MemFS
	var cloneAcked map[string]string
	var wg sync.WaitGroup
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perClient {
				sid := fmt.Sprintf("SM%08d%024d", c, i)
				body := fmt.Sprintf("client %d text %d", c, i)
				from := fmt.Sprintf("+1317555%04d", 100+c)
				st, _ := s.PostTwilio("/twilio/sms", s.App.SandboxToken, apptest.InboundForm(sid, from, ourNumber, body), "")
				mu.Lock()
				if st == 200 {
					acked[sid] = body
				}
				// Crash once, mid-run: what was acked so far must survive.
				if clone == nil && len(acked) == clients*perClient/2 {
					cloneAcked = maps.Clone(acked)
					clone = fs.CrashClone(vfs.CrashCloneCfg{UnsyncedDataPercent: pct, RNG: rand.New(rand.NewPCG(uint64(pct), 7))})
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	s.Stop()
	if clone == nil || len(cloneAcked) == 0 {
		t.Fatalf("no crash taken (%d acked)", len(acked))
	}

	r := apptest.Start(t, apptest.Options{FS: clone})
	for sid, body := range cloneAcked {
		ref, err := sms.LookupSID(r.App.Store, sid)
		if err != nil {
			t.Fatalf("acked %s lost in the crash: %v", sid, err)
		}
		m, err := sms.GetMessage(r.App.Store, ref.OrgID, ref.ConvID, ref.Seq)
		if err != nil || m.Body != body {
			t.Fatalf("acked %s: message %+v, %v; want body %q", sid, m, err, body)
		}
	}
	// Each stored once: count inbound messages over every thread.
	count := map[string]int{}
	err := r.App.Store.Scan(storage.Prefix("msg", org), storage.ScanOptions{}, func(_, v []byte) (bool, error) {
		var m sms.Message
		if err := json.Unmarshal(v, &m); err != nil {
			return false, err
		}
		count[m.ProviderMessageID]++
		return true, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for sid := range cloneAcked {
		if count[sid] != 1 {
			t.Errorf("%s stored %d times; want 1", sid, count[sid])
		}
	}
	// Twilio retries every acknowledged webhook after the restart: no change.
	before := len(count)
	for sid, body := range cloneAcked {
		from := fmt.Sprintf("+1317555%04d", 100+int(sid[9]-'0'))
		if st, _ := r.PostTwilio("/twilio/sms", r.App.SandboxToken, apptest.InboundForm(sid, from, ourNumber, body), ""); st != 200 {
			t.Fatalf("retry of %s = %d", sid, st)
		}
	}
	after := 0
	_ = r.App.Store.Scan(storage.Prefix("msg", org), storage.ScanOptions{}, func(_, _ []byte) (bool, error) { after++; return true, nil })
	if after != before {
		t.Errorf("retries after restart changed the message count %d -> %d", before, after)
	}
	t.Logf("unsynced=%d%%: %d acked before the crash, %d messages on the clone", pct, len(cloneAcked), before)
}
