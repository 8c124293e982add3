// Package phone validates and classifies phone numbers with nyaruka/phonenumbers
// (a port of Google's libphonenumber): E.164 checks for every API field that
// takes a number, sender classification for the AI's anti-loop guards, and the
// time zones a number may be in for campaign quiet hours.
//
// Concurrency: every function is pure and safe for concurrent use.
package phone
