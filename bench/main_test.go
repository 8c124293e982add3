package bench

import (
	"os"
	"testing"
)

// TestMain lets the calls workload start this test binary as its peer (the
// fake model and the callers, ServeCallsPeer).
func TestMain(m *testing.M) {
	if ServeCallsPeer() {
		return
	}
	os.Exit(m.Run())
}
