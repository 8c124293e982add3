// Package websessions stores the console's browser sessions, the one-time
// sign-in links and the pending OpenID Connect logins (SPEC 1.3, 2.1).
//
// A session is found by the SHA-256 of its cookie's token, so the store
// never holds a live cookie. It ends after Idle without a request, after
// MaxAge in any case, at sign-out, and with every other session of its user
// when the user's password changes (RevokeUser). Each session carries its
// own CSRF token, which every state-changing request must echo. Sign-in
// links and OIDC states are single use: taking one deletes it.
//
// Concurrency: Repo is safe for concurrent use. Its read-modify-write
// operations (touching a session's last use, switching its org, taking a
// link) hold one mutex, so a touch cannot bring back a session a sign-out
// just deleted; each is one Pebble batch.
package websessions
