// Package campaignapi is the SMS campaign API: drafts, their recipients,
// and launching, pausing and cancelling them. The campaign actors do the
// work (actors/campaign); this package reads and writes through their
// service.
//
// Concurrency: the handlers run on fasthttp's goroutines and keep no state.
package campaignapi
