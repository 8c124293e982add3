// Package egresspolicy is humd's one SSRF policy: where humd may connect
// on a customer's behalf (webhook receivers, CRMs, HTTP tools, MCP servers).
//
// The address rules are code.dny.dev/ssrf's, which is generated from the
// IANA IPv4 and IPv6 special-purpose registries: every special-purpose
// IPv4 range is refused, and every IPv6 address outside global unicast
// (2000::/3) or in a special-purpose range within it. IPv4-mapped IPv6
// (::ffff:a.b.c.d) is unwrapped and judged as the IPv4 address it is;
// the other forms that carry an IPv4 address (NAT64 64:ff9b::/96 and
// 64:ff9b:1::/48, 6to4 2002::/16, Teredo 2001::/32, IPv4-compatible ::/96)
// are refused outright. Any port may be used.
//
// The policy is enforced twice. CheckURL runs when a target is saved, so
// a bad one is a 422 naming the field. DialContext runs on every
// connection every client makes (fasthttp in transport/outbound, net/http
// through HTTPTransport): it resolves the name itself, refuses the dial if
// any answer is refused, connects only to the addresses it checked, and
// checks the socket's address again in net.Dialer.Control. So a DNS
// answer that changed since the save (rebinding) and a redirect or an MCP
// SSE endpoint pointing elsewhere are judged at the moment they are dialled.
//
// AllowPrivate (HUMD_ALLOW_PRIVATE_WEBHOOKS, for self-hosters and tests on
// loopback) turns the address rules off and admits plain http.
//
// The package imports nothing of humd's, so every layer may use it:
// storage validates with it at save time, actors build their net/http
// clients with it, transport builds the fasthttp client with it. It sits
// below storage the way the standard library does; it is not in storage
// because it is not about persistence, and not in actors or transport
// because storage may not import them.
//
// It also owns how long humd keeps idle outbound connections (IdleTimeout),
// so every client agrees on it.
//
// Concurrency: a Policy is a value; its methods are safe for concurrent
// use as long as its Resolve function is.
package egresspolicy
