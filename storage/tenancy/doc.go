// Package tenancy stores orgs, users, memberships, invites and API keys, and
// resolves a presented API key to a Principal (org, user, effective role).
//
// Rules it enforces (SPEC 1.3, 2.1, D-2): keys start with hum_live_ and are
// stored only as a SHA-256 hash; a key's effective role is the lower of its own
// role and its owner's current role; scopes (scopes.go) narrow a key further,
// never widen it; a key past its expires_at stops working; removing a member
// revokes their keys in that org, so adding them back does not revive them;
// a site:admin key counts only while its owner is a site admin; the
// last admin of an org cannot be demoted or removed (409 last_admin). A pending
// invite records an email and role; it becomes a membership when that person
// first signs in by single sign-on with that verified email (SignInVerified).
// Console passwords (passwords.go) are argon2id PHC strings; a browser
// session's principal is built by SessionPrincipal, as a key's is by
// Authenticate.
//
// Concurrency: Repo is safe for concurrent use. Membership changes take a
// per-org mutex so two concurrent demotions cannot both pass the last-admin
// check; every write is one Pebble batch committed with Sync.
package tenancy
