// Package smssvc is the SMS area of the front door: threads and their texts,
// AI runs, scheduled sends, contacts, opt-outs (through actors/consent), the
// blocklist, lookups and numbers (transport/api/smsapi). Writes of a thread go
// to its conversation actor as messages. Its operations are methods of SMS,
// which actors/service.Service embeds; each checks the principal first
// (svcbase.Need) and answers typed values and the typed errors of package
// storage.
//
// Concurrency: SMS keeps no state beyond svcbase.Deps and is safe for
// concurrent use; writes go to their owners (actors/doc.go).
package smssvc
