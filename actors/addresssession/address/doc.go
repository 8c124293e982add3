// Package address checks the address-session request of seed 000 (decoded
// by transport into an Input) and
// normalizes addresses the USPS way (upper case, Publication 28 suffixes and
// directionals, the street's hundred block as street_range).
//
// Concurrency: every function is pure and safe for concurrent use.
package address
