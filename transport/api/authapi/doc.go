// Package authapi is the console's sign-in (SPEC 1.3, 2.1): local
// accounts with argon2id passwords, OpenID Connect single sign-on
// (authorization code with PKCE, state and nonce), one-time sign-in links,
// and the browser session the rest of the API then accepts like an API
// key.
//
// Routes: GET/POST /auth/login, POST /auth/logout, GET/POST /auth/link,
// GET /auth/oidc/start and /auth/oidc/callback (HTML and redirects, for the
// browser), and GET /auth/session, POST /api/me/current-org, POST
// /api/me/password and POST /api/orgs (JSON). The API type is also the
// edge's httpapi.SessionSource: transport/httpapi reads the session cookie
// and asks it for the principal, which storage/tenancy builds
// (SessionPrincipal) as it builds an API key's.
//
// Rules: return_to is a path on this server, never an absolute or
// scheme-relative URL; sign-in attempts are limited per account and per
// client address on the injected clock (429 with Retry-After); the session
// cookie is HTTP-only and SameSite=Lax, Secure when the public URL is
// https; a changed password ends every session of its user; OIDC users are
// matched by a verified email only, and a pending invite becomes a
// membership at their first sign-in.
//
// Concurrency: the API is safe for concurrent use; the limiters lock, the
// OIDC provider is discovered once (retried until it answers), and
// everything else is in storage/websessions and storage/tenancy.
package authapi
