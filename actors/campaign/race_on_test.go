//go:build race

package campaign_test

// raceEnabled skips tests whose size makes the race detector too slow.
const raceEnabled = true
