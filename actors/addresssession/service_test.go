package addresssession

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/humd/humd/actors/actortest"
	"github.com/humd/humd/actors/addresssession/address"
	"github.com/humd/humd/actors/clock"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/storagetest"
)

// slowCatalog is the real store with a slow provider catalog: a read of it
// waits until the test releases it, as a read from a cold disk or a remote
// catalog would. Everything else goes straight through.
type slowCatalog struct {
	storage.Store
	reading atomic.Bool
	release chan struct{}
	once    sync.Once
}

func (s *slowCatalog) Scan(prefix []byte, o storage.ScanOptions, fn func(k, v []byte) (bool, error)) error {
	if bytes.HasPrefix(prefix, storage.Prefix("provider")) {
		s.reading.Store(true)
		<-s.release
	}
	return s.Store.Scan(prefix, o, fn)
}

func (s *slowCatalog) open() { s.once.Do(func() { close(s.release) }) }

// TestGetAnswers202WhileAgentsWork (SPEC 1.1, 2.15): without sync, create
// answers at once with its agents pending; Get answers a Working session
// (GET's 202) for as long as the internet agent is still reading the
// catalog, then the providers (GET's 200).
func TestGetAnswers202WhileAgentsWork(t *testing.T) {
	st := &slowCatalog{Store: storagetest.OpenMem(t), release: make(chan struct{})}
	t.Cleanup(st.open) // a failed test must not leave the agent blocked
	csv := strings.Join(ProviderColumns, ",") + "\n" +
		"48034,att,AT&T Fiber,fiber,5000,5000,5500,+18002882020,https://www.att.com\n" +
		"*,starlink,Starlink,satellite,220,25,12000,,https://www.starlink.com\n"
	if _, err := importProviders(st.Store, strings.NewReader(csv)); err != nil {
		t.Fatal(err)
	}
	svc := New(Config{System: actortest.NewSystem(t), Store: st, Clock: clock.NewFake(time.Date(2026, 11, 25, 15, 0, 0, 0, time.UTC))})

	zip := "48034"
	street := "29090 Tiffany Drive E"
	created, err := svc.Create("org_1", &address.Input{Street1: &street, Zip: &zip})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	token := created.Token
	actortest.WaitFor(t, 10*time.Second, func() error {
		if !st.reading.Load() {
			return fmt.Errorf("the internet agent has not reached the catalog")
		}
		return nil
	})
	actortest.Holds(t, 200*time.Millisecond, func() error {
		sess, err := svc.Get("org_1", token)
		if err != nil {
			return err
		}
		if !sess.Working() || sess.AgentStatus["internet"] != Pending || sess.RequestStatus() != "ok" {
			return fmt.Errorf("while working: working %v, agent_status %v, request_status %v", sess.Working(), sess.AgentStatus, sess.RequestStatus())
		}
		return nil
	})

	st.open()
	var sess *Session
	actortest.WaitFor(t, 10*time.Second, func() error {
		if sess, err = svc.Get("org_1", token); err != nil {
			return err
		}
		if sess.Working() {
			return fmt.Errorf("agents still working: %v", sess.AgentStatus)
		}
		return nil
	})
	var names []string
	for _, p := range sess.Providers {
		names = append(names, p.ProviderName)
	}
	agents := sess.AgentStatus
	if strings.Join(names, ",") != "AT&T Fiber,Starlink" || agents["geocoding"] != Matched || agents["internet"] != Matched {
		t.Errorf("when done: providers %v, agent_status %v; want AT&T Fiber and Starlink, both agents matched", names, agents)
	}
}
