// Package outbound makes humd's own HTTP calls to customer systems (webhook
// receivers, CRMs) over fasthttp: one POST with a deadline, timing it on the
// wall clock and keeping a bounded excerpt of the answer. Callers are worker
// goroutines, never actor mailboxes.
package outbound
