// Package idem keeps the answers of requests made with an Idempotency-Key
// (SPEC 1.0, A35): per org, for 24 hours, so that a client retrying a send,
// a call or a launch gets the first answer again instead of a second effect.
//
// Keys:
//
//	idem/<org>/<sha256(key)[:16] hex>          -> Record
//	idem-due/<U64 ms expiry>/<org>/<hash>       -> the idem/ key, for Expire
//
// The client's key is hashed so that any string (slashes included) makes one
// key segment.
package idem
