package app

import (
	"os"
	"runtime/debug"
)

// GC settings of a humd process unless the environment sets its own.
const (
	gcPercent   = 200
	memoryLimit = 1 << 30
)

// TuneGC sets the collector for a server process: GOGC 200 instead of 100,
// since at 100 collection was about a fifth of ingest CPU (humbench ingest
// ran 10,458-11,433/s at 100 and 12,272-12,850/s at 200), with a soft memory
// limit of 1 GiB that makes it collect harder as the heap nears it (Pebble's
// block cache and memtables, ~350 MiB, are outside the Go heap; the
// 1,000,000-conversation run peaked at 1,876 MiB with a 1.5 GiB limit, too
// near its 2 GiB budget). GOGC or GOMEMLIMIT in the environment win. humd serve and humbench (which hosts
// humd in its own process) call it once at start.
func TuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit)
	}
}
