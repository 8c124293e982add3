//go:build race

package app_test

// raceEnabled skips tests whose size makes the race detector too slow.
const raceEnabled = true
