// Package opsapi is the API an operator runs humd with: site-admin routes
// for online backups. A backup is a Pebble checkpoint of the live store,
// verified before it is answered (storage.Backup); the command line's
// `humd backup` calls it.
//
// Concurrency: the handlers keep no state; the app serialises backups.
package opsapi
