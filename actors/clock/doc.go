// Package clock is the injected time source for actors: Real for production,
// Fake for tests, whose Advance fires due timers in order. Nothing under actors/
// reads the wall clock directly, so debounce, rate windows, quiet hours, retries
// and schedules all run on time a test controls.
//
// Concurrency: both clocks are safe for concurrent use. Fake runs timer
// callbacks on the goroutine that calls Advance, without holding its lock, so a
// callback may arm new timers.
package clock
