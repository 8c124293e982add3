package system

import (
	"runtime"
	"sync"
	"testing"
	"time"
)

// Work scheduled while every worker is blocked still runs: the pool starts a
// worker rather than queue behind a mailbox waiting on a commit.
func TestPoolNeverQueuesBehindBlockedWork(t *testing.T) {
	p := &pool{work: make(chan func()), maxIdle: 4, throughput: 1}
	const n = 200
	var started sync.WaitGroup
	started.Add(n)
	release := make(chan struct{})
	var done sync.WaitGroup
	done.Add(n)
	for range n {
		p.Schedule(func() {
			started.Done()
			<-release // all n must be running at once to get past this
			done.Done()
		})
	}
	waitGroup(t, &started, "all blocked work started")
	close(release)
	waitGroup(t, &done, "all work finished")
	deadline := time.Now().Add(5 * time.Second)
	for p.idle.Load() > p.maxIdle && time.Now().Before(deadline) {
		runtime.Gosched()
	}
	if idle := p.idle.Load(); idle > p.maxIdle {
		t.Fatalf("%d idle workers parked; want at most %d", idle, p.maxIdle)
	}
	// Parked workers take new work.
	var again sync.WaitGroup
	again.Add(10)
	for range 10 {
		p.Schedule(again.Done)
	}
	waitGroup(t, &again, "work after the burst")
}

func waitGroup(t *testing.T, wg *sync.WaitGroup, what string) {
	t.Helper()
	ch := make(chan struct{})
	go func() { wg.Wait(); close(ch) }()
	select {
	case <-ch:
	case <-time.After(10 * time.Second):
		t.Fatalf("timed out waiting: %s", what)
	}
}
